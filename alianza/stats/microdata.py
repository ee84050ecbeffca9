"""CTDC-style victim microdata (one row per deduplicated victim and year), after disclosure control.

Django-free. Columns follow the Counter Trafficking Data Collaborative's published variables
(see docs/reference/ctdc-variables.md in the design notes); flag columns hold 1 or are empty.
Disclosure control makes the release k-anonymous on its quasi-identifiers: a row whose
combination is rarer than `min_cell` loses, in turn, its citizenship, country of exploitation and
age band, and is left out if it is still too rare.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from alianza.stats.disclosure import DEFAULT_MIN_CELL

CTDC_COLUMNS = [
    "yearOfRegistration", "gender", "ageBroad", "citizenship", "CountryOfExploitation",
    "isForcedLabour", "isSexualExploit", "isOtherExploit",
]  # fmt: skip
QUASI_IDENTIFIERS = CTDC_COLUMNS  # every published column can single a person out
# Generalised first → last: the least useful detail goes first.
GENERALISATION_ORDER = ["citizenship", "CountryOfExploitation", "ageBroad"]
AGE_BANDS = [(0, 8), (9, 17), (18, 20), (21, 23), (24, 26), (27, 29), (30, 38), (39, 47)]


def age_band(age: float | None) -> str:
    if age is None or pd.isna(age):
        return ""
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}--{high}"
    return "48+"


def _flags(forms: list[str]) -> tuple[str, str, str]:
    codes = [str(f).lower() for f in forms]
    labour = any("labour" in c or "labor" in c or "servitude" in c for c in codes)
    sexual = any("sex" in c for c in codes)
    other = any(
        not ("labour" in c or "labor" in c or "servitude" in c or "sex" in c) for c in codes
    )
    return ("1" if labour else "", "1" if sexual else "", "1" if other else "")


def ctdc_frame(victims: pd.DataFrame) -> pd.DataFrame:
    """Map `IndicatorEngine.victim_microdata()` onto the CTDC columns."""
    gender = {"F": "Woman", "M": "Man"}
    rows = []
    records: list[Any] = list(victims.itertuples())
    for row in records:
        forms = list(row.forms) if row.forms is not None else []
        labour, sexual, other = _flags(forms)
        rows.append({
            "yearOfRegistration": str(int(row.year)),
            "gender": gender.get(row.sex or "", ""),
            "ageBroad": age_band(row.age),
            "citizenship": row.citizenship or "",
            "CountryOfExploitation": row.country_of_exploitation or "",
            "isForcedLabour": labour, "isSexualExploit": sexual, "isOtherExploit": other,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=CTDC_COLUMNS)


def k_anonymize(frame: pd.DataFrame, *, min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:
    """Generalise and then drop rows until every quasi-identifier combination has `min_cell` rows."""
    out = frame.copy()
    for column in [None, *GENERALISATION_ORDER]:
        if column is not None:
            rare = _rare(out, min_cell)
            out.loc[rare, column] = ""
    return out[~_rare(out, min_cell)].reset_index(drop=True)


def _rare(frame: pd.DataFrame, min_cell: int) -> pd.Series:
    if frame.empty:
        return pd.Series([], dtype=bool)
    sizes = frame.groupby(QUASI_IDENTIFIERS, dropna=False)[QUASI_IDENTIFIERS[0]].transform("size")
    return sizes < min_cell
