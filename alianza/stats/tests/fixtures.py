"""A small fixed data set with hand-computed figures, shared by the indicator and report tests.

2023: three cases. Victim Ana is recorded by the police (case 1, person 101, aged 16) and by an
NGO (case 2, person 201, aged 17); linkage put both records in cluster A. So 2023 has 4 victim
records but 3 victims.
"""

from __future__ import annotations

import pandas as pd

from alianza.stats.indicators import StatsData

CASES = [
    # case_id, year, crime_type, department, institution
    (1, 2023, "trafficking", "BO-L", "police"),
    (2, 2023, "trafficking", "BO-S", "ngo"),
    (3, 2023, "smuggling", "BO-L", "police"),
    (4, 2022, "trafficking", "BO-C", "fiscalia"),
]
PARTICIPANTS = [
    # record_id, case_id, person_id, role, sex, age, citizenship, prosecuted, convicted
    (1, 1, 101, "victim", "F", 16, "BOL", False, False),
    (2, 2, 201, "victim", "F", 17, "BOL", False, False),
    (3, 1, 102, "victim", "M", 25, "BOL", False, False),
    (4, 1, 103, "suspect", "M", 40, "BOL", True, True),
    (5, 2, 203, "suspect", "F", 35, "PER", True, False),
    (6, 3, 104, "victim", "M", 30, "PER", False, False),
    (7, 3, 105, "suspect", "M", 45, "BOL", False, False),
    (8, 4, 301, "victim", "F", 22, "BOL", False, False),
]
EXPLOITATION = [(1, "sexual"), (2, "sexual"), (2, "forced_labour"), (4, "forced_labour")]
ROUTE = [
    (1, 1, "Recruitment", "BOL"), (1, 2, "Exploitation", "ARG"),
    (2, 1, "Recruitment", "BOL"), (2, 2, "Transit", "BOL"), (2, 3, "Exploitation", "BOL"),
    (4, 1, "Recruitment", "BOL"), (4, 2, "Exploitation", "PER"),
]  # fmt: skip
CLUSTERS = [(101, "A"), (201, "A")]


def small_data(*, linked: bool = True) -> StatsData:
    return StatsData(
        cases=pd.DataFrame(
            CASES, columns=["case_id", "year", "crime_type", "department", "institution"]
        ),
        participants=pd.DataFrame(
            PARTICIPANTS,
            columns=[
                "record_id",
                "case_id",
                "person_id",
                "role",
                "sex",
                "age",
                "citizenship",
                "prosecuted",
                "convicted",
            ],
        ),
        exploitation=pd.DataFrame(EXPLOITATION, columns=["case_id", "form"]),
        route=pd.DataFrame(ROUTE, columns=["case_id", "position", "event_type", "country"]),
        clusters=pd.DataFrame(CLUSTERS if linked else [], columns=["person_id", "cluster_id"]),
    )
