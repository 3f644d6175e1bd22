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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With SEGMINT_NO_SKIPS=1 (set by .ci/run) a skipped test fails the run.

    Tests skip where ../shared/data or PostgreSQL is missing; on CI both must be there, so a
    skip there means a missing install step, not an optional test.
    """
    if os.environ.get("SEGMINT_NO_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped:
        reasons = sorted({str(report.longrepr[-1]) for report in skipped if report.longrepr})
        print(f"\nSEGMINT_NO_SKIPS=1 but {len(skipped)} test(s) skipped: {'; '.join(reasons)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
