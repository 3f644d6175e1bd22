"""Delimited text: file bytes, encoding detection, delimiter sniffing and record splitting."""

from __future__ import annotations

import csv
import gc
import gzip
import io
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
import numpy as np

from segmint.errors import InputError

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_LINES = 50
_SNIFF_CHARS = 256 * 1024
_LONE_CR = re.compile("\r(?!\n)")
_UNCLOSED = "unterminated quote: the quote opened on this line does not close on it"
# csv's default limit (128 KiB) is too small for exports with long free-text cells.
csv.field_size_limit(64 * 1024 * 1024)


@dataclass
class Records:
    """The header and the records of a delimited text, with each record's first and last line."""

    header: list[str]
    rows: list[list[str]]
    start_lines: list[int]
    end_lines: list[int]
    text: str
    problems: list[tuple[int, int, str]] = field(default_factory=list)  # first, last line, why

    def raw(self, index: int) -> str:
        """Return the original text of record `index` (all of its physical lines)."""
        lines = self.lines[self.start_lines[index] - 1 : self.end_lines[index]]
        return "\n".join(line.rstrip("\r") for line in lines)

    @property
    def lines(self) -> list[str]:
        """Return the physical lines of the text (computed once, on first use)."""
        cached: list[str] | None = getattr(self, "_lines", None)
        if cached is None:
            cached = self.text.split("\n")
            self._lines = cached
        return cached


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: building millions of small lists triggers it constantly."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def clean_header(name: str) -> str:
    """Return a header without surrounding spaces or a stray byte-order mark."""
    return name.replace("\ufeff", "").strip()


def read_bytes(path: Path) -> bytes:
    """Return the bytes of a file, decompressing `.gz` files."""
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: not a readable gzip file ({exc})") from None
    return data


def decode(data: bytes, encoding: str | None = None, *, source: str = "") -> tuple[str, str]:
    """Return (text, encoding): the given encoding, else UTF-8 (with BOM), CP949, then detection."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise InputError(f"{source}: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{source}: cannot decode as {encoding} at byte {exc.start}; "
                "leave the encoding out to detect it"
            ) from None
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        korean = data.decode("cp949")
        if _looks_korean(korean):
            return korean, "cp949"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputError(f"{source}: cannot detect the text encoding; pass one explicitly")
    return str(best), best.encoding


def separator_hint(text: str) -> str | None:
    """Return the delimiter named by an Excel `sep=;` first line, if there is one."""
    first = text[:8].split("\n", 1)[0].rstrip("\r")
    if len(first) == 5 and first.lower().startswith("sep="):
        return first[4]
    return None


def _looks_korean(decoded: str) -> bool:
    """Most non-ASCII characters of real CP949 text lie in EUC-KR's common set (2,350 syllables).

    Latin-1/CP1252 text such as "ÀBC" is also valid CP949, but it decodes to rare syllables from
    CP949's extension area, which real Korean text seldom uses.
    """
    non_ascii = {c for c in decoded[:200_000] if ord(c) > 127}
    if not non_ascii:
        return True
    # Python's euc-kr spells rare syllables as 8-byte jamo sequences: count the 2-byte ones.
    common = sum(len(c.encode("euc-kr", errors="replace")) == 2 for c in non_ascii)
    return common >= 0.8 * len(non_ascii)


def sniff_delimiter(text: str) -> str:
    """Return the delimiter among , ; tab | that splits the first lines into the most equal fields."""
    hint = separator_hint(text)
    if hint is not None:
        return hint
    sample_lines: list[str] = []
    for line in io.StringIO(normalise_line_endings(text[:_SNIFF_CHARS]), newline=""):
        if line.strip():
            sample_lines.append(line)
        if len(sample_lines) >= _SNIFF_LINES:
            break
    sample = "".join(sample_lines)
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        counts = [len(row) for row in rows if row]
        if not counts or counts[0] < 2:
            continue
        header = counts[0]
        consistent = sum(1 for c in counts if c == header) / len(counts)
        score = (consistent, header)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def normalise_line_endings(text: str) -> str:
    """Return text whose lone carriage returns (classic Mac, mixed endings) are newlines."""
    if "\r" not in text or "\r" not in text.replace("\r\n", ""):
        return text
    return _LONE_CR.sub("\n", text)


def split_records(text: str, delimiter: str, *, source: str = "") -> Records:
    """Split a delimited text into header and records; quoted fields may hold delimiters/newlines.

    A line whose quotes are broken (a quote that never closes, text after a closing quote) is
    set apart as a problem with its line number, and reading resumes at the next line, as
    spreadsheet tools do: one stray quote never swallows the rest of the file.
    """
    text = normalise_line_endings(text)
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    first = 1 if separator_hint(text) is not None else 0  # Excel's "sep=;" line
    rows: list[list[str]] = []
    starts: list[int] = []
    ends: list[int] = []
    problems: list[tuple[int, int, str]] = []
    try:
        fast = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        fast = None
    if fast is not None and len(fast) == len(lines):
        # Every record is one line (the common case): line numbers are positions.
        rows, starts = fast[first:], list(range(first + 1, len(fast) + 1))
        ends = starts
    else:
        rows, starts, ends, problems = _scan(lines, delimiter, first)
    keep = _non_blank(rows)
    if not keep:
        raise InputError(f"{source}: the file is empty (no header line)")
    header_at = keep[0]
    if any(line < starts[header_at] for line, _, _ in problems):
        line, _, reason = min(problems)
        raise InputError(f"{source}: line {line}: the header cannot be read ({reason})")
    header = [clean_header(name) for name in rows[header_at]]
    body = keep[1:]
    width = len(header)
    if problems or any(ends[i] > starts[i] and len(rows[i]) != width for i in body):
        # A quote opened on one line and closed lines later while the field count is wrong:
        # the quote was a stray one; read its lines again one by one.
        rows, starts, ends, problems = _scan(lines, delimiter, first, width=width)
        keep = _non_blank(rows)
        body = keep[1:]
    if len(body) == len(rows) - 1:  # no blank lines: skip copying millions of references
        records = Records(header, rows[1:], starts[1:], ends[1:], text)
    else:
        records = Records(
            header, [rows[i] for i in body], [starts[i] for i in body], [ends[i] for i in body],
            text,
        )  # fmt: skip
    records._lines = lines
    records.problems = [problem for problem in problems if problem[0] > starts[keep[0]]]
    return records


def _non_blank(rows: list[list[str]]) -> list[int]:
    """Return the positions of the rows that hold something (vectorised: files have millions)."""
    lengths = np.fromiter(map(len, rows), dtype="int64", count=len(rows))
    blank = lengths == 0
    for i in np.flatnonzero(lengths == 1):
        blank[i] = not rows[i][0].strip()
    return np.flatnonzero(~blank).tolist()


def _blank(row: list[str]) -> bool:
    return not row or (len(row) == 1 and not row[0].strip())


def _scan(
    lines: list[str], delimiter: str, first: int, *, width: int | None = None
) -> tuple[list[list[str]], list[int], list[int], list[tuple[int, int, str]]]:
    """Return records with their first/last lines, resynchronising after a broken quote.

    With `width` (the header's field count), a record that spans several lines with another
    field count, or breaks off with a quoting error, is taken for a stray quote when the line
    after its first one reads as a record on its own: its first line becomes a problem and
    reading restarts on the next line. Otherwise the whole record is one rejected row.
    """
    rows: list[list[str]] = []
    starts: list[int] = []
    ends: list[int] = []
    problems: list[tuple[int, int, str]] = []
    position = first  # 0-based index of the next line to read
    header_seen = False
    while position < len(lines):
        reader = csv.reader(
            (line + "\n" for line in itertools.islice(lines, position, None)),
            delimiter=delimiter,
            strict=True,
        )
        consumed = 0
        try:
            for row in reader:
                start, end = position + consumed + 1, position + reader.line_num
                consumed = reader.line_num
                wrong = width is not None and header_seen and end > start and len(row) != width
                if wrong and _reads_alone(lines, start, delimiter, width):
                    problems.append((start, start, _UNCLOSED))
                    position = start
                    break
                header_seen = header_seen or not _blank(row)
                rows.append(row)
                starts.append(start)
                ends.append(end)
            else:
                position = len(lines)
        except csv.Error as exc:
            start = position + consumed + 1
            end = max(start, position + reader.line_num)
            whole = _lenient_record(lines, start, delimiter, width)
            if whole is not None and end == start and "expected after" in str(exc):
                # Text after a closing quote: the record itself is intact, reject all of it.
                problems.append((start, whole, _quote_problem(str(exc))))
                position = whole
            elif end > start and not _reads_alone(lines, start, delimiter, width):
                problems.append((start, end, _quote_problem(str(exc))))
                position = end
            else:
                reason = _UNCLOSED if end > start else _quote_problem(str(exc))
                problems.append((start, start, reason))
                position = start
    return rows, starts, ends, problems


def _lenient_record(lines: list[str], start: int, delimiter: str, width: int | None) -> int | None:
    """Return the last line of the record starting on line `start` read leniently, if it is whole.

    Whole means the header's field count, or a single line; otherwise None.
    """
    reader = csv.reader(
        (line + "\n" for line in itertools.islice(lines, start - 1, None)), delimiter=delimiter
    )
    try:
        row = next(reader)
    except (csv.Error, StopIteration):
        return None
    end = start - 1 + reader.line_num
    return end if width is None or len(row) == width or end == start else None


def _reads_alone(lines: list[str], index: int, delimiter: str, width: int | None) -> bool:
    """True when the first non-blank line from `index` on is a row by itself (maybe a bad one).

    The tail of a quoted value (`two lines",x`) has an odd number of quotes; a row of its own
    has its quotes paired on the line and two fields or more.
    """
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines):
        return True  # nothing follows: the broken line is the last one
    line = lines[index]
    if line.count('"') % 2:
        return False
    try:
        parsed = list(csv.reader([line + "\n"], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return "expected after" in str(exc)  # text after a closing quote: a bad row of its own
    return len(parsed) == 1 and (len(parsed[0]) >= 2 or len(parsed[0]) == width)


def _quote_problem(message: str) -> str:
    """Return a reader error in the words of a spreadsheet user."""
    if "expected after" in message:
        return "text after a closing quote (a quoted value must end at the delimiter)"
    if "end of data" in message:
        return _UNCLOSED
    return f"unreadable line ({message})"
