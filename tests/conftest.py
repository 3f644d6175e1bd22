"""Shared fixtures: real data from ../shared/data, and Ibis backends (DuckDB and PySpark)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SEGMINT_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder with the real public data sets; tests using it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def spark_con():
    """An Ibis PySpark backend on a local[2] session, started once per test session."""
    from segmint.engine import spark_backend

    return spark_backend()


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine_con(request):
    """The same test on each engine: an in-memory DuckDB backend or the shared Spark backend."""
    if request.param == "duckdb":
        from segmint.engine import duckdb_backend

        return duckdb_backend()
    return request.getfixturevalue("spark_con")
