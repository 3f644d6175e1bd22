"""customers.csv written by DuckDB's COPY is byte for byte what safe_output.write_csv writes."""

from __future__ import annotations

import datetime
import logging

import numpy as np
import pandas as pd
import pytest

from segmint.engine_csv import write_csv_in_engine
from segmint.safe_output import write_csv

TRICKY_TEXT = [
    "=SUM(A1:A9)", "+1-2", "-cmd|' /C calc'!A0", "@SUM(1)", "\t=1", "\t", "-12.5", "+3", "1e5",
    "-٣٤", "-12\n", "plain", "", None, " lead", "trail ", 'q"uote', "com,ma", "new\nline",
    "é한글", "=", "-", "@", "'=already",
]  # fmt: skip


def _tricky_frame() -> pd.DataFrame:
    n = len(TRICKY_TEXT)
    rng = np.random.default_rng(4)
    floats = [0.1, 1e-05, 2.0, 1e16, 1.2345678901234568e17, -0.0, np.inf, np.nan, 1 / 3, 36.83]
    return pd.DataFrame(
        {
            "customer_id": pd.Series(TRICKY_TEXT, dtype="string"),
            "=formula header": TRICKY_TEXT,
            "amount": (floats * 3)[:n],
            "count": np.arange(n),
            "flag": [True, False] * (n // 2),
            "day": [datetime.date(2024, 1, 2), None] * (n // 2),
            "segment": pd.Categorical(["Champions", "-risky", "@At Risk"] * (n // 3)),
            "maybe": pd.array([1, None] * (n // 2), dtype="Int64"),
            "noise": rng.lognormal(3, 1, n).round(2),
        }
    )


def test_engine_csv_equals_pandas_csv_with_formula_cells(tmp_path, caplog):
    frame = _tricky_frame()
    write_csv(frame, tmp_path / "pandas.csv")
    with caplog.at_level(logging.DEBUG, logger="segmint.output"):
        write_csv_in_engine(frame, tmp_path / "engine.csv")
    assert "written with pandas" not in caplog.text  # the engine wrote it
    expected = (tmp_path / "pandas.csv").read_bytes()
    assert (tmp_path / "engine.csv").read_bytes() == expected
    # the rule bit: formulas are prefixed, genuine numbers are not
    assert b"'=SUM(A1:A9)" in expected and b"'@SUM(1)" in expected and b",-12.5," in expected


def test_engine_csv_on_many_rows_keeps_the_row_order(tmp_path):
    rng = np.random.default_rng(9)
    n = 300_000
    frame = pd.DataFrame(
        {
            "customer_id": [f"={k}" if k % 7 == 0 else f"C{k:07d}" for k in rng.permutation(n)],
            "monetary": rng.lognormal(3, 1, n).round(2),
            "frequency": rng.integers(1, 50, n),
        }
    )
    write_csv(frame, tmp_path / "pandas.csv")
    write_csv_in_engine(frame, tmp_path / "engine.csv")
    assert (tmp_path / "engine.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(["ok", "carriage\rreturn"]),
        pd.Series([pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02")]),
        pd.Series(["text", 3]),
        pd.Series([1.5, 2.25], dtype="float32"),
    ],
    ids=["carriage-return", "timestamps", "mixed-objects", "float32"],
)
def test_frames_duckdb_prints_differently_are_written_by_pandas(tmp_path, caplog, column):
    frame = pd.DataFrame({"customer_id": ["=a", "b"], "value": column})
    write_csv(frame, tmp_path / "pandas.csv")
    with caplog.at_level(logging.DEBUG, logger="segmint.output"):
        write_csv_in_engine(frame, tmp_path / "engine.csv")
    assert "written with pandas" in caplog.text
    assert (tmp_path / "engine.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_engine_csv_of_an_empty_frame_is_its_header(tmp_path):
    frame = _tricky_frame().head(0)
    write_csv(frame, tmp_path / "pandas.csv")
    write_csv_in_engine(frame, tmp_path / "engine.csv")
    assert (tmp_path / "engine.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_analyze_writes_customers_and_rejects_as_pandas_would(tmp_path):
    from segmint.analyze import analyze_file
    from segmint.contract import REJECTED_COLUMNS

    rng = np.random.default_rng(2)
    ids = ["=HYPERLINK(1)", "+4477", "-cmd", "@risk", "plain", "-12"]
    lines = ["customer_id,order_date,amount"]
    for k in range(120):
        day = datetime.date(2023, 1, 1) + datetime.timedelta(days=int(rng.integers(0, 360)))
        lines.append(f"{ids[k % len(ids)]},{day},{rng.integers(5, 90)}.50")
    lines += ["=bad,not a date,3.00", "@x,2023-05-01,=1+1"]
    source = tmp_path / "orders.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = analyze_file(source, out_dir=tmp_path / "out", as_of="2024-01-01", with_clv=False)
    write_csv(result.customers, tmp_path / "customers.csv")
    rejected = result.rejected.reindex(columns=list(REJECTED_COLUMNS)).drop(columns=["file"])
    write_csv(rejected, tmp_path / "rejected.csv")
    written = result.files["customers"].read_bytes()
    assert written == (tmp_path / "customers.csv").read_bytes()
    assert result.files["rejected"].read_bytes() == (tmp_path / "rejected.csv").read_bytes()
    assert b"'=HYPERLINK(1)" in written and b"'@risk" in written and b"\n-12," in written
    assert b"'=1+1" in result.files["rejected"].read_bytes()
