"""Delimited text: file bytes, encoding detection, delimiter sniffing and record splitting."""

from __future__ import annotations

import csv
import gc
import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import numpy as np

from segmint.errors import InputError

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_LINES = 50
_SNIFF_CHARS = 256 * 1024
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
    for line in io.StringIO(text[:_SNIFF_CHARS], newline=""):
        if line.strip():
            sample_lines.append(line)
        if len(sample_lines) >= _SNIFF_LINES:
            break
    sample = "".join(sample_lines)
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        if not counts or counts[0] < 2:
            continue
        header = counts[0]
        consistent = sum(1 for c in counts if c == header) / len(counts)
        score = (consistent, header)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def split_records(text: str, delimiter: str, *, source: str = "") -> Records:
    """Split a delimited text into header and records; quoted fields may hold delimiters/newlines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InputError(f"{source}: line {reader.line_num}: {exc}") from None
    physical = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if len(rows) == physical and "\r" not in text.replace("\r\n", ""):
        # Every record is one line (the common case): line numbers are positions.
        starts = np.arange(1, len(rows) + 1, dtype="int64")
        ends = starts
    else:
        starts, ends = _record_lines(text, delimiter)
    lengths = np.fromiter(map(len, rows), dtype="int64", count=len(rows))
    blank = lengths == 0
    single = np.flatnonzero(lengths == 1)
    if single.size:
        blank[single] = [not rows[i][0].strip() for i in single]
    keep = np.flatnonzero(~blank)
    if keep.size == 0:
        raise InputError(f"{source}: the file is empty (no header line)")
    if separator_hint(text) is not None:
        keep = keep[1:]  # Excel's "sep=;" line comes before the header
        if keep.size == 0:
            raise InputError(f"{source}: the file is empty (no header line)")
    header = [clean_header(name) for name in rows[keep[0]]]
    keep = keep[1:]
    body = rows[1:] if keep.size == len(rows) - 1 else [rows[i] for i in keep]
    return Records(header, body, starts[keep].tolist(), ends[keep].tolist(), text)


def _record_lines(text: str, delimiter: str) -> tuple[np.ndarray, np.ndarray]:
    """Return each record's first and last physical line (records may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    starts: list[int] = []
    ends: list[int] = []
    previous_end = 0
    for _row in reader:
        starts.append(previous_end + 1)
        previous_end = reader.line_num
        ends.append(previous_end)
    return np.asarray(starts, dtype="int64"), np.asarray(ends, dtype="int64")
