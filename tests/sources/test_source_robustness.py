"""Regression tests for real-world files that once gave wrong numbers, silent loss or tracebacks."""

from __future__ import annotations

import pytest

from segmint.errors import InputError
from segmint.sources import ReadOptions, read_source

HEADER = "customer_id,order_date,amount"


def test_an_unterminated_quote_rejects_its_line_and_the_rest_is_read(write_file):
    body = "".join(f"C{i},2024-01-05,1.00\n" for i in range(1000))
    path = write_file("q.csv", f'{HEADER}\nA,2024-01-05,1\nB,2024-01-06,"2.00\n{body}')
    result = read_source(path)
    assert result.rows_read == 1002
    assert len(result.loaded) == 1001
    [rejected] = result.rejected.to_dict("records")
    assert rejected["line"] == 3
    assert rejected["raw"] == 'B,2024-01-06,"2.00'
    assert "unterminated quote" in rejected["reason"]


def test_a_stray_quote_closed_lines_later_does_not_swallow_the_lines_between(write_file):
    text = f'{HEADER}\nA,2024-01-05,"1\nB,2024-01-06,2\nC,2024-01-07,"3"\nD,2024-01-08,4\n'
    result = read_source(write_file("s.csv", text))
    assert result.rows_read == len(result.loaded) + len(result.rejected)
    assert sorted(result.loaded["customer_id"]) == ["B", "C", "D"]
    assert result.rejected["line"].tolist() == [2]


def test_a_quoted_multiline_field_is_still_one_record(write_file):
    text = 'customer_id,order_date,amount,note\nA,2024-01-05,1,"two\nlines"\nB,2024-01-06,2,x\n'
    result = read_source(write_file("m.csv", text))
    assert result.loaded["customer_id"].tolist() == ["A", "B"]
    assert result.loaded["_line"].tolist() == [2, 4]
    assert result.rejected.empty


def test_a_multiline_record_with_an_extra_field_is_one_rejected_row(write_file):
    text = (
        'customer_id,order_date,amount,note\nA,2024-01-05,1,"two\nlines",extra\nB,2024-01-06,2,x\n'
    )
    result = read_source(write_file("e.csv", text))
    assert result.loaded["customer_id"].tolist() == ["B"]
    [rejected] = result.rejected.to_dict("records")
    assert rejected["line"] == 2
    assert rejected["raw"] == 'A,2024-01-05,1,"two\nlines",extra'


def test_text_after_a_closing_quote_is_rejected_not_merged(write_file):
    path = write_file("t.csv", f'{HEADER}\nA,2024-01-05,"10.00"5\nB,2024-01-05,3\n')
    result = read_source(path)
    assert result.loaded["amount"].tolist() == [3.0]
    [rejected] = result.rejected.to_dict("records")
    assert rejected["line"] == 2
    assert "after a closing quote" in rejected["reason"]


@pytest.mark.parametrize(
    "text",
    [
        f"{HEADER}\rA,2024-01-05,1\rB,2024-01-06,2\r",  # classic Mac
        f"{HEADER}\r\nA,2024-01-05,1\rB,2024-01-06,2\n",  # mixed
        f'{HEADER}\nA,2024-01-05,1\nB,2024-01-06,"2\r"\n',  # CR inside a quoted field
    ],
)
def test_carriage_returns_in_any_place_are_read(write_file, text):
    result = read_source(write_file("r.csv", text))
    assert result.rows_read == 2
    assert result.loaded["customer_id"].tolist()[:1] == ["A"]
    assert result.rows_read == len(result.loaded) + len(result.rejected)


def test_classic_mac_line_numbers(write_file):
    result = read_source(write_file("r.csv", f"{HEADER}\rA,2024-01-05,1\rB,someday,2\r"))
    assert result.rejected["line"].tolist() == [3]


@pytest.mark.parametrize(
    "amount", ["inf", "Infinity", "-inf", "1e400", "1e17", "1e300", "20000000000000000"]
)
def test_amounts_out_of_range_are_rejected_with_the_reason(write_file, amount):
    path = write_file("o.csv", f"{HEADER}\nA,2024-01-05,{amount}\nB,2024-01-06,5\n")
    result = read_source(path)
    assert result.loaded["amount"].tolist() == [5.0]
    assert result.rejected["reason"].str.contains("out of range").tolist() == [True]


def test_dot_grouped_amounts_in_a_semicolon_file_are_refused_as_ambiguous(write_file):
    text = "customer_id;order_date;amount\nA;2024-01-05;12.300\nB;2024-01-06;150.000\n"
    path = write_file("d.csv", text + "C;2024-01-07;5.000\n")
    with pytest.raises(InputError, match=r"--decimal , or --decimal \."):
        read_source(path)
    comma = read_source(path, options=ReadOptions(decimal=","))
    assert comma.loaded["amount"].sum() == 167_300
    assert comma.stats["formats"]["amount.decimal"].startswith("','")
    dot = read_source(path, options=ReadOptions(decimal="."))
    assert dot.loaded["amount"].sum() == pytest.approx(167.3)


def test_a_column_mixing_grouping_styles_is_read_with_one_convention(write_file):
    text = "customer_id;order_date;amount\nA;2024-01-05;1.234,56\nB;2024-01-06;12.300\n"
    result = read_source(write_file("m.csv", text + "C;2024-01-07;5,00\n"))
    assert result.loaded["amount"].tolist() == [1234.56, 12300.0, 5.0]
    assert result.rejected.empty
    assert "','" in result.stats["formats"]["amount.decimal"]


def test_thousands_comma_next_to_decimal_comma_is_refused(write_file):
    text = 'customer_id;order_date;amount\nA;2024-01-05;"1,234"\nB;2024-01-06;"5,50"\n'
    with pytest.raises(InputError, match="1,234"):
        read_source(write_file("c.csv", text))


def test_conflicting_decimal_conventions_are_refused(write_file):
    text = 'customer_id;order_date;amount\nA;2024-01-05;"1,234.56"\nB;2024-01-06;"5,50"\n'
    with pytest.raises(InputError, match="mix decimal conventions"):
        read_source(write_file("x.csv", text))


def test_dot_three_decimals_in_a_comma_file_stay_decimals(write_file):
    result = read_source(write_file("k.csv", f"{HEADER}\nA,2024-01-05,12.300\nB,2024-01-06,1\n"))
    assert result.loaded["amount"].tolist() == [12.3, 1.0]


def test_mixed_currency_symbols_are_refused(write_file):
    text = f"{HEADER}\nA,2024-01-05,₩100\nB,2024-01-06,$5\nC,2024-01-06,£5\n"
    with pytest.raises(InputError, match=r"several currencies \(GBP, KRW, USD\)"):
        read_source(write_file("cur.csv", text))


def test_one_currency_written_two_ways_is_fine(write_file):
    text = f"{HEADER}\nA,2024-01-05,₩100\nB,2024-01-06,100원\nC,2024-01-06,KRW 5\n"
    assert read_source(write_file("krw.csv", text)).loaded["amount"].sum() == 205


def test_a_currency_column_with_several_currencies_is_refused(write_file):
    text = "customer_id,order_date,amount,currency\nA,2024-01-05,1,EUR\nB,2024-01-06,2,USD\n"
    with pytest.raises(InputError, match=r"several currencies \(EUR, USD\)"):
        read_source(write_file("cc.csv", text))


def test_control_characters_in_ids_are_rejected(write_file):
    result = read_source(write_file("n.csv", f"{HEADER}\nA\x00,2024-01-05,1\nA,2024-01-05,2\n"))
    assert result.loaded["customer_id"].tolist() == ["A"]
    assert result.rejected["reason"].tolist() == ["id contains a control character (U+0000)"]
    assert result.rejected["line"].tolist() == [2]


def test_a_file_that_is_not_a_delimited_export_is_refused_without_its_content(write_file):
    path = write_file("secret.txt", "hunter2-the-password\n")
    with pytest.raises(InputError) as caught:
        read_source(path)
    assert "hunter2" not in str(caught.value)
    assert "not a delimited export" in str(caught.value)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"delimiter": "ab"}, "delimiter must be one character"),
        ({"date_format": "%Q%Q"}, "not a usable strftime format"),
        ({"decimal": ";"}, "decimal must be"),
    ],
)
def test_unusable_options_are_input_errors(write_file, options, message):
    path = write_file("a.csv", f"{HEADER}\nA,2024-01-05,1\n")
    with pytest.raises(InputError, match=message):
        read_source(path, options=ReadOptions(**options))
