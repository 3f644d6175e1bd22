"""`segmint analyze --engine spark` gives the DuckDB path's accounting, RFM scores and CLV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from segmint.analyze import analyze_file
from segmint.cli import _register_commands, app
from segmint.progress import Stage
from segmint.sources import read_source
from spark_exports import write_export

_register_commands()
runner = CliRunner()
ENGINE_VALUES = ("recency_days", "frequency", "monetary", "total_amount")
CLV_VALUES = ("p_alive", "expected_purchases_90d", "clv_365d")


@pytest.mark.spark
def test_spark_analyze_matches_duckdb(tmp_path: Path, spark_con) -> None:
    from segmint.engine import duckdb_backend, spark_session
    from segmint.segments.rfm import named_rfm_scores, rfm_table

    path = write_export(tmp_path / "orders.csv")
    stages: list[Stage] = []
    on_duckdb = analyze_file(path, out_dir=tmp_path / "duckdb")
    on_spark = analyze_file(path, out_dir=tmp_path / "spark", engine="spark",
                            on_step=stages.append)  # fmt: skip
    assert [s.key for s in stages] == ["spark", "read", "rfm", "clv", "write"]
    left, right = on_duckdb.summary, on_spark.summary
    assert right["engine"] == "spark"
    for key in ("rows_read", "rows_loaded", "rows_rejected", "customers", "amount_total",
                "first_date", "last_date", "as_of", "stats", "columns"):  # fmt: skip
        assert right[key] == left[key], key
    reasons = on_duckdb.rejected.groupby("reason").size()
    pd.testing.assert_series_equal(on_spark.rejected.groupby("reason").size(), reasons)
    assert (tmp_path / "spark" / "rejected.csv").read_text() == (
        tmp_path / "duckdb" / "rejected.csv"
    ).read_text()

    ours = on_spark.customers.set_index("customer_id")
    theirs = on_duckdb.customers.set_index("customer_id")
    assert list(ours.index) == list(theirs.index)
    for column in ENGINE_VALUES:
        pd.testing.assert_series_equal(ours[column].astype(float), theirs[column].astype(float))
    # Spark cuts at approximate quantiles (docs/spark.md): with Spark's cut points, DuckDB
    # gives exactly Spark's scores, so the cut points are the only difference.
    rows = read_source(path).loaded[["customer_id", "occurred_at", "amount"]]
    as_of = pd.Timestamp(left["as_of"]).to_pydatetime()
    # A temporary view, not create_table: that writes a managed table under ./spark-warehouse.
    spark_session().createDataFrame(rows).createOrReplaceTempView("parity_rows")
    spark_rows = spark_con.table("parity_rows")
    _, spark_cuts = named_rfm_scores(spark_rows, as_of=as_of)
    duck_rows = duckdb_backend().create_table("rows", rows)
    with_spark_cuts = rfm_table(duck_rows, as_of=as_of, cuts=spark_cuts).to_pandas()
    with_spark_cuts = with_spark_cuts.set_index("customer_id").loc[ours.index]
    for score in ("r_score", "f_score", "m_score", "rfm_score"):
        assert ours[score].astype(str).tolist() == with_spark_cuts[score].astype(str).tolist()
        assert (ours[score].astype(str) == theirs[score].astype(str)).mean() > 0.97
    assert ours["rfm_segment"].value_counts().sum() == len(ours)

    for column in CLV_VALUES:
        pd.testing.assert_series_equal(ours[column], theirs[column], rtol=1e-6)
    assert right["clv"]["model"] == left["clv"]["model"]


def test_unknown_engine_is_a_one_line_error(tmp_path: Path) -> None:
    path = write_export(tmp_path / "orders.csv", n=50)
    result = runner.invoke(
        app, ["analyze", str(path), "-o", str(tmp_path / "o"), "--engine", "polars"]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "unknown engine 'polars'; allowed: duckdb, spark" in result.output


@pytest.mark.spark
def test_spark_names_what_it_cannot_read(tmp_path: Path, spark_con) -> None:
    path = tmp_path / "lines.csv"
    path.write_text(
        "customer_id,order_date,amount,status\nC1,2024-01-02,10.00,paid\nC2,2024-01-03,5.00,refund\n"
    )
    result = runner.invoke(
        app, ["analyze", str(path), "-o", str(tmp_path / "o"), "--engine", "spark"]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "the spark engine does not read 'status' (status) yet" in result.output
