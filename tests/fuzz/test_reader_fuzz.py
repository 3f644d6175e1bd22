"""Property-based fuzzing of the readers through the public API (`read_source`, `analyze_file`).

Each example is a CSV export built from random rows — quoting, delimiters, encodings, line
endings, number and date formats, and known-bad rows — so the expected outcome is known row by
row. The invariants are the contract of every reader, whatever engine does the reading:

- rows read = rows loaded + rows rejected;
- every bad row is rejected at its own line, and every good row is loaded with its line;
- the loaded amounts add up to the generated good amounts, to the cent;
- nothing but a SegmintError ever escapes.

`make test` runs a bounded number of examples; `make fuzz` sets SEGMINT_FUZZ_EXAMPLES higher.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segmint import analyze_file, read_source
from segmint.errors import SegmintError
from segmint.sources import ReadOptions

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("SEGMINT_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    # make test / CI: the same examples every run; make fuzz (SEGMINT_FUZZ_EXAMPLES set): new ones
    derandomize="SEGMINT_FUZZ_EXAMPLES" not in os.environ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CENT = Decimal("0.01")

# How each amount format writes a Decimal, and the reader options it needs.
AMOUNT_FORMATS = ("plain", "comma_grouped", "european", "won", "dot_grouped_integer", "paren")
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y.%m.%d", "%Y%m%d", "%d/%m/%Y", "%Y년 %m월 %d일")
BAD_KINDS = (
    "amount_text",
    "date_text",
    "missing_id",
    "out_of_range",
    "extra_field",
    "junk_after_quote",
    "control_in_id",
    "stray_quote",
)
ID_ALPHABET = "ABCXYZabcxyz0123456789가나다김 -_.'=+@"
NOTE_ALPHABET = ID_ALPHABET + ',;|\t"\n'


@dataclass
class Row:
    """One generated row: its fields as text, the good amount (or None) and the bad kind."""

    customer: str
    date: str
    amount: str
    note: str
    cents: int | None
    bad: str | None
    raw: str | None = None  # a row written verbatim (broken quoting)


def _group(digits: str, separator: str) -> str:
    parts = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return separator.join(parts)


def format_amount(cents: int, style: str) -> str:
    """Return `cents` written in an amount style."""
    negative = cents < 0
    units, fraction = divmod(abs(cents), 100)
    whole = str(units)
    if style == "plain":
        text = f"{whole}.{fraction:02d}"
    elif style == "comma_grouped":
        text = f"{_group(whole, ',')}.{fraction:02d}"
    elif style == "european":
        text = f"{_group(whole, '.')},{fraction:02d}"
    elif style == "won":
        text = "₩" + _group(whole, ",")
    elif style == "dot_grouped_integer":
        text = _group(whole, ".")
    else:  # paren: accounting negatives
        text = f"{whole}.{fraction:02d}"
        return f"({text})" if negative else text
    return "-" + text if negative else text


def _whole_units(style: str) -> bool:
    return style in ("won", "dot_grouped_integer")


@st.composite
def rows(draw: st.DrawFn, style: str, date_format: str, quotes_allowed: bool) -> Row:
    """Return one good or bad row."""
    units = draw(st.integers(min_value=-(10**9), max_value=10**11))
    cents = units * 100 if _whole_units(style) else draw(st.integers(-(10**11), 10**13 - 1))
    day = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
    alphabet = ID_ALPHABET if quotes_allowed else ID_ALPHABET.replace("'", "")
    customer = "C" + draw(st.text(alphabet=alphabet, max_size=8)).strip()
    note = draw(st.text(alphabet=NOTE_ALPHABET if quotes_allowed else "abc 12", max_size=12))
    row = Row(customer, day.strftime(date_format), format_amount(cents, style), note, cents, None)
    bad = draw(st.sampled_from((None,) * 6 + BAD_KINDS))
    if bad == "stray_quote" and quotes_allowed:
        bad = "amount_text"
    row.bad = bad
    if bad is not None:
        row.cents = None
    if bad == "amount_text":
        row.amount = draw(st.sampled_from(["abc", "12x", "1..2", "--"]))
    elif bad == "date_text":
        row.date = draw(st.sampled_from(["someday", "2024-13-45", "31/31/2024"]))
    elif bad == "missing_id":
        row.customer = ""
    elif bad == "out_of_range":
        row.amount = draw(st.sampled_from(["1e400", "inf", "-Infinity", "1e17"]))
    elif bad == "control_in_id":
        row.customer = row.customer + draw(st.sampled_from(["\x00", "\x07", "\x1b"]))
    return row


def _field(value: str, delimiter: str, force_quotes: bool) -> str:
    if force_quotes or any(c in value for c in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def exports(draw: st.DrawFn) -> tuple[bytes, list[tuple[int, Row]], dict[str, str], str]:
    """Return (file bytes, [(line, row)], reader options, suffix)."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    style = draw(st.sampled_from(AMOUNT_FORMATS))
    date_format = draw(st.sampled_from(DATE_FORMATS))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quotes_allowed = draw(st.booleans())
    force_quotes = quotes_allowed and draw(st.booleans())
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp949"]))
    generated = draw(st.lists(rows(style, date_format, quotes_allowed), max_size=25))
    options: dict[str, str] = {}
    if style == "dot_grouped_integer" or (style == "european" and delimiter == ","):
        options["decimal"] = ","
    if date_format == "%d/%m/%Y":
        options["dayfirst"] = "yes"

    lines = ["customer_id", "order_date", "amount", "note"]
    text_lines = [delimiter.join(lines)]
    placed: list[tuple[int, Row]] = []
    line = 1
    stray_quotes = 0
    for row in generated:
        if row.bad == "stray_quote":
            # Two open quotes in one file pair up into one quoted field that no reader can tell
            # from a real multi-line value: such a file has no single right reading.
            stray_quotes += 1
            if stray_quotes > 1:
                row.bad, row.amount = "amount_text", "abc"
        if draw(st.integers(0, 9)) == 0:
            text_lines.append("")  # a blank line: skipped, but it still has a line number
            line += 1
        line += 1
        note = row.note.replace("\n", newline)
        fields = [row.customer, row.date, row.amount, note]
        rendered = [_field(f, delimiter, force_quotes) for f in fields]
        if row.bad == "extra_field":
            rendered.append("surplus")
        elif row.bad == "junk_after_quote":
            rendered[2] = '"' + row.amount.replace('"', "") + '"5'
        elif row.bad == "stray_quote":
            rendered[2] = '"' + row.amount
            rendered = rendered[:3]  # the open quote runs to the end of the line
        text = delimiter.join(rendered)
        placed.append((line, row))
        text_lines.append(text)
        line += text.count(newline)
    body = newline.join(text_lines) + newline
    if encoding == "cp949":
        try:
            data = body.encode("cp949")
        except UnicodeEncodeError:
            data = body.encode("utf-8")
    else:
        data = body.encode(encoding)
    return data, placed, options, draw(st.sampled_from([".csv", ".txt", ".tsv"]))


def _read_options(options: dict[str, str]) -> ReadOptions:
    return ReadOptions(
        decimal=options.get("decimal"), dayfirst=True if options.get("dayfirst") else None
    )


def _expected_total(placed: list[tuple[int, Row]]) -> Decimal:
    return sum((Decimal(r.cents) / 100 for _, r in placed if r.cents is not None), Decimal(0))


@FUZZ
@given(export=exports())
def test_reader_accounts_for_every_row_to_the_line_and_the_cent(
    tmp_path_factory: pytest.TempPathFactory, export
) -> None:
    data, placed, options, suffix = export
    path = tmp_path_factory.mktemp("fuzz") / f"orders{suffix}"
    path.write_bytes(data)
    try:
        result = read_source(path, options=_read_options(options))
    except SegmintError as exc:
        # The only refusal a consistent file may get: a file with no good amount to decide by.
        assert not [r for _, r in placed if r.cents is not None], str(exc)
        return
    good = {line for line, r in placed if r.bad is None}
    bad = {line for line, r in placed if r.bad is not None}
    assert result.rows_read == len(result.loaded) + len(result.rejected)
    assert result.rows_read == len(placed)
    assert set(result.loaded["_line"]) == good
    assert set(result.rejected["line"]) == bad
    assert result.rejected["reason"].str.len().gt(0).all()
    loaded_total = sum(
        (Decimal(repr(float(a))).quantize(CENT) for a in result.loaded["amount"]), Decimal(0)
    )
    assert loaded_total == _expected_total(placed)


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".txt", ".csv.gz"]))
def test_arbitrary_bytes_never_escape_as_anything_but_a_segmint_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"any{suffix}"
    path.write_bytes(data)
    try:
        result = read_source(path)
    except SegmintError:
        return
    assert result.rows_read == len(result.loaded) + len(result.rejected)


@settings(FUZZ, max_examples=max(5, EXAMPLES // 8))
@given(export=exports())
def test_analyze_totals_match_the_good_rows_to_the_cent(
    tmp_path_factory: pytest.TempPathFactory, export
) -> None:
    data, placed, options, suffix = export
    folder = tmp_path_factory.mktemp("analyze")
    path = folder / f"orders{suffix}"
    path.write_bytes(data)
    try:
        result = analyze_file(
            path, out_dir=folder / "out", options=_read_options(options), with_clv=False
        )
    except SegmintError:
        return  # e.g. no purchases to score: a one-line refusal, never a traceback
    summary = result.summary
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_rejected"]
    assert summary["rows_loaded"] == sum(1 for _, r in placed if r.bad is None)
    assert Decimal(summary["amount_total"]) == _expected_total(placed)
    assert (folder / "out" / "summary.json").is_file()
