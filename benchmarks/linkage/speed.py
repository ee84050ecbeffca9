"""Speed and memory of the CLI: match 50,000 × 50,000 and dedupe 1,000,000 records.

.venv/bin/python benchmarks/linkage/speed.py WORKDIR
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


def main(workdir: str) -> None:
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {}

    left, right = synth.match_datasets(50_000, 50_000, seed=8)
    left[list(CANONICAL_COLUMNS)].to_csv(work / "left50k.csv", index=False)
    right[list(CANONICAL_COLUMNS)].to_csv(work / "right50k.csv", index=False)
    out = work / "pairs50k.csv"
    timing = run_cli(["link", "match", str(work / "left50k.csv"), str(work / "right50k.csv"),
                      "--out", str(out)])  # fmt: skip
    pairs = pd.read_csv(out, dtype=str)
    joined = left.merge(right, on="person_id", suffixes=("_l", "_r"))
    actual = set(zip(joined["record_id_l"], joined["record_id_r"], strict=True))
    results["match_50k_x_50k"] = timing | f1(
        set(zip(pairs["left_id"], pairs["right_id"], strict=True)), actual
    )
    del left, right, pairs, joined

    records = synth.dedupe_dataset(1_000_000, seed=7)
    records[list(CANONICAL_COLUMNS)].to_csv(work / "dedupe1m.csv", index=False)
    truth = records[["record_id", "person_id"]]
    del records
    out = work / "clusters1m.csv"
    timing = run_cli(["link", "dedupe", str(work / "dedupe1m.csv"), "--out", str(out)])
    clusters = pd.read_csv(out, dtype=str)
    scores = score_clusters(clusters, truth)
    results["dedupe_1m"] = timing | {
        "records": len(clusters),
        "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4),
        "f1": round(scores.f1, 4),
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
