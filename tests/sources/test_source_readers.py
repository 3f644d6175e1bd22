"""Readers end to end: refunds, line items, tables, Parquet, DuckDB, PostgreSQL, flat tables, quality."""

from __future__ import annotations

import csv
import io
import os
import uuid

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segmint.errors import InputError
from segmint.sources import (
    IngestResult,
    ReadOptions,
    quality_report,
    read_database_table,
    read_source,
    read_table,
)

LINE_ITEMS = (
    "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
    "1001,A,Mug,2,2024-01-05 10:00:00,3.25,12346.0,UK\n"  # 6.50
    "1001,B,Tray,1,2024-01-05 10:00:00,10,12346.0,UK\n"  # 10.00
    "C1002,A,Mug,-1,2024-01-06 09:00:00,3.25,12346.0,UK\n"  # cancellation: -3.25
    "1003,C,Gift,3,2024-01-07 09:00:00,0,12347.0,UK\n"  # free: 0
    "1004,A,Mug,1,2024-01-08 09:00:00,3.25,,UK\n"  # no customer
    "C1005,A,Mug,1,2024-01-09 09:00:00,3.25,12347,UK\n"  # C-invoice with positive qty
)


def test_line_items_amount_refunds_and_stats(write_file):
    result = read_source(write_file("retail.csv", LINE_ITEMS))
    loaded = result.loaded
    assert result.rows_read == 6 and len(loaded) == 5 and len(result.rejected) == 1
    assert loaded["customer_id"].tolist() == ["12346", "12346", "12346", "12347", "12347"]
    assert loaded["amount"].tolist() == [6.5, 10.0, -3.25, 0.0, -3.25]
    assert loaded["is_refund"].tolist() == [False, False, True, False, True]
    assert loaded["invoice_id"].tolist()[2] == "C1002"
    assert result.rejected.iloc[0].to_dict() == {
        "file": result.source,
        "line": 6,
        "column": "Customer ID",
        "reason": "missing customer id",
        "raw": "1004,A,Mug,1,2024-01-08 09:00:00,3.25,,UK",
    }
    stats = result.stats
    assert stats["refunds"] == 2 and stats["cancellations"] == 2
    assert stats["refund_amount"] == "-6.50"
    assert stats["zero_amount"] == 1
    assert stats["invoices"] == 4 and stats["line_items"] == 5
    assert stats["amount_from"] == "Quantity × Price"


def test_line_item_options_name_the_columns(write_file):
    text = "cust,when,n,each,ord\na,2024-01-01,3,1.10,X1\nb,2024-01-02,2,2.50,R9\n"
    options = ReadOptions(
        columns={"customer_id": "cust", "occurred_at": "when"},
        quantity_col="n",
        price_col="each",
        invoice_col="ord",
        cancel_prefix="R",
    )
    result = read_source(write_file("li.csv", text), options=options)
    assert result.loaded["amount"].tolist() == [3.3, -5.0]
    assert result.loaded["is_refund"].tolist() == [False, True]
    assert result.column_map["invoice_id"] == "ord"


def test_negative_amount_and_refund_status_are_refunds(write_file):
    text = "customer_id,date,amount,status\na,2024-01-01,(12.00),paid\nb,2024-01-02,5,Refunded\nc,2024-01-03,7,paid\n"
    result = read_source(write_file("r.csv", text))
    assert result.loaded["amount"].tolist() == [-12.0, -5.0, 7.0]
    assert result.loaded["is_refund"].tolist() == [True, True, False]
    assert result.stats["refunds"] == 2


def test_customers_keep_extra_columns_in_snake_case(write_file):
    text = (
        "Customer ID,Signup Date,Industry,Employees,MonthlyCharges,Zip Code,Churn\n"
        '7590-VHVEG,2024-01-01,retail,"1,200",29.85,01234,Yes\n'
        "5575-GNVDE,,saas,40,56.95,90210,No\n"
        ",2024-01-03,saas,3,1,00001,No\n"
    )
    result = read_source(write_file("c.csv", text), table="customers")
    loaded = result.loaded
    assert list(loaded.columns) == [
        "customer_id", "created_at", "industry", "employees",
        "monthly_charges", "zip_code", "churn", "_line",
    ]  # fmt: skip
    assert loaded["employees"].tolist() == [1200.0, 40.0]
    assert loaded["monthly_charges"].tolist() == [29.85, 56.95]
    assert loaded["zip_code"].tolist() == ["01234", "90210"]
    assert pd.isna(loaded["created_at"].iloc[1])
    assert result.rejected["reason"].tolist() == ["missing customer id"]


def test_events_and_subscriptions_tables(write_file):
    events = write_file(
        "e.csv", "account_id,user_id,event,timestamp\nacme,u1,login,2024-01-01T08:00:00Z\n"
    )
    loaded = read_source(events, table="events").loaded
    assert loaded[["customer_id", "user_id", "event"]].iloc[0].tolist() == ["acme", "u1", "login"]
    subs = write_file("s.csv", 'account_id,start_date,end_date,mrr\nacme,2024-01-01,,"₩1,000"\n')
    loaded = read_source(subs, table="subscriptions").loaded
    assert loaded["mrr"].tolist() == [1000.0]
    assert pd.isna(loaded["ended_at"].iloc[0])


def test_unknown_table_and_file_type(write_file):
    path = write_file("x.csv", "customer_id,date,amount\n")
    with pytest.raises(ValueError, match="allowed: customers, transactions"):
        read_source(path, table="orders")
    with pytest.raises(InputError, match="unsupported file type"):
        read_source(write_file("x.xlsx", "nope"))
    with pytest.raises(InputError, match="file not found"):
        read_source(path.with_name("missing.csv"))


# --- the row-count invariant -----------------------------------------------------------------

_valid_row = st.tuples(
    st.sampled_from(["a", "b", " c ", "12346.0", "고객1"]),
    st.sampled_from(["2024-01-05", "2024-02-29 13:00:00", "2023-12-31T23:59:59Z"]),
    st.sampled_from(["1", "12,300", "(5.00)", "₩1,000", "0", "-3.5"]),
)
_invalid_row = st.one_of(
    st.tuples(st.just(""), st.just("2024-01-01"), st.just("1")),  # missing id
    st.tuples(st.just("a"), st.sampled_from(["later", "2024-13-45"]), st.just("1")),
    st.tuples(st.just("a"), st.just("2024-01-01"), st.sampled_from(["lots", "1,2,3"])),
    st.tuples(st.just("a"), st.just("2024-01-01")),  # too few fields
    st.tuples(st.just("a"), st.just("2024-01-01"), st.just("1"), st.just("x")),  # too many
    st.tuples(st.just("a"), st.just("2024-01-01"), st.just("1\n2")),  # multi-line amount
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.booleans(), _valid_row, _invalid_row), max_size=25))
def test_rows_read_equals_loaded_plus_rejected(tmp_path, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["customer_id", "date", "amount"])
    expected_valid = 0
    for use_valid, valid, invalid in rows:
        writer.writerow(valid if use_valid else invalid)
        expected_valid += use_valid
    path = tmp_path / f"{uuid.uuid4().hex}.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    result = read_source(path)
    assert result.rows_read == len(rows)
    assert result.rows_read == len(result.loaded) + len(result.rejected)
    assert len(result.loaded) == expected_valid
    lines = sorted([*result.loaded["_line"].tolist(), *result.rejected["line"].tolist()])
    assert len(set(lines)) == len(lines)
    assert all(line >= 2 for line in lines)


def test_ingest_result_refuses_broken_accounting():
    with pytest.raises(AssertionError, match="rows read"):
        IngestResult("transactions", "x", "h", 3, pd.DataFrame({"a": [1]}), pd.DataFrame())


# --- Parquet and database tables ----------------------------------------------------------------


def _orders_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "CustomerID": [12346.0, 12347.0, np.nan],
            "OrderDate": pd.to_datetime(
                ["2024-01-05 10:00", "2024-01-06 00:00", "2024-01-07 00:00"]
            ),
            "Revenue": [10.5, -2.0, 3.0],
            "Channel": ["web", "shop", "web"],
        }
    )


def test_parquet(tmp_path):
    path = tmp_path / "orders.parquet"
    _orders_frame().to_parquet(path)
    result = read_source(path)
    assert result.loaded["customer_id"].tolist() == ["12346", "12347"]
    assert result.loaded["_line"].tolist() == [1, 2]
    assert result.loaded["is_refund"].tolist() == [False, True]
    assert result.rejected["line"].tolist() == [3]
    assert result.encoding is None


def test_duckdb_table(tmp_path):
    path = tmp_path / "shop.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE orders (customer VARCHAR, ordered_at TIMESTAMPTZ, total DECIMAL(10,2))"
        )
        con.execute(
            "INSERT INTO orders VALUES ('a', '2024-01-05 10:00:00+09', 12.30), "
            "('b', NULL, 5), (NULL, '2024-01-06', 1)"
        )
    result = read_database_table(path, "orders", table="transactions")
    assert result.rows_read == 3
    assert result.loaded["customer_id"].tolist() == ["a"]
    assert result.loaded["occurred_at"].tolist() == [pd.Timestamp("2024-01-05 01:00:00")]
    assert result.loaded["amount"].tolist() == [12.3]
    assert result.rejected["line"].tolist() == [2, 3]
    assert result.rejected["reason"].tolist() == ["missing date", "missing customer id"]
    assert result.source.endswith("shop.duckdb#orders")
    again = read_database_table(path, "orders", table="transactions")
    assert again.content_hash == result.content_hash
    with pytest.raises(InputError, match="cannot read table 'nope'"):
        read_database_table(path, "nope", table="transactions")


@pytest.mark.postgres
def test_postgres_table():
    url = os.environ.get("SEGMINT_TEST_PG_URL")
    if not url:
        pytest.skip("SEGMINT_TEST_PG_URL not set")
    import ibis

    name = f"orders_{uuid.uuid4().hex[:8]}"
    con = ibis.connect(url)
    try:
        con.raw_sql(
            f"CREATE TABLE {name} (member_id BIGINT, paid_at TIMESTAMPTZ, amount NUMERIC(12,2), "
            "order_id TEXT)"
        )
        con.raw_sql(
            f"INSERT INTO {name} VALUES (101, '2024-03-15 13:45:00+00', 1234.50, 'A1'), "
            "(102, '2024-03-16 00:00:00+09', -20, 'C2'), (NULL, '2024-03-17', 3, 'A3')"
        )
        result = read_database_table(url, name, table="transactions")
    finally:
        con.raw_sql(f"DROP TABLE IF EXISTS {name}")
        con.disconnect()
    assert result.rows_read == 3
    assert result.loaded["customer_id"].tolist() == ["101", "102"]
    assert result.loaded["occurred_at"].tolist() == [
        pd.Timestamp("2024-03-15 13:45:00"),
        pd.Timestamp("2024-03-15 15:00:00"),
    ]
    assert result.loaded["amount"].tolist() == [1234.5, -20.0]
    assert result.loaded["is_refund"].tolist() == [False, True]
    assert result.rejected["line"].tolist() == [3]


# --- flat tables --------------------------------------------------------------------------------


def test_read_table_types_numeric_text_and_keeps_headers(write_file):
    text = (
        "고객번호;가입일;월요금;총결제;비고;우편번호\n"
        "A1;2024-01-01;￦12,300;1,234;VIP;01234\n"
        "A2;2024-01-02;9900;;;90210\n"
    )
    frame = read_table(write_file("t.csv", text, "cp949"))
    assert list(frame.columns) == ["고객번호", "가입일", "월요금", "총결제", "비고", "우편번호"]
    assert frame["월요금"].tolist() == [12300.0, 9900.0]
    assert frame["총결제"].iloc[0] == 1234.0 and pd.isna(frame["총결제"].iloc[1])
    assert frame["고객번호"].tolist() == ["A1", "A2"]
    assert frame["우편번호"].tolist() == ["01234", "90210"]
    assert frame.attrs["encoding"] == "cp949" and frame.attrs["delimiter"] == ";"


def test_read_table_on_the_telco_sample(shared_data):
    frame = read_table(shared_data / "telco_customer_churn_ibm.csv")
    assert frame.shape == (7043, 21)
    assert frame["TotalCharges"].dtype == "float64"
    assert int(frame["TotalCharges"].isna().sum()) == 11
    assert frame["tenure"].dtype == "float64"
    assert frame["Churn"].isin(["Yes", "No"]).all()


def test_read_table_parquet(tmp_path):
    path = tmp_path / "c.parquet"
    pd.DataFrame({"id": ["a", "b"], "spend": ["1,000", "2"]}).to_parquet(path)
    frame = read_table(path)
    assert frame["spend"].tolist() == [1000.0, 2.0]


# --- quality report -----------------------------------------------------------------------------


def test_quality_report(write_file):
    text = (
        "transaction_id,customer_id,date,amount\n"
        "t1,a,2024-01-01,10\n"
        "t1,b,2024-01-02,-5\n"
        "t2,,2024-01-03,1\n"
        "t3,c,2025-06-01,2\n"
    )
    result = read_source(write_file("q.csv", text))
    report = quality_report(result, as_of="2024-12-31")
    assert report["rows"] == {"read": 4, "loaded": 3, "rejected": 1}
    assert report["duplicates"]["transaction_id"] == 1
    assert report["date_range"]["occurred_at"] == {
        "min": "2024-01-01T00:00:00",
        "max": "2025-06-01T00:00:00",
    }
    assert report["future_dates"] == {"occurred_at": 1}
    assert report["negative_amounts"]["amount"] == 1
    assert report["null_share"]["customer_id"] == 0.0
    assert report["rejected_reasons"] == {"missing customer id": 1}
    assert "future_dates" not in quality_report(result)


def test_quality_report_counts_duplicate_customers(write_file):
    result = read_source(write_file("c.csv", "id,name\n1,A\n1,B\n2,C\n"), table="customers")
    assert quality_report(result)["duplicates"]["customer_id"] == 1


_field = st.text(alphabet='ab ,";\t1.-원', max_size=6)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(_field, _field), min_size=1, max_size=12))
def test_arrow_and_csv_paths_read_the_same_rows(tmp_path, pairs):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["customer_id", "date", "amount", "note"])
    for customer, note in pairs:
        writer.writerow([customer, "2024-01-01", "1", note])
    body = buffer.getvalue()
    stem = uuid.uuid4().hex
    fast_path = tmp_path / f"{stem}-fast.csv"
    slow_path = tmp_path / f"{stem}-slow.csv"
    fast_path.write_text(body, encoding="utf-8")
    slow_path.write_text(body.replace("\n", "\n\n", 1), encoding="utf-8")  # forces the csv path
    options = ReadOptions(delimiter=",")
    fast = read_source(fast_path, options=options)
    slow = read_source(slow_path, options=options)
    columns = ["customer_id", "amount"]
    assert fast.loaded[columns].equals(slow.loaded[columns])
    assert fast.rows_read == slow.rows_read == len(pairs)
    assert fast.rejected["raw"].tolist() == slow.rejected["raw"].tolist()
    assert (fast.rejected["line"] + 1).tolist() == slow.rejected["line"].tolist()


def test_customer_extras_never_take_a_canonical_name(write_file):
    # "Plan!" is not recognised as the plan column, and its snake_case name would be "plan".
    result = read_source(write_file("c.csv", "id,Plan!\n1,gold\n"), table="customers")
    assert "plan" not in result.loaded.columns
    assert result.loaded["plan_2"].tolist() == ["gold"]
