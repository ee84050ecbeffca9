"""Linkage quality beyond the two headline seeds: other seeds, low overlap, harsher records.

.venv/bin/python benchmarks/linkage/quality_variants.py WORKDIR

All at the CLI's default settings. The variants:

* `match_seedS`: the standard generator, 10,000 × 10,000, 40% of the left people on the right;
* `match_lowS_P`: the same with only P of the left people on the right (most records without
  a partner, where the prior is small and precision is hardest);
* `match_harsh`, `dedupe_harsh`: twice the generator's typo rate, and on top of its own habits
  another 30% of documents left out, 15% of birth dates cut to the year and 20% of maternal
  surnames dropped (on the right file; every record for the dedupe);
* `dedupe_seedS`: the standard dedupe set of 10,000 records.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pandas as pd
from common import f1, run_cli  # type: ignore[import-not-found]

from alianza.linkage.engine import synth
from alianza.linkage.engine.metrics import score_clusters
from alianza.linkage.engine.schema import CANONICAL_COLUMNS


def sparser(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Blank more fields than the generator does: documents, full dates, maternal surnames."""
    rng = random.Random(seed)
    out = frame.copy()
    for index in out.index:
        if rng.random() < 0.3:
            out.at[index, "document_number"] = ""
            out.at[index, "document_type"] = ""
        date = str(out.at[index, "birth_date"])
        if len(date) == 10 and rng.random() < 0.15:
            out.at[index, "birth_date"] = date[:4]
        if rng.random() < 0.2:
            out.at[index, "second_surname"] = ""
    return out


def pairs_of(path: Path) -> set[tuple[str, str]]:
    frame = pd.read_csv(path, dtype=str)
    return set(zip(frame["left_id"], frame["right_id"], strict=True))


def run_match(work: Path, name: str, left: pd.DataFrame, right: pd.DataFrame) -> dict[str, object]:
    left[list(CANONICAL_COLUMNS)].to_csv(work / f"{name}_a.csv", index=False)
    right[list(CANONICAL_COLUMNS)].to_csv(work / f"{name}_b.csv", index=False)
    out = work / f"{name}_pairs.csv"
    timing = run_cli(["link", "match", str(work / f"{name}_a.csv"), str(work / f"{name}_b.csv"),
                      "--out", str(out)])  # fmt: skip
    joined = left.merge(right, on="person_id", suffixes=("_l", "_r"))
    actual = set(zip(joined["record_id_l"], joined["record_id_r"], strict=True))
    return f1(pairs_of(out), actual) | {"true_pairs": len(actual)} | timing


def run_dedupe(work: Path, name: str, records: pd.DataFrame) -> dict[str, object]:
    records[list(CANONICAL_COLUMNS)].to_csv(work / f"{name}.csv", index=False)
    out = work / f"{name}_clusters.csv"
    timing = run_cli(["link", "dedupe", str(work / f"{name}.csv"), "--out", str(out)])
    scores = score_clusters(pd.read_csv(out, dtype=str), records)
    return {
        "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4),
        "f1": round(scores.f1, 4),
    } | timing


def main(workdir: str) -> None:
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {}
    for seed in (10, 11):
        left, right = synth.match_datasets(10_000, 10_000, seed=seed)
        results[f"match_seed{seed}"] = run_match(work, f"match_seed{seed}", left, right)
    for seed, overlap in ((12, 0.1), (13, 0.05)):
        left, right = synth.match_datasets(10_000, 10_000, seed=seed, overlap=overlap)
        name = f"match_low{seed}_{overlap}"
        results[name] = run_match(work, name, left, right)
    typo_rate = synth.TYPO_RATE
    synth.TYPO_RATE = 2 * typo_rate
    try:
        left, right = synth.match_datasets(10_000, 10_000, seed=14)
        harsh_dedupe = sparser(synth.dedupe_dataset(10_000, seed=14), seed=14)
    finally:
        synth.TYPO_RATE = typo_rate
    results["match_harsh"] = run_match(work, "match_harsh", left, sparser(right, seed=14))
    results["dedupe_harsh"] = run_dedupe(work, "dedupe_harsh", harsh_dedupe)
    results["dedupe_seed10"] = run_dedupe(work, "dedupe_seed10", synth.dedupe_dataset(10_000, seed=10))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
