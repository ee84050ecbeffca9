"""Synthetic statistics tables: invented records shaped like Bolivia's, for demos, tests and benchmarks.

No real person is in here. Generation is vectorised (numpy), so a million cases take seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alianza.stats.indicators import StatsData

# Cases per year: UNODC counted 463 in 2018 and 551 in 2022; the other years are invented.
DEMO_CASES_PER_YEAR = {2018: 463, 2019: 497, 2020: 402, 2021: 478, 2022: 551, 2023: 586, 2024: 602}
INSTITUTIONS = ["FELCC", "Fiscalía", "Defensoría", "ONG Munasim", "Ministerio de Gobierno"]
DEPARTMENTS = ["BO-L", "BO-S", "BO-C", "BO-O", "BO-P", "BO-T", "BO-H", "BO-B", "BO-N"]
DEPARTMENT_WEIGHTS = [0.34, 0.22, 0.18, 0.05, 0.05, 0.06, 0.04, 0.04, 0.02]
FORMS = [
    "sexual_exploitation",
    "forced_labour",
    "servitude",
    "forced_begging",
    "illegal_adoption",
    "criminal_activities",
]
FORM_WEIGHTS = [0.52, 0.30, 0.08, 0.05, 0.01, 0.04]
DESTINATIONS = ["BOL", "ARG", "PER", "BRA", "CHL", "PRY", "ESP"]
DESTINATION_WEIGHTS = [0.62, 0.14, 0.08, 0.07, 0.05, 0.02, 0.02]
CITIZENSHIPS = ["BOL", "PER", "PRY", "VEN"]
CITIZENSHIP_WEIGHTS = [0.9, 0.04, 0.02, 0.04]


def synthetic_data(
    cases_per_year: dict[int, int] | None = None, *, seed: int = 263, duplicate_share: float = 0.12
) -> StatsData:
    """Cases, victims (about 1.3 per case), suspects (about 1 per case) and routes.

    `duplicate_share` of victims were recorded again by a second institution in a case of the
    same year; linkage put each such pair into one cluster.
    """
    rng = np.random.default_rng(seed)
    years_map = cases_per_year or DEMO_CASES_PER_YEAR
    years = np.repeat(np.array(list(years_map), dtype=np.int32), list(years_map.values()))
    n = len(years)
    case_id = np.arange(1, n + 1, dtype=np.int64)
    crime = rng.choice(["trafficking", "smuggling", "related"], size=n, p=[0.78, 0.12, 0.10])
    cases = pd.DataFrame({
        "case_id": case_id, "year": years, "crime_type": crime,
        "department": rng.choice(DEPARTMENTS, size=n, p=DEPARTMENT_WEIGHTS),
        "institution": rng.choice(INSTITUTIONS, size=n, p=[0.35, 0.3, 0.1, 0.15, 0.1]),
    })  # fmt: skip

    victims_per_case = 1 + rng.binomial(1, 0.3, size=n)
    v_case = np.repeat(case_id, victims_per_case)
    nv = len(v_case)
    v_sex = rng.choice(np.array(["F", "M", None], dtype=object), size=nv, p=[0.78, 0.2, 0.02])
    minor = rng.random(nv) < 0.45
    v_age = np.where(minor, rng.integers(9, 18, nv), rng.integers(18, 45, nv)).astype(float)
    v_age[rng.random(nv) < 0.03] = np.nan
    victims = pd.DataFrame({
        "case_id": v_case, "role": "victim", "sex": v_sex, "age": v_age,
        "citizenship": rng.choice(CITIZENSHIPS, size=nv, p=CITIZENSHIP_WEIGHTS),
        "prosecuted": False, "convicted": False,
    })  # fmt: skip

    s_case = case_id[rng.random(n) < 0.85]
    ns = len(s_case)
    stage = rng.random(ns)
    suspects = pd.DataFrame({
        "case_id": s_case, "role": "suspect", "sex": rng.choice(["M", "F"], size=ns, p=[0.65, 0.35]),
        "age": rng.integers(20, 60, ns).astype(float),
        "citizenship": rng.choice(CITIZENSHIPS, size=ns, p=CITIZENSHIP_WEIGHTS),
        "prosecuted": stage < 0.35, "convicted": stage < 0.08,
    })  # fmt: skip

    participants = pd.concat([victims, suspects], ignore_index=True)
    participants.insert(0, "record_id", np.arange(1, len(participants) + 1, dtype=np.int64))
    participants.insert(2, "person_id", participants["record_id"] + 10_000_000)

    # Duplicates: the same victim recorded again in another case of the same year.
    victim_rows = participants.index[participants["role"] == "victim"]
    dup_rows = victim_rows[rng.random(len(victim_rows)) < duplicate_share]
    copies = participants.loc[dup_rows].copy()
    case_year = dict(zip(cases["case_id"], cases["year"], strict=True))
    first_case_of_year = cases.groupby("year")["case_id"].agg(["min", "max"])
    copy_years = copies["case_id"].map(case_year)
    low = first_case_of_year.loc[copy_years, "min"].to_numpy()
    high = first_case_of_year.loc[copy_years, "max"].to_numpy()
    copies["case_id"] = rng.integers(low, high + 1)
    copies["record_id"] = np.arange(
        len(participants) + 1, len(participants) + len(copies) + 1, dtype=np.int64
    )
    original_person = copies["person_id"].to_numpy()
    copies["person_id"] = copies["record_id"] + 10_000_000
    participants = pd.concat([participants, copies], ignore_index=True)
    clusters = pd.DataFrame({
        "person_id": np.concatenate([original_person, copies["person_id"].to_numpy()]),
        "cluster_id": np.concatenate([original_person, original_person]).astype(str),
    })  # fmt: skip

    forms = rng.choice(FORMS, size=n, p=FORM_WEIGHTS)
    second = rng.random(n) < 0.1
    exploitation = pd.concat([
        pd.DataFrame({"case_id": case_id, "form": forms}),
        pd.DataFrame({"case_id": case_id[second], "form": rng.choice(FORMS, size=int(second.sum()), p=FORM_WEIGHTS)}),
    ]).drop_duplicates(ignore_index=True)  # fmt: skip

    destination = rng.choice(DESTINATIONS, size=n, p=DESTINATION_WEIGHTS)
    route = pd.concat([
        pd.DataFrame({"case_id": case_id, "position": 1, "event_type": "Recruitment", "country": "BOL"}),
        pd.DataFrame({"case_id": case_id, "position": 2, "event_type": "Exploitation", "country": destination}),
    ], ignore_index=True)  # fmt: skip
    return StatsData(
        cases=cases,
        participants=participants,
        exploitation=exploitation,
        route=route,
        clusters=clusters,
    )
