"""The DuckDB Parquet reader gives exactly what the pandas reader gives, or hands the file back."""

from __future__ import annotations

import decimal
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from segmint.sources import ReadOptions, read_source, readers
from segmint.sources.engine_parquet import read_parquet_in_engine

SEOUL = "Asia/Seoul"


def _pandas_result(path: Path, options: ReadOptions | None = None) -> readers.IngestResult:
    """The reference: the pandas reader on the whole file."""
    return readers._from_frame(
        readers._read_parquet(path),
        table="transactions",
        options=options or ReadOptions(),
        source=str(path),
        content_hash="x",
    )


def _engine_result(path: Path, options: ReadOptions | None = None) -> readers.IngestResult | None:
    return read_parquet_in_engine(
        path, table="transactions", options=options or ReadOptions(), source=str(path),
        content_hash="x",
    )  # fmt: skip


def _assert_same(engine: readers.IngestResult, reference: readers.IngestResult) -> None:
    pd.testing.assert_frame_equal(engine.loaded, reference.loaded)
    expected = reference.rejected.reset_index(drop=True)
    pd.testing.assert_frame_equal(
        engine.rejected.astype({"column": object, "reason": object}),
        expected.astype({"column": object, "reason": object}),
    )
    assert engine.rows_read == reference.rows_read
    assert engine.column_map == reference.column_map
    assert engine.stats == reference.stats
    assert list(engine.stats) == list(reference.stats)


def _write(tmp_path: Path, name: str, table: pa.Table) -> Path:
    path = tmp_path / name
    pq.write_table(table, path)
    return path


def _seoul(*args: int) -> pd.Timestamp:
    return pd.Timestamp(datetime(*args)).tz_localize(SEOUL)


CASES = {
    "int ids, utc stamps, float amounts": pa.table(
        {
            "customer_id": [3, 1, 2, 1, 3],
            "order_date": pa.array(
                [datetime(2024, 1, d, 10, 30, tzinfo=UTC) for d in (1, 2, 3, 4, 5)],
                pa.timestamp("us", tz="UTC"),
            ),
            "amount": [12.5, -3.0, 0.0, 7.125, 19.999],
        }
    ),
    "defects: nulls, NaN, inf, too large, int ids with nulls": pa.table(
        {
            "customer_id": pa.array([1, None, 2, 3, 4, 5, 6], pa.int64()),
            "order_date": pa.array(
                [
                    datetime(2024, 2, 1),
                    datetime(2024, 2, 2),
                    None,
                    datetime(2024, 2, 4),
                    datetime(2024, 2, 5),
                    datetime(2024, 2, 6),
                    datetime(2024, 2, 7),
                ],
                pa.timestamp("ns"),
            ),  # fmt: skip
            "amount": [1.0, 2.0, 3.0, float("nan"), float("inf"), 2e13, None],
            "note": ["a", None, "b,c", "", "d", "e", "f"],
        }
    ),
    "text ids: padding, float suffix, null tokens; date32; decimal amounts": pa.table(
        {
            "Customer ID": pa.array(
                ["  C-1 ", "12346.0", "NA", "n/a", None, "김철수", "  ", "00123", "-"]
            ),
            "Invoice Date": pa.array([date(2023, 12, 31)] * 8 + [date(2024, 1, 1)], pa.date32()),
            "Total": pa.array(
                [
                    decimal.Decimal(v)
                    for v in ("10.10", "-5.55", "0.00", "1.005", "3", "4.40", "5", "6", "7")
                ],
                pa.decimal128(12, 3),
            ),  # fmt: skip
        }
    ),
    "seoul stamps, integer amounts, transaction ids": pa.table(
        {
            "transaction_id": ["T1", "T2", "T3", "T 4", None],
            "customer_id": ["a", "b", "a", "c", "b"],
            "created_at": pa.array(
                [_seoul(2024, 3, d, 8, 0) for d in (1, 2, 3, 4, 5)],
                pa.timestamp("ms", tz=SEOUL),
            ),
            "amount": pa.array([100, -20, 0, 5, None], pa.int32()),
            "currency_note": ["x", "y", "z", "w", "v"],
        }
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_engine_matches_the_pandas_reader(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, "export.parquet", CASES[name])
    engine = _engine_result(path)
    assert engine is not None, "this file should be read in the engine"
    _assert_same(engine, _pandas_result(path))


def test_defects_are_rejected_at_their_row_with_reasons(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "export.parquet", CASES["defects: nulls, NaN, inf, too large, int ids with nulls"]
    )
    result = _engine_result(path)
    assert result is not None
    assert result.rejected[["line", "reason"]].to_dict("records") == [
        {"line": 2, "reason": "missing customer id"},
        {"line": 3, "reason": "missing date"},
        {"line": 4, "reason": "missing amount"},
        {"line": 5, "reason": "amount out of range (must be finite and below 10,000,000,000,000)"},
        {"line": 6, "reason": "amount out of range (must be finite and below 10,000,000,000,000)"},
        {"line": 7, "reason": "missing amount"},
    ]
    # The raw text is the pandas reader's: an integer column with a null reads as float.
    assert result.rejected["raw"].iloc[0] == ",2024-02-02 00:00:00,2.0,"
    assert result.loaded["_line"].tolist() == [1]
    assert result.rows_read == len(result.loaded) + len(result.rejected)


def test_shuffled_rows_load_the_same_rows(tmp_path: Path) -> None:
    """Same rows in another order: the same rows load, each with its own line."""
    rng = np.random.default_rng(7)
    n = 5000
    table = pa.table(
        {
            "customer_id": rng.integers(0, 300, n),
            "order_date": pa.array(
                pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 500, n), unit="D"),
                pa.timestamp("us"),
            ),
            "amount": np.round(rng.gamma(2.0, 30.0, n), 2),
        }
    )
    first = _engine_result(_write(tmp_path, "a.parquet", table))
    order = rng.permutation(n)
    second = _engine_result(_write(tmp_path, "b.parquet", table.take(order)))
    assert first is not None and second is not None
    ours = second.loaded.assign(_line=order[second.loaded["_line"].to_numpy() - 1] + 1)
    ours = ours.sort_values("_line", ignore_index=True)
    pd.testing.assert_frame_equal(ours, first.loaded)
    assert second.stats == first.stats


@pytest.mark.parametrize(
    "name, column",
    [
        ("text dates", pa.array(["2024-01-01", "2024-01-02"])),
        ("a product column", None),
        ("a control character in an id", pa.array(["a\x00", "b"])),
        ("a no-break space around an id", pa.array(["a\u00a0", " \u3000b"])),
    ],
)
def test_other_files_go_to_the_pandas_reader(tmp_path: Path, name: str, column: object) -> None:
    table = pa.table(
        {
            "customer_id": ["a", "b"],
            "order_date": pa.array([datetime(2024, 1, 1), datetime(2024, 1, 2)]),
            "amount": [1.5, 2.5],
        }
    )
    if name == "text dates":
        table = table.set_column(1, "order_date", column)
    elif name == "a product column":
        table = table.append_column("product", pa.array(["tea", "cake"]))
    else:
        table = table.set_column(0, "customer_id", column)
    path = _write(tmp_path, "export.parquet", table)
    assert _engine_result(path) is None
    via_read_source = read_source(path)
    reference = _pandas_result(path)
    pd.testing.assert_frame_equal(via_read_source.loaded, reference.loaded)
    assert via_read_source.stats == reference.stats


def test_read_source_takes_the_engine_path(tmp_path: Path) -> None:
    path = _write(tmp_path, "export.parquet", CASES["int ids, utc stamps, float amounts"])
    result = read_source(path)
    engine = _engine_result(path)
    assert engine is not None
    pd.testing.assert_frame_equal(result.loaded, engine.loaded)
    assert len(result.content_hash) == 64


def test_column_overrides_apply(tmp_path: Path) -> None:
    table = pa.table(
        {
            "buyer": ["a", "b", "a"],
            "shopper": ["x", "y", "z"],
            "paid_on": pa.array([datetime(2024, 1, d) for d in (1, 2, 3)]),
            "value": [1.25, 2.5, -1.0],
        }
    )
    path = _write(tmp_path, "export.parquet", table)
    options = ReadOptions(columns={"customer_id": "shopper", "occurred_at": "paid_on",
                                   "amount": "value"})  # fmt: skip
    engine = _engine_result(path, options)
    assert engine is not None
    assert engine.loaded["customer_id"].tolist() == ["x", "y", "z"]
    _assert_same(engine, _pandas_result(path, options))
