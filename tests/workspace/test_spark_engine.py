"""`engine: spark` runs the same workspace pipeline on PySpark and gives the same customers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from segmint.config import load_config
from segmint.store import open_store
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.init import init_workspace
from segmint.workspace.run import run_workspace

# Model outputs are compared separately; these are computed by the engine.
ENGINE_COLUMNS = (
    "recency_days", "frequency", "total_amount", "orders_90d", "revenue_365d", "mrr",
    "mrr_change_90d", "active_days_30d", "events_30d", "usage_trend", "features_adopted",
    "tickets_90d", "open_tickets", "csat_mean", "r_score", "f_score", "m_score",
)  # fmt: skip


@pytest.mark.spark
def test_spark_engine_matches_duckdb(tmp_path: Path, spark_con) -> None:
    init_workspace(tmp_path, example="saas", n_accounts=120, seed=5)
    config = load_config(tmp_path).model_copy(
        update={"churn": load_config(tmp_path).churn.model_copy(update={"enabled": False})}
    )
    with open_store(tmp_path / config.database) as store:
        ingest_workspace(tmp_path, config, store)
        on_duckdb = run_workspace(tmp_path, config, store, write_report=False)
        spark_config = config.model_copy(update={"engine": "spark"})
        on_spark = run_workspace(tmp_path, spark_config, store, write_report=False)
    left = on_duckdb.customers.set_index("customer_id").sort_index()
    right = on_spark.customers.set_index("customer_id").sort_index()
    assert list(left.index) == list(right.index)
    for column in ENGINE_COLUMNS:
        pd.testing.assert_series_equal(
            left[column].astype(float), right[column].astype(float), check_exact=False, rtol=1e-9
        )
    # Same scheme assignments: rules read the same features.
    seg_l = on_duckdb.segments.sort_values(["scheme", "customer_id"]).reset_index(drop=True)
    seg_r = on_spark.segments.sort_values(["scheme", "customer_id"]).reset_index(drop=True)
    pd.testing.assert_series_equal(seg_l["segment"], seg_r["segment"])
