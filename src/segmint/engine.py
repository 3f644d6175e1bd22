"""Backend choice (duckdb | spark) and the few engine-specific bits.

Everything else in segmint works on Ibis expressions and never names an engine.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend

ENGINES = ("duckdb", "spark")


def trimmed(text: Any) -> Any:
    """Return an Ibis string expression without leading and trailing whitespace, on any engine.

    Ibis' `.strip()` compiles on Spark to TRIM(' \\t\\n\\r\\v\\f' FROM x), and Spark reads
    the unknown escapes \\v and \\f as the letters v and f: 'filters' became 'ilters'.
    """
    return text.re_replace(r"^\s+|\s+$", "")


def check_engine(engine: str) -> str:
    """Return the engine name or raise ValueError listing the allowed engines."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")
    return engine


def duckdb_backend(path: str | Path | None = None, *, read_only: bool = False) -> BaseBackend:
    """Return an Ibis DuckDB backend on a file (or in memory) with the session time zone UTC."""
    database = str(path) if path is not None else ":memory:"
    con = ibis.duckdb.connect(database=database, read_only=read_only)
    con.raw_sql("SET TimeZone = 'UTC'")
    return con


_SPARK_SESSION: Any = None


def spark_session() -> Any:
    """Return a shared local PySpark session configured for parity with DuckDB (UTC, no ANSI surprises)."""
    global _SPARK_SESSION
    if _SPARK_SESSION is None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:  # pragma: no cover - depends on the install
            from segmint.errors import ConfigError

            raise ConfigError(
                "engine: spark needs PySpark; install it with: pip install 'segmint[spark]'"
            ) from exc
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        master = os.environ.get("SEGMINT_SPARK_MASTER", "local[2]")
        _SPARK_SESSION = (
            SparkSession.builder.master(master)
            .appName("segmint")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", os.environ.get("SEGMINT_SPARK_DRIVER_MEMORY", "4g"))
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
        _SPARK_SESSION.sparkContext.setLogLevel("ERROR")
    return _SPARK_SESSION


def spark_backend() -> BaseBackend:
    """Return an Ibis PySpark backend on the shared local session."""
    return ibis.pyspark.connect(spark_session())


def backend_for(engine: str, path: str | Path | None = None) -> BaseBackend:
    """Return the Ibis backend for an engine name ('duckdb' uses `path`, 'spark' ignores it)."""
    check_engine(engine)
    if engine == "spark":
        return spark_backend()
    return duckdb_backend(path)
