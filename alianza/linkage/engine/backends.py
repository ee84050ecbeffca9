"""The SQL engines linkage runs on: DuckDB embedded (default) and Apache Spark (optional extra).

Spark is imported only when asked for, with a helpful error when the `spark` extra is missing.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, Literal

from alianza.linkage.engine.errors import EngineUnavailable

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[str, ...] = ("duckdb", "spark")


def make_db_api(engine: str, *, spark_session: Any = None) -> Any:
    """A Splink database API for `engine`."""
    if engine == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        connection = duckdb.connect(":memory:")
        # Leave room for Python and pandas; DuckDB spills to disk above its limit.
        connection.execute(f"SET memory_limit = '{os.environ.get('ALIANZA_DUCKDB_MEMORY', '3GB')}'")
        connection.execute("SET preserve_insertion_order = false")
        return DuckDBAPI(connection=connection)
    if engine == "spark":
        try:
            from splink import SparkAPI
        except ImportError:
            raise EngineUnavailable(
                "The Spark engine needs pyspark: install Alianza with the 'spark' extra "
                "(pip install 'alianza[spark]') and a Java 17 runtime."
            ) from None
        session = spark_session or spark_session_for_linkage()
        return SparkAPI(spark_session=session)
    raise EngineUnavailable(f"Unknown engine '{engine}'; choose one of: {', '.join(ENGINES)}.")


def spark_session_for_linkage(*, master: str = "local[*]") -> Any:
    """A Spark session with Splink's similarity-function JAR (Jaro–Winkler and friends)."""
    try:
        from pyspark.sql import SparkSession
        from splink.internals.spark.jar_location import similarity_jar_location
    except ImportError:
        raise EngineUnavailable(
            "The Spark engine needs pyspark: install Alianza with the 'spark' extra."
        ) from None
    try:
        builder: Any = SparkSession.builder
        session = (
            builder.master(master)
            .appName("alianza-linkage")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.default.parallelism", "8")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", os.environ.get("ALIANZA_SPARK_DRIVER_MEMORY", "4g"))
            .getOrCreate()
        )
    except Exception as exc:  # Spark reports a missing Java in many ways
        raise EngineUnavailable(
            f"Spark could not start ({type(exc).__name__}); check that Java 17 is installed."
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="alianza-spark-"))
    return session
