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


KOREAN_EXCEL = (
    "sep=;\n고객번호;결제일;결제금액\nA1;2024.03.05;₩12,30\nA2;05/03/2024;1.234,50\n\n"
    "A3;2024년 3월 7일;(5,00)\nA4;2024-03-08;7,5\n"
)
MIXED_DATES = (
    "고객번호;결제일;결제금액\nA1;2024.03.05 오후 3:10;12300\nA2;2024-03-06;7\n\nA3;20240307;5\n"
    "A4;2024-03-08T01:00:00+09:00;1\nA5;2024-13-01;2\n"
)


@pytest.mark.spark
def test_spark_reader_follows_the_text_rules(tmp_path: Path, spark_con) -> None:
    """`sep=;`, Korean headers and dates, 오후, comma decimals, gzip: as the pandas reader reads."""
    import gzip

    from segmint.engine import spark_session
    from segmint.sources.spark_reader import read_transactions_spark

    for name, text in (("excel.csv.gz", KOREAN_EXCEL), ("dates.csv.gz", MIXED_DATES)):
        path = tmp_path / name
        path.write_bytes(gzip.compress(text.encode("utf-8")))
        expected = read_source(path)
        got = read_transactions_spark(spark_session(), path, scratch=tmp_path)
        try:
            loaded = got.loaded.toPandas().sort_values("_line", ignore_index=True)
        finally:
            got.release()
        assert got.stats == expected.stats
        assert got.rejected[["line", "column", "reason", "raw"]].values.tolist() == (
            expected.rejected[["line", "column", "reason", "raw"]].values.tolist()
        )
        assert loaded["_line"].tolist() == expected.loaded["_line"].tolist()
        assert (
            loaded["occurred_at"].astype(str) == expected.loaded["occurred_at"].astype(str)
        ).all()
        assert loaded["amount"].astype(float).tolist() == expected.loaded["amount"].tolist()
    assert expected.loaded["amount"].tolist() == [12300.0, 7.0, 5.0, 1.0]


@pytest.mark.spark
def test_spark_reader_refuses_an_ambiguous_amount_as_pandas_does(tmp_path: Path, spark_con) -> None:
    """The decimal-convention error is the pandas reader's, column named."""
    from segmint.engine import spark_session
    from segmint.sources.spark_reader import read_transactions_spark

    path = tmp_path / "a.csv"
    path.write_text(
        'customer_id,order_date,amount\nA1,2024-03-05,"12,300"\nA2,2024-03-06,"1.234,50"\n'
    )
    with pytest.raises(InputError) as expected:
        read_source(path)
    with pytest.raises(InputError, match=r"column 'amount': cannot tell whether '12,300'") as got:
        read_transactions_spark(spark_session(), path, scratch=tmp_path)
    assert str(got.value) == str(expected.value)


@pytest.mark.spark
def test_line_numbers_hold_across_partitions_and_runs(tmp_path: Path, spark_con) -> None:
    """A file split into many partitions gives the same lines and rejects as one partition."""
    from segmint.engine import spark_session
    from segmint.sources.spark_reader import read_transactions_spark

    path = write_export(tmp_path / "orders.csv")
    spark = spark_session()
    whole = read_transactions_spark(spark, path, scratch=tmp_path)
    key = "spark.sql.files.maxPartitionBytes"
    before = spark.conf.get(key)
    spark.conf.set(key, "16k")  # ~100 KB file: seven partitions
    try:
        split = read_transactions_spark(spark, path, scratch=tmp_path)
        assert split.loaded.rdd.getNumPartitions() > 3
        lines = split.loaded.select("_line", "customer_id").toPandas().sort_values("_line")
    finally:
        spark.conf.set(key, before)
    try:
        pd.testing.assert_frame_equal(split.rejected, whole.rejected)
        reference = read_source(path).loaded
        assert lines["_line"].tolist() == reference["_line"].tolist()
        assert lines["customer_id"].tolist() == reference["customer_id"].astype(str).tolist()
    finally:
        whole.release()
        split.release()
