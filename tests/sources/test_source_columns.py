"""Column detection by name (English, Korean), by type, overrides and the missing-column error."""

from __future__ import annotations

import pandas as pd
import pytest

from segmint.errors import MissingColumnError
from segmint.sources import ReadOptions, detect_columns, read_source


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["CustomerID", "InvoiceDate", "Revenue"], ["CustomerID", "InvoiceDate", "Revenue"]),
        (["Customer ID", "order_date", "TOTAL"], ["Customer ID", "order_date", "TOTAL"]),
        (["client_id", "purchase_date", "sales"], ["client_id", "purchase_date", "sales"]),
        (["member_id", "created_at", "price_total"], ["member_id", "created_at", "price_total"]),
        (
            ["account-id", "Transaction Date", "dollar_value"],
            ["account-id", "Transaction Date", "dollar_value"],
        ),
        (["고객ID", "주문일", "매출"], ["고객ID", "주문일", "매출"]),
        (["회원번호", "결제일시", "주문금액"], ["회원번호", "결제일시", "주문금액"]),
        (["고객아이디", "거래일자", "매출액"], ["고객아이디", "거래일자", "매출액"]),
        (["회원ID", "구매일", "금액"], ["회원ID", "구매일", "금액"]),
    ],
)
def test_required_transaction_columns_by_name(headers, expected):
    found = detect_columns(headers, None, "transactions")
    assert [found["customer_id"], found["occurred_at"], found["amount"]] == expected


def test_line_item_columns_by_name():
    headers = [
        "Invoice",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "Price",
        "Customer ID",
    ]
    found = detect_columns(headers, None, "transactions")
    assert found["invoice_id"] == "Invoice"
    assert found["quantity"] == "Quantity"
    assert found["unit_price"] == "Price"
    assert found["product"] == "Description"
    assert "amount" not in found
    korean = detect_columns(["주문번호", "수량", "단가", "카테고리"], None, "transactions")
    assert korean == {
        "invoice_id": "주문번호",
        "quantity": "수량",
        "unit_price": "단가",
        "category": "카테고리",
    }


def test_customer_specific_name_wins_over_user_id():
    found = detect_columns(["user_id", "customer_id", "date", "amount"], None, "transactions")
    assert found["customer_id"] == "customer_id"
    events = detect_columns(
        ["account_id", "user_id", "event", "timestamp", "feature"], None, "events"
    )
    assert events == {
        "customer_id": "account_id",
        "occurred_at": "timestamp",
        "event": "event",
        "user_id": "user_id",
        "feature": "feature",
    }


def test_other_tables():
    subs = detect_columns(
        ["account_id", "start_date", "end_date", "MRR", "plan", "seats"], None, "subscriptions"
    )
    assert subs == {
        "customer_id": "account_id", "started_at": "start_date", "mrr": "MRR",
        "ended_at": "end_date", "plan": "plan", "seats": "seats",
    }  # fmt: skip
    tickets = detect_columns(
        ["account_id", "created_at", "closed_at", "priority", "csat"], None, "tickets"
    )
    assert tickets["opened_at"] == "created_at" and tickets["csat"] == "csat"
    customers = detect_columns(
        ["id", "signup_date", "Industry", "Employees", "Country"], None, "customers"
    )
    assert customers == {
        "customer_id": "id", "created_at": "signup_date", "industry": "Industry",
        "employees": "Employees", "country": "Country",
    }  # fmt: skip


def test_timestamp_detected_by_type_when_the_name_is_unknown():
    sample = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "when": ["2024-01-05", "2024-02-07"],
            "amount": ["1", "2"],
            "n": ["3", "4"],
        }
    )
    found = detect_columns(list(sample.columns), sample, "transactions")
    assert found["occurred_at"] == "when"


def test_amount_detected_by_type_only_when_unambiguous():
    sample = pd.DataFrame(
        {"customer_id": ["a"], "date": ["2024-01-05"], "v": ["1.50"], "w": ["2.25"]}
    )
    assert "amount" not in detect_columns(list(sample.columns), sample, "transactions")
    single = sample.drop(columns=["w"])
    assert detect_columns(list(single.columns), single, "transactions")["amount"] == "v"


def test_options_override_detection(write_file):
    path = write_file("o.csv", "buyer,amount,paid,date\na,1,2,2024-01-01\n")
    result = read_source(
        path, options=ReadOptions(columns={"customer_id": "buyer", "amount": "paid"})
    )
    assert result.column_map["amount"] == "paid"
    assert result.column_map["customer_id"] == "buyer"
    assert result.loaded["amount"].tolist() == [2.0]


def test_override_naming_an_absent_header_is_a_missing_column_error(write_file):
    path = write_file("o.csv", "customer_id,date,amount\na,2024-01-01,1\n")
    with pytest.raises(MissingColumnError, match="'paid' not found"):
        read_source(path, options=ReadOptions(columns={"amount": "paid"}))


def test_override_with_unknown_canonical_lists_the_allowed_names(write_file):
    path = write_file("o.csv", "customer_id,date,amount\na,2024-01-01,1\n")
    with pytest.raises(ValueError, match="allowed: customer_id, occurred_at, amount"):
        read_source(path, options=ReadOptions(columns={"money": "amount"}))


def test_missing_required_column_message_is_one_line_and_names_what_was_found(write_file):
    path = write_file("o.csv", "customer_id,date,note\na,2024-01-01,hello\n")
    with pytest.raises(MissingColumnError) as info:
        read_source(path)
    message = str(info.value)
    assert "\n" not in message
    assert "required column 'amount' not found" in message
    assert "'customer_id', 'date', 'note'" in message
    assert info.value.column == "amount"


def test_missing_customer_id_column(write_file):
    path = write_file("o.csv", "who,date,amount\na,2024-01-01,1\n")
    with pytest.raises(MissingColumnError, match="'customer_id' not found"):
        read_source(path)
