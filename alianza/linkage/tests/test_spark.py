"""The Spark engine (local mode) gives the same clusters as DuckDB. Needs the `spark` extra."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pandas as pd
import pytest

from alianza.linkage.engine import dedupe, synth

pytestmark = [
    pytest.mark.spark,
    # CI installs the extra, so there a missing pyspark fails the test instead of skipping it.
    pytest.mark.skipif(
        importlib.util.find_spec("pyspark") is None and not os.environ.get("CI"),
        reason="pyspark is not installed: install the 'spark' extra (pip install -e '.[spark]')",
    ),
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java 17 runtime"),
]


def _partition(clusters: pd.DataFrame) -> set[frozenset[str]]:
    return {frozenset(group) for group in clusters.groupby("cluster_id")["record_id"].apply(list)}


def test_spark_and_duckdb_give_the_same_clusters() -> None:
    records = synth.dedupe_dataset(400, seed=21).drop(columns="person_id")
    on_duckdb = dedupe(records)
    on_spark = dedupe(records, engine="spark")  # estimated the same way, scored on Spark
    assert on_duckdb.clusters is not None and on_spark.clusters is not None
    assert _partition(on_spark.clusters) == _partition(on_duckdb.clusters)
    assert len(on_spark.pairs) == len(on_duckdb.pairs) > 0
    assert on_spark.model.to_dict()["comparisons"] == on_duckdb.model.to_dict()["comparisons"]
