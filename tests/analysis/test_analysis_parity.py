"""KPIs and cohorts give the same numbers on DuckDB and Spark (seeded random tables)."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd
import pytest
from kpi_frames import AS_OF, assignments, commerce_frames

from segmint.analysis.cohorts import cohort_matrix
from segmint.analysis.kpi_inputs import KPIOptions
from segmint.analysis.kpis import segment_kpis
from segmint.engine import duckdb_backend


def _load(con, frames: dict[str, pd.DataFrame], prefix: str) -> dict:
    import ibis

    return {
        name: con.create_view(f"{prefix}_{name}", ibis.memtable(frame), overwrite=True)
        for name, frame in frames.items()
    }


def _assert_close(a, b, path="") -> None:
    """Equal structure; counts and money sums exact, float statistics to 1e-9 (summation order)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            _assert_close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), f"{path}: {a} != {b}"
    else:
        assert a == b, path


def _frames() -> dict[str, pd.DataFrame]:
    frames = commerce_frames(n_customers=60, seed=11)
    frames["events"] = pd.DataFrame(
        {
            "customer_id": [f"c{i % 60:03d}" for i in range(400)],
            "occurred_at": [
                pd.Timestamp(AS_OF) - pd.Timedelta(hours=7 * i + 3) for i in range(400)
            ],
            "event": ["login", "export", "share", "login"] * 100,
        }
    )
    frames["customers"] = pd.DataFrame(
        {
            "customer_id": [f"c{i:03d}" for i in range(60)],
            "created_at": [pd.Timestamp(AS_OF) - pd.Timedelta(days=2 * i + 20) for i in range(60)],
        }
    )
    return frames


def _kpis(con, prefix: str) -> dict:
    options = KPIOptions(window_days=60, conversion_goal="export", activation_event="share")
    population = assignments(60).assign(health_score=[float(i % 7) for i in range(60)])
    return segment_kpis(
        _load(con, _frames(), prefix), population, as_of=AS_OF, options=options, seed=5
    )


def test_kpis_use_every_definition_on_duckdb() -> None:
    result = _kpis(duckdb_backend(), "d0")
    gold = next(s for s in result["segments"] if s["segment"] == "gold")
    for name in ("conversion_rate", "activation_rate", "engagement_rate", "nrr", "health_score"):
        assert gold["kpis"][name]["value"] is not None, name


@pytest.mark.spark
def test_kpis_are_identical_on_duckdb_and_spark(spark_con) -> None:
    _assert_close(_kpis(duckdb_backend(), "d1"), _kpis(spark_con, "s1"))


@pytest.mark.spark
@pytest.mark.parametrize("by", ["month", "week"])
def test_cohorts_are_identical_on_duckdb_and_spark(spark_con, by: str) -> None:
    frames = _frames()
    as_of = datetime(2024, 6, 1)
    on_duckdb = cohort_matrix(_load(duckdb_backend(), frames, "d2"), as_of=as_of, by=by)
    on_spark = cohort_matrix(_load(spark_con, frames, "s2"), as_of=as_of, by=by)
    assert len(on_duckdb["cohorts"]) > 3
    _assert_close(on_duckdb, on_spark)
    subs = {"subscriptions": frames["subscriptions"]}
    _assert_close(
        cohort_matrix(_load(duckdb_backend(), subs, "d3"), as_of=as_of, by=by),
        cohort_matrix(_load(spark_con, subs, "s3"), as_of=as_of, by=by),
    )


def _snapshot_pair() -> tuple[pd.DataFrame, pd.DataFrame]:
    segments = ["gold", "silver", "bronze"]
    before = pd.DataFrame(
        {
            "customer_id": [f"c{i:03d}" for i in range(50)],
            "scheme": "tier",
            "segment": [segments[i % 3] for i in range(50)],
        }
    )
    after = pd.DataFrame(
        {
            "customer_id": [f"c{i:03d}" for i in range(10, 60)],
            "scheme": "tier",
            "segment": [segments[(i * 7) % 3] for i in range(10, 60)],
        }
    )
    return before, after


@pytest.mark.spark
def test_migration_and_changes_are_identical_on_duckdb_and_spark(spark_con) -> None:
    from segmint.analysis.changes import assignment_changes
    from segmint.analysis.migration import transition_counts, transition_matrix

    before, after = _snapshot_pair()
    results = []
    for con, prefix in ((duckdb_backend(), "d4"), (spark_con, "s4")):
        tables = _load(con, {"before": before, "after": after}, prefix)
        counts = con.execute(transition_counts(tables["before"], tables["after"]))
        matrix = transition_matrix(counts, before=["gold", "silver", "bronze"], after=["gold"])
        changes = con.execute(assignment_changes(tables["before"], tables["after"]))
        changes = changes.sort_values("customer_id", ignore_index=True).astype(object)
        results.append((matrix, changes.where(changes.notna(), None).values.tolist()))
    assert results[0] == results[1]
    assert sum(c["customers"] for c in results[0][0]) == 60
