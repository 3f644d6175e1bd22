"""Read a CSV or Parquet export into a Spark frame of records that keep their physical line number.

The pandas reader is the reference. Headers, encoding and the delimiter are decided from the
first megabyte with the same functions (`text.decode`, `text.sniff_delimiter`,
`text.split_records`); the rows themselves are split by Spark. A record's line number is its
physical line in the file (the header is line 1): lines are read by Spark's text source, numbered
inside each partition by `monotonically_increasing_id` and shifted by the line counts of the
partitions before it, which for one file follow the file's byte order. Text Spark cannot read as
UTF-8 (CP949 and other encodings) is first transcoded to a UTF-8 file, in a streaming pass.
"""

from __future__ import annotations

import codecs
import gzip
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

import pandas as pd
import pyarrow.parquet as pq

from segmint.errors import InputError
from segmint.sources import parsing, text
from segmint.sources.normalise import unique_headers

SAMPLE_BYTES = 1024 * 1024
SAMPLE_ROWS = 500
_CHUNK = 4 * 1024 * 1024
_UTF8 = ("utf-8", "utf-8-sig", "ascii")
UNCLOSED_QUOTE = "unterminated quote: the quote opened on this line does not close on it"
TEXT_AFTER_QUOTE = "text after a closing quote (a quoted value must end at the delimiter)"
# Spark's IDs put the partition index above bit 33 and the row's position in it below.
_POSITION_BITS = 33


@dataclass
class SourceRecords:
    """One row per record: `line`, `raw` (its text), `problem` (a record-level reject reason or
    NULL) and one column per header (`c0`, `c1`, ...: text for CSV, typed for Parquet)."""

    frame: Any  # pyspark.sql.DataFrame
    headers: list[str]
    columns: list[str]
    sample: pd.DataFrame
    encoding: str | None
    delimiter: str | None


def read_records(
    spark: Any,
    path: Path,
    *,
    encoding: str | None,
    delimiter: str | None,
    scratch: Path,
    source: str,
) -> SourceRecords:
    """Return the records of a CSV/TSV (optionally .gz) or Parquet file as a Spark frame."""
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return _parquet_records(spark, path, source)
    return _text_records(spark, path, encoding, delimiter, scratch, source)


def numbered(frame: Any) -> Any:
    """Return `frame` with `line`: its 1-based row position in the file, computed in the engine."""
    from pyspark.sql import functions as F

    tagged = frame.withColumn("_id", F.monotonically_increasing_id()).withColumn(
        "_part", F.spark_partition_id()
    )
    counts = sorted(
        (int(row["_part"]), int(row["n"]))
        for row in tagged.groupBy("_part").agg(F.count(F.lit(1)).alias("n")).collect()
    )
    offsets, total = {}, 0
    for part, n in counts:
        offsets[part] = total
        total += n
    offset = F.lit(0).cast("long")
    for part, start in offsets.items():
        offset = F.when(F.col("_part") == part, F.lit(start)).otherwise(offset)
    position = F.col("_id").bitwiseAND(F.lit((1 << _POSITION_BITS) - 1))
    return tagged.withColumn("line", offset + position + 1).drop("_id", "_part")


def _text_records(
    spark: Any, path: Path, encoding: str | None, delimiter: str | None, scratch: Path, source: str
) -> SourceRecords:
    from pyspark.sql import functions as F

    head = _head(path)
    decoded, used_encoding = text.decode(head, encoding, source=source)
    decoded = text.normalise_line_endings(decoded)
    used_delimiter = _delimiter_or_sniffed(delimiter, decoded)
    split = text.split_records(decoded, used_delimiter, source=source)
    header_line = split.start_lines[0] - 1 if split.rows else 1
    headers = unique_headers(split.header)
    if len(headers) < 2:
        raise InputError(
            f"{source}: not a delimited export (no header line whose columns the rows "
            "follow); check the path and the delimiter"
        )
    sample = _text_sample(split, headers)
    readable = path
    if used_encoding not in _UTF8:
        readable = _transcoded(path, used_encoding, scratch, source)
    lines = numbered(spark.read.text(str(readable)))
    body = lines.where((F.col("line") > header_line) & (F.trim(F.col("value")) != ""))
    columns = [f"c{k}" for k in range(len(headers))]
    schema = ", ".join(f"{c} STRING" for c in columns)
    csv_options = {"sep": used_delimiter, "quote": '"', "escape": '"', "mode": "PERMISSIVE"}
    raw = F.regexp_replace(F.col("value"), "\r$", "")
    body = body.select(F.col("line"), raw.alias("raw"))
    fields = F.from_csv(F.col("raw"), schema, csv_options)
    found = _field_count(F.col("raw"), used_delimiter)
    problem = (
        F.when(~F.col("raw").rlike(_record_pattern(used_delimiter)),
               F.when(F.col("raw").rlike(_open_quote(used_delimiter)), F.lit(UNCLOSED_QUOTE))
               .otherwise(F.lit(TEXT_AFTER_QUOTE)))
        .when(found != len(headers),
              F.concat(F.lit(f"expected {len(headers)} fields, found "), found.cast("string")))
    )  # fmt: skip
    frame = body.select("line", "raw", problem.alias("problem"), fields.alias("_fields")).select(
        "line", "raw", "problem", *[F.col(f"_fields.{c}").alias(c) for c in columns]
    )
    return SourceRecords(frame, headers, columns, sample, used_encoding, used_delimiter)


def _parquet_records(spark: Any, path: Path, source: str) -> SourceRecords:
    from pyspark.sql import functions as F

    try:
        schema = pq.read_schema(path)
        first = next(pq.ParquetFile(path).iter_batches(batch_size=SAMPLE_ROWS), None)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    headers = unique_headers([str(c) for c in schema.names])
    sample = (first if first is not None else schema.empty_table()).to_pandas()
    sample.columns = headers
    for column in sample.columns:
        if pd.api.types.is_object_dtype(sample[column]):
            present = sample[column].dropna()
            if present.map(lambda v: isinstance(v, str)).all():
                sample[column] = sample[column].astype(parsing.TEXT_DTYPE)
    frame = spark.read.parquet(str(path))
    columns = [f"c{k}" for k in range(len(headers))]
    frame = numbered(frame.toDF(*columns))
    raw = F.concat_ws(",", *[F.coalesce(F.col(c).cast("string"), F.lit("")) for c in columns])
    frame = frame.select("line", raw.alias("raw"), F.lit(None).cast("string").alias("problem"),
                         *columns)  # fmt: skip
    return SourceRecords(frame, headers, columns, sample, None, None)


def _head(path: Path) -> bytes:
    """Return the first megabyte of the (decompressed) file, cut after its last full line."""
    try:
        with _open(path) as handle:
            head = handle.read(SAMPLE_BYTES)
            more = bool(handle.read(1))
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: not a readable gzip file ({exc})") from None
    if more and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    return head


def _open(path: Path) -> BinaryIO:
    if path.name.lower().endswith(".gz"):
        return cast(BinaryIO, gzip.open(path, "rb"))
    return path.open("rb")


def _transcoded(path: Path, encoding: str, scratch: Path, source: str) -> Path:
    """Return a UTF-8 copy of the file in `scratch`, decoded chunk by chunk (never held whole)."""
    target = scratch / "transcoded.csv"
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    with _open(path) as reader, target.open("w", encoding="utf-8", newline="") as writer:
        while True:
            chunk = reader.read(_CHUNK)
            try:
                writer.write(decoder.decode(chunk, final=not chunk))
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{source}: cannot decode as {encoding} at byte {offset + exc.start}; "
                    "pass the encoding explicitly"
                ) from None
            if not chunk:
                break
            offset += len(chunk)
    return target


def _delimiter_or_sniffed(delimiter: str | None, decoded: str) -> str:
    from segmint.config import delimiter_character

    if delimiter is None:
        return text.sniff_delimiter(decoded)
    try:
        return delimiter_character(delimiter)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _text_sample(split: text.Records, headers: list[str]) -> pd.DataFrame:
    """Return the first rows with the header's field count as text, for detecting columns."""
    rows = [row for row in split.rows[: SAMPLE_ROWS * 2] if len(row) == len(headers)]
    columns = list(zip(*rows[:SAMPLE_ROWS], strict=True)) if rows else [()] * len(headers)
    return pd.DataFrame(
        {h: pd.Series(list(columns[k]), dtype=parsing.TEXT_DTYPE) for k, h in enumerate(headers)}
    )


def _field_count(raw: Any, delimiter: str) -> Any:
    """Return a Column counting the fields of a one-line record (quoted delimiters don't split)."""
    from pyspark.sql import functions as F

    d = re.escape(delimiter)
    unquoted = F.regexp_replace(raw, f'(?<=^|{d})"(?:[^"]|"")*+"(?={d}|$)', "")
    return F.size(F.split(unquoted, d, -1))


def _record_pattern(delimiter: str) -> str:
    """Return a Java regex for a line that Python's csv module reads as one well-quoted record."""
    d = re.escape(delimiter)
    field = f'(?:"(?:[^"]|"")*+"|[^"{d}][^{d}]*+|)'
    return f"^{field}(?:{d}{field})*+$"


def _open_quote(delimiter: str) -> str:
    """Return a Java regex for a quoted value that is still open at the end of the line."""
    d = re.escape(delimiter)
    return f'(?:^|{d})"(?:[^"]|"")*+$'
