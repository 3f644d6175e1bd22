"""A workspace with `engine: spark` ingests its transactions files on Spark: same rows, same rejects."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from segmint.config import load_config
from segmint.store import open_store
from segmint.workspace.ingest import ingest_workspace
from spark_exports import write_export


def _ingest(root: Path, engine: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    (root / "segmint.yaml").write_text(
        f"engine: {engine}\nsources:\n  - {{name: orders, table: transactions, path: orders.csv}}\n"
    )
    config = load_config(root)
    with open_store(root / config.database) as store:
        summary = ingest_workspace(root, config, store)
        rows = store.frame("SELECT * FROM raw_orders ORDER BY _line")
        rejected = store.rejected("orders")
    return rows, rejected, summary.to_dict()


@pytest.mark.spark
def test_spark_ingest_matches_duckdb_ingest(tmp_path: Path, spark_con) -> None:
    for engine in ("duckdb", "spark"):
        (tmp_path / engine).mkdir()
        write_export(tmp_path / engine / "orders.csv", n=800)
    rows_d, rejected_d, summary_d = _ingest(tmp_path / "duckdb", "duckdb")
    rows_s, rejected_s, summary_s = _ingest(tmp_path / "spark", "spark")
    assert summary_s["sources"][0]["rows_read"] == summary_d["sources"][0]["rows_read"]
    assert summary_s["sources"][0]["rows_rejected"] == summary_d["sources"][0]["rows_rejected"] > 80
    assert summary_s["sources"][0]["stats"] == summary_d["sources"][0]["stats"]
    pd.testing.assert_frame_equal(rows_s, rows_d)
    columns = ["line", "column", "reason", "raw"]
    pd.testing.assert_frame_equal(rejected_s[columns], rejected_d[columns])
