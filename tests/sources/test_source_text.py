"""Encodings, delimiters, quoted fields and field-count rejects with line numbers."""

from __future__ import annotations

import gzip

import pytest

from segmint.errors import InputError
from segmint.sources import ReadOptions, read_source
from segmint.sources.text import decode, sniff_delimiter

KOREAN = '고객번호,주문일자,결제금액,상품명\nC001,2024-03-15,"12,300",머그컵\nC002,2024-03-16,5000,텀블러\n'


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp949", "cp949"), ("euc-kr", "cp949")],
)
def test_korean_export_is_decoded_in_each_encoding(write_file, encoding, reported):
    path = write_file("orders.csv", KOREAN, encoding)
    result = read_source(path)
    assert result.encoding == reported
    assert result.column_map == {
        "customer_id": "고객번호",
        "occurred_at": "주문일자",
        "amount": "결제금액",
        "product": "상품명",
    }
    assert result.loaded["product"].tolist() == ["머그컵", "텀블러"]
    assert result.loaded["amount"].tolist() == [12300.0, 5000.0]


def test_bom_is_not_part_of_the_first_header(write_file):
    path = write_file("bom.csv", "customer_id,date,amount\na,2024-01-01,1\n", "utf-8-sig")
    result = read_source(path)
    assert result.column_map["customer_id"] == "customer_id"


def test_explicit_encoding_overrides_detection(write_file):
    # Latin-1 bytes that are also valid CP949 would be mis-detected; the option decides.
    path = write_file(
        "latin.csv", "customer_id,date,amount,product\na,2024-01-01,1,Café\n", "latin-1"
    )
    result = read_source(path, options=ReadOptions(encoding="latin-1"))
    assert result.encoding == "latin-1"
    assert result.loaded["product"].tolist() == ["Café"]


def test_wrong_explicit_encoding_is_a_one_line_input_error(write_file):
    path = write_file("k.csv", KOREAN, "cp949")
    with pytest.raises(InputError, match="cannot decode as utf-8"):
        read_source(path, options=ReadOptions(encoding="utf-8"))


def test_decode_falls_back_to_detection_for_other_encodings():
    text = "naam,stad\n" + "Zoë,Köln\n" * 50
    decoded, encoding = decode(text.encode("utf-16"))
    assert decoded.replace("\ufeff", "") == text
    assert "16" in encoding


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(write_file, delimiter):
    rows = [["customer_id", "date", "amount"], ["a", "2024-01-01", "1,5"], ["b", "2024-01-02", "2"]]
    if delimiter == ",":
        rows[1][2] = '"1,5"'
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    path = write_file("x.txt", text)
    result = read_source(path)
    assert result.delimiter == delimiter
    assert result.loaded["amount"].tolist() == [1.5, 2.0]


def test_sniffing_ignores_delimiters_inside_quotes():
    text = 'a;b;c\n"x, y, z";1;2\n"p, q";3;4\n'
    assert sniff_delimiter(text) == ";"


def test_wrong_field_count_is_rejected_with_line_numbers(write_file):
    text = (
        "customer_id,date,amount\n"  # line 1
        "a,2024-01-01,10\n"  # line 2
        "b,2024-01-02\n"  # line 3: too few
        "\n"  # line 4: blank, not a record
        "c,2024-01-03,30,extra\n"  # line 5: too many
        "d,2024-01-04,40\n"  # line 6
    )
    result = read_source(write_file("f.csv", text))
    assert result.rows_read == 4
    assert result.loaded["_line"].tolist() == [2, 6]
    rejected = result.rejected
    assert rejected["line"].tolist() == [3, 5]
    assert rejected["reason"].tolist() == [
        "expected 3 fields, found 2",
        "expected 3 fields, found 4",
    ]
    assert rejected["raw"].tolist() == ["b,2024-01-02", "c,2024-01-03,30,extra"]
    assert list(rejected.columns) == ["file", "line", "column", "reason", "raw"]


def test_line_numbers_after_a_quoted_multiline_field(write_file):
    text = (
        "customer_id,date,amount,product\n"  # 1
        'a,2024-01-01,10,"two\nline, note"\n'  # 2-3
        "b,2024-01-02,20\n"  # 4: too few
        "c,2024-01-03,oops,x\n"  # 5: bad amount
        "d,2024-01-04,40,y\n"  # 6
    )
    result = read_source(write_file("m.csv", text))
    assert result.loaded["_line"].tolist() == [2, 6]
    assert result.loaded["product"].tolist()[0] == "two\nline, note"
    assert result.rejected["line"].tolist() == [4, 5]
    assert result.rejected["reason"].tolist() == [
        "expected 4 fields, found 3",
        "unparseable amount 'oops'",
    ]
    assert result.rejected["column"].tolist()[1] == "amount"
    assert result.rejected["raw"].tolist()[1] == "c,2024-01-03,oops,x"


def test_multiline_record_raw_text_spans_its_lines(write_file):
    text = 'customer_id,date,amount,note\n,2024-01-01,1,"a\nb"\n'
    result = read_source(write_file("r.csv", text))
    assert result.rejected["line"].tolist() == [2]
    assert result.rejected["raw"].tolist() == [',2024-01-01,1,"a\nb"']


def test_gzip_csv_and_crlf_line_endings(tmp_path):
    path = tmp_path / "o.csv.gz"
    body = "customer_id,date,amount\r\na,2024-01-01,1\r\n,2024-01-02,2\r\n"
    path.write_bytes(gzip.compress(body.encode()))
    result = read_source(path)
    assert result.rows_read == 2
    assert result.rejected["raw"].tolist() == [",2024-01-02,2"]
    assert result.rejected["line"].tolist() == [3]


def test_header_only_file_reads_zero_rows(write_file):
    result = read_source(write_file("h.csv", "customer_id,date,amount\n"))
    assert result.rows_read == 0
    assert result.loaded.empty and result.rejected.empty


def test_empty_file_is_an_input_error(write_file):
    with pytest.raises(InputError, match="empty"):
        read_source(write_file("e.csv", "\n\n"))


def test_excel_separator_hint_line(write_file):
    path = write_file("x.csv", "sep=;\ncustomer_id;date;amount\na;2024-01-01;1,5\n;2024-01-02;2\n")
    result = read_source(path)
    assert result.delimiter == ";"
    assert result.loaded["amount"].tolist() == [1.5]
    assert result.loaded["_line"].tolist() == [3]
    assert result.rejected["line"].tolist() == [4]


def test_arrow_fast_path_and_csv_path_agree(write_file):
    text = (
        "customer_id,date,amount,note\n"
        'a,2024-01-01,"1,000","quoted, with comma"\n'
        'b,2024-01-02,2," spaced "\n'
        'c,2024-01-03,3,"say ""hi"""\n'
        ",2024-01-04,4,\n"
    )
    fast = read_source(write_file("fast.csv", text))
    # A blank line after the header forces the csv path (records no longer = lines).
    slow = read_source(write_file("slow.csv", text.replace("\n", "\n\n", 1)))
    assert fast.loaded.drop(columns="_line").equals(slow.loaded.drop(columns="_line"))
    assert fast.loaded["_line"].tolist() == [2, 3, 4]
    assert slow.loaded["_line"].tolist() == [3, 4, 5]
    assert fast.rejected["raw"].tolist() == slow.rejected["raw"].tolist() == [",2024-01-04,4,"]


def test_bom_kept_by_an_explicit_utf8_encoding_is_removed_from_the_header(write_file):
    path = write_file("bom.csv", "customer_id,date,amount\na,2024-01-01,1\n", "utf-8-sig")
    result = read_source(path, options=ReadOptions(encoding="utf-8"))
    assert result.column_map["customer_id"] == "customer_id"


def test_latin_text_that_is_also_valid_cp949_is_not_taken_for_korean():
    # Upper-case Å/Ä/À followed by a letter are valid (rare) CP949 syllables in CP1252 bytes.
    rows = ["customer_id,name,city,amount"]
    rows += [f"{i},ÅLESUND Fisk {i},ÄLMHULT,12.50" for i in range(100)]
    rows += [f"{i},ÀLA Carte {i},Paris,3" for i in range(100, 150)]
    data = "\n".join(rows).encode("cp1252")
    data.decode("cp949")  # the trap: it decodes without error
    text, encoding = decode(data)
    assert encoding != "cp949"
    assert "Fisk 0," in text
