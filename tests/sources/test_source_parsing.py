"""Date, amount, id and flag parsing, column by column."""

from __future__ import annotations

import pandas as pd
import pytest

from segmint.sources import ReadOptions, read_source
from segmint.sources.parsing import (
    as_text,
    infer_column,
    parse_amounts,
    parse_dates,
    parse_flags,
    parse_ids,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-15", "2024-03-15 00:00:00"),
        ("2024-03-15 13:45:00", "2024-03-15 13:45:00"),
        ("2024-03-15T13:45:00Z", "2024-03-15 13:45:00"),
        ("2024-03-15T13:45:00+09:00", "2024-03-15 04:45:00"),
        ("2024-03-15T13:45:00.250-05:00", "2024-03-15 18:45:00.250"),
        ("2024.03.15", "2024-03-15 00:00:00"),
        ("2024/03/15", "2024-03-15 00:00:00"),
        ("2024-3-5 7:45", "2024-03-05 07:45:00"),
        ("20240315", "2024-03-15 00:00:00"),
        ("2024년 3월 15일", "2024-03-15 00:00:00"),
        ("2024. 3. 15. 오후 1:45:00", "2024-03-15 13:45:00"),
        ("2024-03-15 12:05 AM", "2024-03-15 00:05:00"),
        ("2024-03-15 오후 1:45:00", "2024-03-15 13:45:00"),
        ("20240315134500", "2024-03-15 13:45:00"),
    ],
)
def test_date_formats(text, expected):
    parsed = parse_dates(pd.Series([text]))
    assert parsed.values.iloc[0] == pd.Timestamp(expected)
    assert not parsed.bad.any()


def test_day_first_is_inferred_from_a_day_above_12():
    parsed = parse_dates(pd.Series(["03/04/2024", "15/03/2024 10:00"]))
    assert parsed.values.tolist() == [pd.Timestamp("2024-04-03"), pd.Timestamp("2024-03-15 10:00")]
    assert parsed.notes["date_format"] == "day-month-year"


def test_month_first_is_inferred_from_a_second_number_above_12():
    parsed = parse_dates(pd.Series(["03/04/2024", "03/15/2024"]))
    assert parsed.values.tolist() == [pd.Timestamp("2024-03-04"), pd.Timestamp("2024-03-15")]


def test_ambiguous_order_assumes_month_first_and_says_so():
    parsed = parse_dates(pd.Series(["03/04/2024"]))
    assert parsed.values.iloc[0] == pd.Timestamp("2024-03-04")
    assert "ambiguous" in str(parsed.notes["date_order"])


def test_dayfirst_option_forces_the_order():
    parsed = parse_dates(pd.Series(["03/04/2024", "03/12/2024"]), dayfirst=True)
    assert parsed.values.tolist() == [pd.Timestamp("2024-04-03"), pd.Timestamp("2024-12-03")]
    forced = parse_dates(pd.Series(["15/03/2024"]), dayfirst=False)
    assert forced.bad.tolist() == [True]


def test_explicit_date_format():
    parsed = parse_dates(pd.Series(["15-Mar-2024", "junk"]), date_format="%d-%b-%Y")
    assert parsed.values.iloc[0] == pd.Timestamp("2024-03-15")
    assert parsed.bad.tolist() == [False, True]


def test_only_failing_dates_are_bad_and_blanks_are_missing():
    parsed = parse_dates(pd.Series(["2024-01-01", "2024-02-30", "soon", "", None, "N/A"]))
    assert parsed.bad.tolist() == [False, True, True, False, False, False]
    assert parsed.values.isna().tolist() == [False, True, True, True, True, True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12300", 12300.0),
        ("12,300", 12300.0),
        ("₩12,300", 12300.0),
        ("12,300원", 12300.0),
        ("$1,234.50", 1234.5),
        ("(12.00)", -12.0),
        ("-5", -5.0),
        ("+7.125", 7.13),
        ("USD 99.99", 99.99),
        ("0", 0.0),
        ("￦12,300", 12300.0),
        ("12,300 원", 12300.0),
        ("1,234.56-", -1234.56),
    ],
)
def test_amount_formats(text, expected):
    parsed = parse_amounts(pd.Series([text]))
    assert parsed.values.iloc[0] == pytest.approx(expected)
    assert not parsed.bad.any()


def test_decimal_comma_only_when_the_column_uses_it():
    european = parse_amounts(pd.Series(["1.234,50 €", "3,5", "12", "1 234,50"]))
    assert european.values.tolist() == [1234.5, 3.5, 12.0, 1234.5]
    # A column with plain decimal points reads "1,234" as a thousands separator.
    us = parse_amounts(pd.Series(["12.25", "1,234"]))
    assert us.values.tolist() == [12.25, 1234.0]


@pytest.mark.parametrize("text", ["abc", "1,2,3", "12..5", "1.2.3,4.5", "1\n2", "1 2", "12,30.5"])
def test_unparseable_amounts_are_bad(text):
    parsed = parse_amounts(pd.Series([text, "1"]))
    assert parsed.bad.tolist() == [True, False]


def test_ids_are_stripped_strings_without_float_suffix():
    assert parse_ids(pd.Series([" 12346.0 ", "00001", "A-7", ""])).values.tolist() == [
        "12346",
        "00001",
        "A-7",
        pd.NA,
    ]
    assert parse_ids(pd.Series([12346.0, float("nan")])).values.tolist() == ["12346", pd.NA]


def test_flags():
    parsed = parse_flags(pd.Series(["yes", "N", "예", "아니오", "1", "maybe", None]))
    assert parsed.values.tolist()[:5] == [True, False, True, False, True]
    assert parsed.bad.tolist() == [False] * 5 + [True, False]


def test_infer_column_keeps_codes_with_leading_zeros_as_text():
    assert infer_column(pd.Series(["1,234", "₩12,300", ""])).tolist()[:2] == [1234.0, 12300.0]
    assert infer_column(pd.Series(["001", "002"])).tolist() == ["001", "002"]
    assert infer_column(pd.Series(["Yes", "No"])).tolist() == ["Yes", "No"]


def test_reader_rejects_failing_rows_naming_the_value(write_file):
    text = "customer_id,date,amount\na,2024-01-01,₩1,000\nb,someday,5\nc,2024-01-03,lots\n"
    # An unquoted thousands separator splits the field: use ; as delimiter instead.
    path = write_file("p.csv", text.replace(",", ";").replace("₩1;000", "₩1,000"))
    result = read_source(path)
    assert result.loaded["amount"].tolist() == [1000.0]
    assert result.rejected["reason"].tolist() == [
        "unparseable date 'someday'",
        "unparseable amount 'lots'",
    ]
    assert result.rejected["column"].tolist() == ["date", "amount"]
    assert result.rejected["line"].tolist() == [3, 4]


def test_reader_applies_date_options(write_file):
    path = write_file("d.csv", "customer_id,date,amount\na,03/04/2024,1\nb,05/06/2024,2\n")
    result = read_source(path, options=ReadOptions(dayfirst=True))
    assert result.loaded["occurred_at"].dt.month.tolist() == [4, 6]
    result = read_source(path, options=ReadOptions(date_format="%m/%d/%Y"))
    assert result.loaded["occurred_at"].dt.month.tolist() == [3, 5]


def test_arrow_text_columns_with_nulls_and_plain_numbers():
    text = as_text(pd.Series(["1.5", None, "3", ""]))
    parsed = parse_amounts(text)
    assert parsed.values.tolist()[:3:2] == [1.5, 3.0]
    assert parsed.values.isna().tolist() == [False, True, False, True]
    assert not parsed.bad.any()
