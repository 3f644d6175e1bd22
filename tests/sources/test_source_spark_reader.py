"""The Spark reader gives the pandas reader's accounting: rows, rejects (line, column, reason, raw),
stats and loaded values, on an export full of defects (CSV, CP949 CSV, text Parquet)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from segmint.errors import InputError
from segmint.sources import read_source
from segmint.sources.spark_parse import java_date_pattern
from spark_exports import defect_lines, write_export


def _export(tmp_path: Path, kind: str) -> Path:
    if kind == "csv":
        return write_export(tmp_path / "orders.csv")
    if kind == "cp949":
        return write_export(tmp_path / "orders.csv", encoding="cp949", prefix="고객")
    # Parquet with text columns: every value parsed as text, like a CSV, line = row number.
    lines = [line for line in defect_lines() if line and '"' not in line]
    rows = [line.split(",") for line in lines[1:]]
    rows = [row for row in rows if len(row) == 4]
    frame = pd.DataFrame(rows, columns=lines[0].split(",")).replace({"": None})
    path = tmp_path / "orders.parquet"
    frame.to_parquet(path, index=False)
    return path


@pytest.mark.spark
@pytest.mark.parametrize("kind", ["csv", "cp949", "parquet"])
def test_spark_reader_matches_the_pandas_reader(tmp_path: Path, spark_con, kind: str) -> None:
    from segmint.engine import spark_session
    from segmint.sources.spark_reader import read_transactions_spark

    path = _export(tmp_path, kind)
    expected = read_source(path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    got = read_transactions_spark(spark_session(), path, scratch=scratch)
    try:
        assert (got.rows_read, got.rows_loaded, len(got.rejected)) == (
            expected.rows_read, len(expected.loaded), len(expected.rejected),
        )  # fmt: skip
        assert len(expected.rejected) > 300  # the defects are there to be rejected
        want = expected.rejected.reset_index(drop=True)
        pd.testing.assert_frame_equal(got.rejected.reset_index(drop=True), want, check_dtype=False)
        assert got.stats == expected.stats
        assert got.column_map == expected.column_map
        assert got.encoding == expected.encoding
        loaded = got.loaded.toPandas().sort_values("_line", ignore_index=True)
        reference = expected.loaded.sort_values("_line", ignore_index=True)
        assert loaded["_line"].tolist() == reference["_line"].tolist()
        assert loaded["customer_id"].tolist() == reference["customer_id"].astype(str).tolist()
        assert (
            pd.to_datetime(loaded["occurred_at"]).to_numpy()
            == pd.to_datetime(reference["occurred_at"]).to_numpy()
        ).all()
        assert loaded["amount"].astype(float).tolist() == reference["amount"].tolist()
        assert loaded["is_refund"].tolist() == reference["is_refund"].tolist()
    finally:
        got.release()
    if kind == "cp949":
        assert not list(scratch.iterdir()) or (scratch / "transcoded.csv").is_file()


def test_date_formats_translate_to_spark_patterns() -> None:
    assert java_date_pattern("%d/%m/%Y %H:%M") == "dd/MM/yyyy HH:mm"
    assert java_date_pattern("%Y년 %m월 %d일") == "yyyy'년 'MM'월 'dd'일'"
    with pytest.raises(InputError, match="%j is not supported by the spark engine"):
        java_date_pattern("%Y-%j")
