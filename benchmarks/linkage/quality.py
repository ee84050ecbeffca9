"""Linkage quality at the CLI's default settings: FEBRL4 and the synthetic Latin American sets.

.venv/bin/python benchmarks/linkage/quality.py WORKDIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
from common import f1, run_cli  # type: ignore[import-not-found]
from febrl4_to_csv import main as write_febrl4  # type: ignore[import-not-found]

from alianza.linkage.engine import synth
from alianza.linkage.engine.metrics import score_clusters
from alianza.linkage.engine.schema import CANONICAL_COLUMNS


def pairs_of(path: Path) -> set[tuple[str, str]]:
    frame = pd.read_csv(path, dtype=str)
    return set(zip(frame["left_id"], frame["right_id"], strict=True))


def main(workdir: str) -> None:
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {}

    write_febrl4(str(work))
    timing = run_cli(["link", "match", str(work / "febrl4_a.csv"), str(work / "febrl4_b.csv"),
                      "--out", str(work / "febrl4_pairs.csv")])  # fmt: skip
    truth = pd.read_csv(work / "febrl4_truth.csv", dtype=str)
    results["febrl4_match"] = f1(pairs_of(work / "febrl4_pairs.csv"),
                                 set(zip(truth["left_id"], truth["right_id"], strict=True))) | timing  # fmt: skip

    for seed in (8, 9):
        left, right = synth.match_datasets(10_000, 10_000, seed=seed)
        left[list(CANONICAL_COLUMNS)].to_csv(work / f"own_left_{seed}.csv", index=False)
        right[list(CANONICAL_COLUMNS)].to_csv(work / f"own_right_{seed}.csv", index=False)
        out = work / f"own_pairs_{seed}.csv"
        timing = run_cli(["link", "match", str(work / f"own_left_{seed}.csv"),
                          str(work / f"own_right_{seed}.csv"), "--out", str(out)])  # fmt: skip
        joined = left.merge(right, on="person_id", suffixes=("_l", "_r"))
        actual = set(zip(joined["record_id_l"], joined["record_id_r"], strict=True))
        results[f"own_match_10k_seed{seed}"] = f1(pairs_of(out), actual) | timing

        records = synth.dedupe_dataset(10_000, seed=seed)
        records[list(CANONICAL_COLUMNS)].to_csv(work / f"own_dedupe_{seed}.csv", index=False)
        out = work / f"own_clusters_{seed}.csv"
        timing = run_cli(
            ["link", "dedupe", str(work / f"own_dedupe_{seed}.csv"), "--out", str(out)]
        )
        clusters = pd.read_csv(out, dtype=str)
        scores = score_clusters(clusters, records)
        results[f"own_dedupe_10k_seed{seed}"] = {
            "precision": round(scores.precision, 4),
            "recall": round(scores.recall, 4),
            "f1": round(scores.f1, 4),
        } | timing
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
