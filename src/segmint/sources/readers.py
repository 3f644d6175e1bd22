"""Read transaction/customer/... sources (CSV, TSV, gzip, Parquet, DuckDB and PostgreSQL tables)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd
import pyarrow as pa

from segmint.config import check_date_format, delimiter_character
from segmint.contract import contract_for
from segmint.errors import InputError, MissingColumnError
from segmint.sources import parsing, text
from segmint.sources.engine_parquet import read_parquet_in_engine
from segmint.sources.normalise import normalise, unique_headers
from segmint.sources.result import IngestResult, ReadOptions, empty_rejected

TEXT_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".txt.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")


def read_source(
    path: str | Path, *, table: str = "transactions", options: ReadOptions | None = None
) -> IngestResult:
    """Read a CSV/TSV/TXT (optionally .gz) or Parquet file into canonical rows of `table`."""
    contract_for(table)
    options = options or ReadOptions()
    _check_options(options)
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    name = path.name.lower()
    content_hash = _file_hash(path)
    source = str(path)
    if name.endswith(PARQUET_SUFFIXES):
        engine = read_parquet_in_engine(path, table=table, options=options, source=source,
                                        content_hash=content_hash)  # fmt: skip
        if engine is not None:
            return engine
        frame = _read_parquet(path)
        return _from_frame(frame, table=table, options=options, source=source,
                           content_hash=content_hash)  # fmt: skip
    if not name.endswith(TEXT_SUFFIXES):
        raise InputError(
            f"{path}: unsupported file type; use one of {', '.join(TEXT_SUFFIXES + PARQUET_SUFFIXES)}"
        )
    frame, records, encoding, delimiter = _read_text_frame(path, options.encoding,
                                                           options.delimiter, source)  # fmt: skip
    lines = np.asarray(records.start_lines, dtype="int64")
    try:
        result = normalise(
            frame, lines, records.raw, table=table, options=options, source=source,
            delimiter=delimiter,
        )  # fmt: skip
    except MissingColumnError:
        if len(frame.columns) < 2 or (records.count and frame.empty):
            # Not shown to be a delimited export: its "header" may be a secret's first line.
            raise InputError(
                f"{source}: not a delimited export (no header line whose columns the rows "
                "follow); check the path and the delimiter"
            ) from None
        raise
    rejected = result.rejected
    if records.bad_field_rows or records.skipped_lines():
        rejected = pd.concat([records.bad_field_rejects(source), rejected], ignore_index=True)
        rejected = rejected.sort_values("line", kind="stable", ignore_index=True)
    return IngestResult(
        table=table,
        source=source,
        content_hash=content_hash,
        rows_read=records.count,
        loaded=result.loaded,
        rejected=rejected,
        column_map=result.column_map,
        encoding=encoding,
        delimiter=delimiter,
        stats=result.stats,
    )


def read_database_table(
    url_or_path: str | Path,
    name: str,
    *,
    table: str,
    options: ReadOptions | None = None,
) -> IngestResult:
    """Read table `name` (optionally `schema.name`) of a DuckDB file or postgres:// URL via Ibis."""
    import ibis

    contract_for(table)
    options = options or ReadOptions()
    _check_options(options)
    location = str(url_or_path)
    is_url = "://" in location
    if is_url:
        scheme = urlsplit(location).scheme
        if scheme not in ("postgres", "postgresql"):
            raise InputError(f"{_redact(location)}: unsupported database URL; use postgres://...")
        con: Any = ibis.connect(location.replace("postgresql://", "postgres://", 1))
    else:
        if not Path(location).is_file():
            raise InputError(f"{location}: database file not found")
        con = ibis.duckdb.connect(location, read_only=True)
    schema, _, bare = name.rpartition(".")
    try:
        expr = con.table(bare, database=schema or None)
        frame = expr.to_pandas()
    except Exception as exc:  # the backends raise many types for a missing table
        raise InputError(f"{_redact(location)}: cannot read table {name!r} ({exc})") from None
    finally:
        disconnect = getattr(con, "disconnect", None)
        if disconnect is not None:
            disconnect()
    content_hash = hashlib.sha256(
        pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
        + "\x1f".join(map(str, frame.columns)).encode()
    ).hexdigest()
    source = f"{_redact(location)}#{name}"
    return _from_frame(frame, table=table, options=options, source=source,
                       content_hash=content_hash)  # fmt: skip


def read_table(
    path: str | Path, *, encoding: str | None = None, delimiter: str | None = None
) -> pd.DataFrame:
    """Return a flat table (CSV/TSV/Parquet) with numeric-looking text columns typed as numbers."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        frame = _read_parquet(path)
        frame.columns = unique_headers([str(c) for c in frame.columns])
    elif name.endswith(TEXT_SUFFIXES):
        frame, records, used_encoding, used_delimiter = _read_text_frame(
            path, encoding, delimiter, str(path)
        )
        frame.attrs.update(
            encoding=used_encoding,
            delimiter=used_delimiter,
            skipped_lines=records.skipped_lines(),
        )
    else:
        raise InputError(
            f"{path}: unsupported file type; use one of {', '.join(TEXT_SUFFIXES + PARQUET_SUFFIXES)}"
        )
    typed = pd.DataFrame({c: parsing.infer_column(frame[c]) for c in frame.columns})
    typed.attrs.update(frame.attrs)
    return typed


def _read_text_frame(
    path: Path, encoding: str | None, delimiter: str | None, source: str
) -> tuple[pd.DataFrame, _TextRecords | _OneLineRecords, str, str]:
    """Decode, sniff and split a text file; return good rows as a frame of pyarrow strings."""
    decoded, used_encoding = text.decode(text.read_bytes(path), encoding, source=source)
    decoded = text.normalise_line_endings(decoded)
    used_delimiter = _delimiter(delimiter) or text.sniff_delimiter(decoded)
    fast = _one_line_frame(decoded, used_delimiter)
    if fast is not None:
        return fast[0], fast[1], used_encoding, used_delimiter
    with text.paused_gc():
        split = text.split_records(decoded, used_delimiter, source=source)
        headers = unique_headers(split.header)
        records = _TextRecords(split, len(headers))
        good = records.good_rows
        kept = split.rows if len(good) == len(split.rows) else [split.rows[i] for i in good]
        columns = list(zip(*kept, strict=True)) if kept else []
        data = {
            header: pd.Series(
                pa.array(columns[k] if columns else [], type=pa.string()),
                dtype=parsing.TEXT_DTYPE,
            )
            for k, header in enumerate(headers)
        }
        del columns, kept
    frame = pd.DataFrame(data)
    return frame, records, used_encoding, used_delimiter


def _one_line_frame(decoded: str, delimiter: str) -> tuple[pd.DataFrame, _OneLineRecords] | None:
    """Parse with Arrow's CSV reader when every record is exactly one line; else return None.

    Arrow is ~4x faster than Python's csv module but can't say where a record started, so it is
    only trusted when the record count equals the line count (no blank lines, no quoted
    newlines, no rows with the wrong field count); the csv path handles everything else.
    """
    import pyarrow.csv as pacsv

    first_end = decoded.find("\n")
    first = decoded if first_end < 0 else decoded[:first_end]
    if not first.strip() or text.separator_hint(decoded) is not None:
        return None
    if '"' in decoded and (decoded.count('"') % 2 or _suspect_quote(delimiter).search(decoded)):
        # Arrow merges `"10.00"5` into 10.005 and accepts a quote left open at the end of the
        # file; the csv path rejects both at their line.
        return None
    header = next(csv.reader([first.rstrip("\r")], delimiter=delimiter), [])
    if len(header) < 2:
        return None
    headers = unique_headers([text.clean_header(h) for h in header])
    physical = decoded.count("\n") + (0 if decoded.endswith("\n") else 1)
    invalid: list[object] = []

    def on_invalid(row: object) -> str:
        invalid.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(decoded.encode("utf-8")),
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=headers),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                ignore_empty_lines=True,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in headers},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if invalid or table.num_rows + 1 != physical:
        return None
    frame = pd.DataFrame(
        {
            h: pd.Series(pd.arrays.ArrowStringArray(table.column(k).cast(pa.string())))
            for k, h in enumerate(headers)
        }
    )
    return frame, _OneLineRecords(decoded, table.num_rows)


def _suspect_quote(delimiter: str) -> re.Pattern[str]:
    """Return a pattern for a quote that neither opens nor closes a field cleanly."""
    d = re.escape(delimiter)
    # An odd run of quotes after text (escaped "" pairs, then the closing one), then more text.
    return re.compile(f'(?<=[^{d}"\\r\\n])(?:"")*"[^{d}"\\r\\n]')


class _OneLineRecords:
    """Records that are exactly one line each: record k (0-based) is line k + 2."""

    def __init__(self, decoded: str, count: int) -> None:
        self.decoded = decoded
        self.count = count
        self.start_lines = np.arange(2, count + 2, dtype="int64")
        self.bad_field_rows: list[int] = []
        self._lines: list[str] | None = None

    def raw(self, position: int) -> str:
        """Return the original text of record `position`."""
        if self._lines is None:
            self._lines = self.decoded.split("\n")
        return self._lines[position + 1].rstrip("\r")

    def bad_field_rejects(self, source: str) -> pd.DataFrame:
        """Return no rejects: every record had the header's field count."""
        return empty_rejected()

    def skipped_lines(self) -> list[int]:
        """Return no lines: none were skipped."""
        return []


class _TextRecords:
    """Split records with the rows whose field count differs from the header set apart."""

    def __init__(self, split: text.Records, width: int) -> None:
        self.split = split
        self.width = width
        self.count = len(split.rows) + len(split.problems)
        counts = np.fromiter((len(r) for r in split.rows), dtype="int64", count=len(split.rows))
        self.bad_field_rows = np.flatnonzero(counts != width).tolist()
        self.good_rows = np.flatnonzero(counts == width).tolist()
        starts = np.asarray(split.start_lines, dtype="int64")
        self.start_lines = starts[self.good_rows]
        self._counts = counts

    def raw(self, position: int) -> str:
        """Return the original text of the good row at `position`."""
        return self.split.raw(self.good_rows[position])

    def skipped_lines(self) -> list[int]:
        """Return the first line of every record with the wrong number of fields or bad quotes."""
        lines = [self.split.start_lines[i] for i in self.bad_field_rows]
        return sorted(lines + [line for line, _, _ in self.split.problems])

    def bad_field_rejects(self, source: str) -> pd.DataFrame:
        """Return rejected rows for records with the wrong number of fields."""
        bad = self.bad_field_rows
        problems = self.split.problems
        lines = self.split.lines
        return pd.DataFrame(
            {
                "file": source,
                "line": [self.split.start_lines[i] for i in bad] + [n for n, _, _ in problems],
                "column": [None] * (len(bad) + len(problems)),
                "reason": [f"expected {self.width} fields, found {self._counts[i]}" for i in bad]
                + [reason for _, _, reason in problems],
                "raw": [self.split.raw(i) for i in bad]
                + ["\n".join(x.rstrip("\r") for x in lines[n - 1 : m]) for n, m, _ in problems],
            }
        )


def _from_frame(
    frame: pd.DataFrame, *, table: str, options: ReadOptions, source: str, content_hash: str
) -> IngestResult:
    """Normalise an already-typed frame (Parquet, database); line = 1-based row number."""
    frame = frame.reset_index(drop=True)
    frame.columns = unique_headers([str(c) for c in frame.columns])
    for column in frame.columns:
        if pd.api.types.is_object_dtype(frame[column]):
            frame[column] = _object_to_text(frame[column])
    lines = np.arange(1, len(frame) + 1, dtype="int64")

    def raw(position: int) -> str:
        return ",".join("" if pd.isna(v) else str(v) for v in frame.iloc[position].tolist())

    result = normalise(frame, lines, raw, table=table, options=options, source=source)
    return IngestResult(
        table=table,
        source=source,
        content_hash=content_hash,
        rows_read=len(frame),
        loaded=result.loaded,
        rejected=result.rejected,
        column_map=result.column_map,
        encoding=None,
        delimiter=None,
        stats=result.stats,
    )


def _object_to_text(values: pd.Series) -> pd.Series:
    """Object columns from databases hold str, Decimal, date...: render them as text to parse."""
    present = values.dropna()
    if present.map(lambda v: isinstance(v, str)).all():
        return values.astype(parsing.TEXT_DTYPE)
    if present.map(lambda v: hasattr(v, "as_tuple")).all():  # decimal.Decimal
        return values.astype("float64")
    return values.map(lambda v: None if v is None or v is pd.NA else str(v)).astype(
        parsing.TEXT_DTYPE
    )


def _file_hash(path: Path) -> str:
    """Return the SHA-256 of a file, read in chunks so a large export is never held whole."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None


def _check_options(options: ReadOptions) -> None:
    """Raise InputError for options that would fail later, deep inside parsing."""
    try:
        if options.date_format is not None:
            check_date_format(options.date_format)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if options.decimal not in (None, ".", ","):
        raise InputError(f"decimal must be '.' or ',', got {options.decimal!r}")
    _delimiter(options.delimiter)


def _delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return delimiter_character(value)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _redact(location: str) -> str:
    """Return a URL without its password."""
    if "://" not in location:
        return location
    parts = urlsplit(location)
    if parts.password is None:
        return location
    netloc = re.sub(r":[^:@]*@", ":***@", parts.netloc, count=1)
    return urlunsplit(parts._replace(netloc=netloc))
