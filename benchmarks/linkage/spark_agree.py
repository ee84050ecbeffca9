"""Engines agree: the same model on DuckDB and on Spark (local mode) gives the same clusters.

.venv/bin/python benchmarks/linkage/spark_agree.py WORKDIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
from common import run_cli  # type: ignore[import-not-found]

from alianza.linkage.engine import synth
from alianza.linkage.engine.schema import CANONICAL_COLUMNS


def partition(path: Path) -> set[frozenset[str]]:
    clusters = pd.read_csv(path, dtype=str)
    return {frozenset(g) for g in clusters.groupby("cluster_id")["record_id"].apply(list)}


def main(workdir: str) -> None:
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    records = synth.dedupe_dataset(10_000, seed=41)
    source = work / "records10k.csv"
    records[list(CANONICAL_COLUMNS)].to_csv(source, index=False)
    duck = run_cli(["link", "dedupe", str(source), "--out", str(work / "duckdb.csv")])
    model = work / "duckdb.model.json"
    spark_same_model = run_cli(["link", "dedupe", str(source), "--out", str(work / "spark.csv"),
                                "--engine", "spark", "--model", str(model)])  # fmt: skip
    spark_trained = run_cli(["link", "dedupe", str(source), "--out", str(work / "spark_trained.csv"),
                             "--engine", "spark"])  # fmt: skip
    base = partition(work / "duckdb.csv")
    same = partition(work / "spark.csv")
    trained = partition(work / "spark_trained.csv")
    print(json.dumps({
        "records": len(records),
        "duckdb": duck,
        "spark_with_duckdb_model": spark_same_model,
        "spark_trained_on_spark": spark_trained,
        "clusters_identical_same_model": same == base,
        "clusters_identical_each_engine_trained": trained == base,
        "clusters_differing_each_engine_trained": len(base ^ trained),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
