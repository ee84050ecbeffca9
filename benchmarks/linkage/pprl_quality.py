"""PPRL F1 against plaintext over several secrets, on the library path (quick iteration).

.venv/bin/python benchmarks/linkage/pprl_quality.py WORKDIR SECRETS DATASET...

DATASET is `febrl4` or `SEED:OVERLAP` (synth.match_datasets(10_000, 10_000, seed=SEED,
overlap=OVERLAP)). Plaintext linkage (`alianza link match`) runs once per data set and is cached
in WORKDIR; PPRL runs `encode_records` and `match_encodings` at the CLI's defaults under SECRETS
random secrets. `pprl_bench.py` measures the same through the whole CLI.
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path

import pandas as pd
from common import f1, run_cli  # type: ignore[import-not-found]
from febrl4_to_csv import main as write_febrl4  # type: ignore[import-not-found]

from alianza.linkage.engine import synth
from alianza.linkage.engine.schema import CANONICAL_COLUMNS
from alianza.linkage.pprl import encode_records, match_encodings


def pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["left_id"], frame["right_id"], strict=True))


def dataset(work: Path, name: str) -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[str, str]]]:
    if name == "febrl4":
        write_febrl4(str(work))
        left = pd.read_csv(work / "febrl4_a.csv", dtype=str, keep_default_na=False)
        right = pd.read_csv(work / "febrl4_b.csv", dtype=str, keep_default_na=False)
        return left, right, pairs(pd.read_csv(work / "febrl4_truth.csv", dtype=str))
    seed, overlap = name.split(":")
    left, right = synth.match_datasets(10_000, 10_000, seed=int(seed), overlap=float(overlap))
    joined = left.merge(right, on="person_id", suffixes=("_l", "_r"))
    truth = set(zip(joined["record_id_l"], joined["record_id_r"], strict=True))
    return left[list(CANONICAL_COLUMNS)], right[list(CANONICAL_COLUMNS)], truth


def main(workdir: str, n_secrets: int, names: list[str]) -> None:
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    keys = [secrets.token_bytes(32) for _ in range(n_secrets)]
    for name in names:
        left, right, truth = dataset(work, name)
        stem = name.replace(":", "_")
        plain_csv = work / f"{stem}_plain.csv"
        if not plain_csv.exists():
            left.to_csv(work / f"{stem}_a.csv", index=False)
            right.to_csv(work / f"{stem}_b.csv", index=False)
            run_cli(["link", "match", str(work / f"{stem}_a.csv"), str(work / f"{stem}_b.csv"),
                     "--out", str(plain_csv)])  # fmt: skip
        plain = f1(pairs(pd.read_csv(plain_csv, dtype=str)), truth)
        runs = []
        for key in keys:
            found = match_encodings(
                encode_records(left, secret=key), encode_records(right, secret=key)
            )
            runs.append(f1(pairs(found), truth))
        mean = {
            k: round(sum(r[k] for r in runs) / len(runs), 4) for k in ("precision", "recall", "f1")
        }
        print(json.dumps({
            "data": name,
            "plaintext": plain,
            "pprl_mean": mean,
            "pprl_f1_per_secret": [r["f1"] for r in runs],
            "f1_gap": round(plain["f1"] - mean["f1"], 4),
        }), flush=True)  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
