"""From canonical person records to the comparison features the linkage model reads.

Every value goes through the platform's normalisers (`alianza.normalize`), so linkage compares
exactly what forms and imports store. Normalisers run once per distinct value, not per record:
names repeat a lot, which keeps a million records to seconds.

Features (all strings, NULL when unknown):
    given_full, given1, given2, given1_ph    folded given names, the first, the rest, phonetic key
    sur1, sur2, sur1_ph, sur2_ph             surnames without particles, and their phonetic keys
    dob, dob_y, dob_m, dob_d, dob_yi         full date (only when complete), its parts, year as int
    sex, nationality, doc, doc_kind, birth_place

`doc_kind` is "P" for a passport (so typed, or a number with letters, as passports have here)
and "N" for a national identity document: a passport number and an identity card number of the
same person differ by nature, so the model does not count that as disagreement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Any

import pandas as pd

from alianza.normalize import NormalizationError, normalize_country, normalize_date
from alianza.normalize.documents import DocumentType, document_match_key, normalize_document_type
from alianza.normalize.names import JOINER, PARTICLES, fold, spanish_phonetic, surname_key

FEATURE_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "given_full",
    "given1",
    "given2",
    "given1_ph",
    "sur1",
    "sur2",
    "sur1_ph",
    "sur2_ph",
    "dob",
    "dob_y",
    "dob_m",
    "dob_d",
    "dob_yi",
    "sex",
    "nationality",
    "doc",
    "doc_kind",
    "birth_place",
)

_DATE_SHAPE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SEX = {"m": "M", "h": "M", "masculino": "M", "hombre": "M", "male": "M", "varon": "M",
        "f": "F", "femenino": "F", "mujer": "F", "female": "F"}  # fmt: skip


def _map_distinct(series: pd.Series, func: Callable[[str], Any]) -> pd.Series:
    """Apply `func` once per distinct value: names and dates repeat across records."""
    mapping = {value: func(value) for value in series.unique()}
    return series.map(mapping)


def _given(value: str) -> tuple[str | None, str | None, str | None, str | None]:
    words = [w for w in fold(value).split() if w not in PARTICLES and w != JOINER]
    if not words:
        return None, None, None, None
    first = words[0]
    rest = " ".join(words[1:]) or None
    return " ".join(words), first, rest, spanish_phonetic(first) or None


def _surname(value: str) -> str | None:
    return surname_key(value) or None


def _phonetic(value: str | None) -> str | None:
    return (spanish_phonetic(value) or None) if value else None


def _date(value: str) -> tuple[str | None, str | None, str | None, str | None, float]:
    if not value.strip():
        return None, None, None, None, float("nan")
    try:
        date = normalize_date(value)
    except NormalizationError:
        # A mistyped date ("1984-00-25", "1971-13-19") still carries its year and digits.
        found = _DATE_SHAPE.match(value.strip())
        if not found:
            return None, None, None, None, float("nan")
        year, month, day = found.groups()
        if not 1850 <= int(year) <= 2100:
            return None, None, None, None, float("nan")
        return f"{year}-{month}-{day}", year, month, day, float(year)
    month = f"{date.month:02d}" if date.month else None
    day = f"{date.day:02d}" if date.day else None
    full = date.isoformat() if day else None
    return full, f"{date.year:04d}", month, day, float(date.year)


def _country(value: str) -> str | None:
    if not value.strip():
        return None
    try:
        return normalize_country(value)
    except NormalizationError:
        return None


def _sex(value: str) -> str | None:
    return _SEX.get(fold(value))


def _is_passport_type(document_type: str) -> bool:
    if not document_type.strip():
        return False
    try:
        return normalize_document_type(document_type) == DocumentType.PASSPORT
    except NormalizationError:
        return False


def _has_letters(key: str) -> bool:
    return not key.isdigit()


def prepare_features(records: pd.DataFrame) -> pd.DataFrame:
    """The feature table of canonical records (as validated by `schema.validate_person_frame`)."""
    out = pd.DataFrame({"unique_id": records["record_id"].to_numpy()})

    given = _map_distinct(records["given_names"], _given)
    given_parts = pd.DataFrame(
        given.tolist(), columns=["given_full", "given1", "given2", "given1_ph"]
    )
    for column in given_parts.columns:
        out[column] = given_parts[column].to_numpy()

    sur1 = _map_distinct(records["first_surname"], _surname)
    sur2 = _map_distinct(records["second_surname"], _surname)
    # Only the maternal surname given: it is the one surname we have, compare it as the first.
    only_second = sur1.isna() & sur2.notna()
    sur1 = sur1.where(~only_second, sur2)
    sur2 = sur2.where(~only_second, None)
    # Both surnames typed into the first field ("Mamani Quispe", second empty): split them.
    both_in_first = sur2.isna() & sur1.fillna("").str.contains(" ", regex=False)
    if both_in_first.any():
        split = sur1[both_in_first].str.split(" ", n=1)
        sur1 = sur1.copy()
        sur2 = sur2.astype(object)
        sur1[both_in_first] = split.str[0]
        sur2[both_in_first] = split.str[1]
    out["sur1"] = sur1.to_numpy()
    out["sur2"] = sur2.to_numpy()
    out["sur1_ph"] = _map_distinct(sur1, _phonetic).to_numpy()
    out["sur2_ph"] = _map_distinct(sur2, _phonetic).to_numpy()

    dates = _map_distinct(records["birth_date"], _date)
    date_parts = pd.DataFrame(dates.tolist(), columns=["dob", "dob_y", "dob_m", "dob_d", "dob_yi"])
    for column in ("dob", "dob_y", "dob_m", "dob_d"):
        out[column] = date_parts[column].to_numpy()
    out["dob_yi"] = pd.array(date_parts["dob_yi"].to_numpy(), dtype="Int64")

    out["sex"] = _map_distinct(records["sex"], _sex).to_numpy()
    nationality = _map_distinct(records["nationality"], _country)
    out["nationality"] = nationality.to_numpy()

    cache: dict[Hashable, str | None] = {}
    docs: list[str | None] = []
    for number, doc_type, country in zip(
        records["document_number"], records["document_type"], nationality, strict=True
    ):
        key = (number, doc_type, country)
        if key not in cache:
            cache[key] = document_match_key(number, document_type=doc_type, country=country)
        docs.append(cache[key])
    out["doc"] = docs
    # A passport: so typed, or a number with letters (identity numbers here are all digits).
    doc = pd.Series(docs, dtype=object)
    passport = _map_distinct(records["document_type"], _is_passport_type).to_numpy(dtype=bool)
    lettered = _map_distinct(doc.fillna("0"), _has_letters).to_numpy(dtype=bool)
    out["doc_kind"] = pd.Series(
        ["P" if p or letters else "N" for p, letters in zip(passport, lettered, strict=True)],
        dtype=object,
    ).where(doc.notna(), None).to_numpy()
    out["birth_place"] = _map_distinct(records["birth_place"], lambda v: fold(v) or None).to_numpy()
    return out.loc[:, list(FEATURE_COLUMNS)]
