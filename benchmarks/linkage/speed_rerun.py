"""The CLI calls of speed.py on files written once beforehand, so only the measured run holds the lock.

.venv/bin/python benchmarks/linkage/speed_rerun.py write WORKDIR    # the files (not under the lock)
.venv/bin/python benchmarks/linkage/speed_rerun.py match WORKDIR    # link match 50k x 50k
.venv/bin/python benchmarks/linkage/speed_rerun.py dedupe WORKDIR   # link dedupe 1,000,000

The files are those of speed.py (same generator calls and seeds), plus truth CSVs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
from common import f1, run_cli  # type: ignore[import-not-found]

from alianza.linkage.engine import synth
from alianza.linkage.engine.metrics import score_clusters
from alianza.linkage.engine.schema import CANONICAL_COLUMNS


def write(work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    left, right = synth.match_datasets(50_000, 50_000, seed=8)
    for frame, name in ((left, "left50k"), (right, "right50k")):
        frame[list(CANONICAL_COLUMNS)].to_csv(work / f"{name}.csv", index=False)
        frame[["record_id", "person_id"]].to_csv(work / f"{name}.truth.csv", index=False)
    records = synth.dedupe_dataset(1_000_000, seed=7)
    records[list(CANONICAL_COLUMNS)].to_csv(work / "dedupe1m.csv", index=False)
    records[["record_id", "person_id"]].to_csv(work / "dedupe1m.truth.csv", index=False)


def main(which: str, work: Path) -> None:
    if which == "write":
        write(work)
        return
    if which == "match":
        timing = run_cli(["link", "match", str(work / "left50k.csv"), str(work / "right50k.csv"),
                          "--out", str(work / "pairs50k.csv")])  # fmt: skip
        pairs = pd.read_csv(work / "pairs50k.csv", dtype=str)
        left = pd.read_csv(work / "left50k.truth.csv", dtype=str)
        right = pd.read_csv(work / "right50k.truth.csv", dtype=str)
        joined = left.merge(right, on="person_id", suffixes=("_l", "_r"))
        actual = set(zip(joined["record_id_l"], joined["record_id_r"], strict=True))
        predicted = set(zip(pairs["left_id"], pairs["right_id"], strict=True))
        print(json.dumps(timing | f1(predicted, actual)))
        return
    timing = run_cli(["link", "dedupe", str(work / "dedupe1m.csv"),
                      "--out", str(work / "clusters1m.csv")])  # fmt: skip
    scores = score_clusters(
        pd.read_csv(work / "clusters1m.csv", dtype=str),
        pd.read_csv(work / "dedupe1m.truth.csv", dtype=str),
    )
    print(json.dumps(timing | {"precision": round(scores.precision, 4),
                               "recall": round(scores.recall, 4), "f1": round(scores.f1, 4)}))  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "match", "dedupe"):
        sys.exit(__doc__)
    main(sys.argv[1], Path(sys.argv[2]))
