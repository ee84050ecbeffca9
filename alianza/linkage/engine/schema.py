"""The canonical person-record table that linkage reads, and its validation.

Columns (design.md): record_id, given_names, first_surname, second_surname, sex, birth_date,
nationality, document_type, document_number, birth_place. Every column but record_id may be
empty; extra columns are ignored.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

import pandas as pd

from alianza.linkage.engine.errors import InputDataError

CANONICAL_COLUMNS: tuple[str, ...] = (
    "record_id",
    "given_names",
    "first_surname",
    "second_surname",
    "sex",
    "birth_date",
    "nationality",
    "document_type",
    "document_number",
    "birth_place",
)


def read_person_csv(source: str | Path | IO[bytes], *, label: str = "input") -> pd.DataFrame:
    """Read a canonical person-record CSV (UTF-8, with or without BOM) into strings.

    `source` is a path, "-" for standard input, or a binary stream. `label` names the file in
    error messages ("left file", "right file").
    """
    try:
        if isinstance(source, (str, Path)) and str(source) == "-":
            import sys

            raw = sys.stdin.buffer.read()
            handle: IO[bytes] | str | Path = io.BytesIO(raw)
        else:
            handle = source
        frame = pd.read_csv(
            handle, dtype=str, na_filter=False, encoding="utf-8-sig", encoding_errors="strict"
        )
    except FileNotFoundError:
        raise InputDataError(f"The {label} file does not exist: {source}") from None
    except UnicodeDecodeError:
        raise InputDataError(
            f"The {label} file is not valid UTF-8 text. Save it as UTF-8 (CSV UTF-8 in "
            "spreadsheet programs) and try again."
        ) from None
    except pd.errors.EmptyDataError:
        raise InputDataError(
            f"The {label} file is empty: it has no header and no records."
        ) from None
    except pd.errors.ParserError as exc:
        raise InputDataError(f"The {label} file is not a valid CSV file ({exc}).") from None
    return validate_person_frame(frame, label=label)


def validate_person_frame(frame: pd.DataFrame, *, label: str = "input") -> pd.DataFrame:
    """Check columns and record ids; return the canonical columns as non-null strings."""
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in CANONICAL_COLUMNS if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"The {label} file lacks the column(s) {', '.join(missing)}. The header must be: "
            + ",".join(CANONICAL_COLUMNS)
        )
    if frame.empty:
        raise InputDataError(f"The {label} file has a header but no records.")
    frame = frame.loc[:, list(CANONICAL_COLUMNS)].fillna("").astype(str)
    ids = frame["record_id"].str.strip()
    if (ids == "").any():
        raise InputDataError(
            f"The {label} file has {int((ids == '').sum())} record(s) without a record_id; "
            "every record needs one."
        )
    duplicated = ids.duplicated()
    if duplicated.any():
        raise InputDataError(
            f"The {label} file has {int(duplicated.sum())} repeated record_id value(s); "
            "record ids must be unique."
        )
    frame["record_id"] = ids
    return frame.reset_index(drop=True)
