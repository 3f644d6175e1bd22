"""Read a transactions export with PySpark: rows split, parsed and quarantined in the engine.

The loaded rows stay a Spark frame; only the counts, the stats and the rejected rows come back
to Python. Accounting is the pandas reader's: rows read = loaded + rejected, the same reasons
and physical line numbers. What the Spark path does not take (line items, status, currency,
discounts, a record whose quoted value spans lines) is named in docs/spark.md.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from segmint.contract import REJECTED_COLUMNS, SOURCE_LINE_COLUMN
from segmint.errors import InputError, MissingColumnError
from segmint.safe_output import money_text
from segmint.sources import parsing
from segmint.sources.columns import detect_columns
from segmint.sources.normalise import overrides_from
from segmint.sources.result import IngestResult, ReadOptions
from segmint.sources.spark_parse import with_amount, with_date, with_id
from segmint.sources.spark_text import read_records

TEXT_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".txt.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
_REQUIRED = ("customer_id", "occurred_at", "amount")
# Columns whose meaning changes amounts or refunds: reading them wrong would change the numbers.
_NOT_ON_SPARK = ("quantity", "unit_price", "invoice_id", "status", "is_refund", "discount",
                 "currency")  # fmt: skip


@dataclass
class SparkIngest:
    """Loaded rows as a Spark frame, rejected rows as pandas, and how the source was read."""

    loaded: Any  # pyspark.sql.DataFrame: customer_id, occurred_at, amount, is_refund, _line
    rejected: pd.DataFrame
    rows_read: int
    rows_loaded: int
    column_map: dict[str, str]
    encoding: str | None
    delimiter: str | None
    stats: dict[str, Any] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)

    def release(self) -> None:
        """Drop the cached rows from Spark's memory."""
        self.loaded.unpersist()


def read_transactions_spark(
    spark: Any, path: str | Path, *, options: ReadOptions | None = None, scratch: Path
) -> SparkIngest:
    """Read a transactions CSV/TSV (optionally .gz) or Parquet file on Spark, with quarantine."""
    options = options or ReadOptions()
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    if not path.name.lower().endswith(TEXT_SUFFIXES + PARQUET_SUFFIXES):
        raise InputError(
            f"{path}: unsupported file type; use one of {', '.join(TEXT_SUFFIXES + PARQUET_SUFFIXES)}"
        )
    records = read_records(spark, path, encoding=options.encoding, delimiter=options.delimiter,
                           scratch=scratch, source=source)  # fmt: skip
    column_map = detect_columns(
        records.headers, records.sample, "transactions", overrides=overrides_from(options),
        source=source,
    )  # fmt: skip
    _check_columns(column_map, records.headers, source)
    ignored = sorted(c for c in column_map if c not in (*_REQUIRED, "transaction_id"))
    position = {h: c for h, c in zip(records.headers, records.columns, strict=True)}

    def col(canonical: str) -> str:
        return position[column_map[canonical]]

    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    frame = records.frame
    stats: dict[str, Any] = {}
    frame = with_id(frame, col("customer_id"), "customer_id")
    try:
        frame, date_notes = with_date(frame, col("occurred_at"), "occurred_at",
                                      date_format=options.date_format, dayfirst=options.dayfirst)  # fmt: skip
    except InputError as exc:
        raise InputError(f"{source}: column {column_map['occurred_at']!r}: {exc}") from None
    try:
        frame, amount_notes = with_amount(frame, col("amount"), "amount",
                                          decimal=options.decimal, delimiter=records.delimiter)  # fmt: skip
    except InputError as exc:
        raise InputError(f"{source}: column {column_map['amount']!r}: {exc}") from None
    for canonical, notes in (("occurred_at", date_notes), ("amount", amount_notes)):
        for key, note in notes.items():
            stats.setdefault("formats", {})[f"{canonical}.{key}"] = note
    frame = frame.withColumn(
        "customer_id_reason",
        F.coalesce(F.col("customer_id_reason"),
                   F.when(F.col("customer_id").isNull(), F.lit("missing customer id"))),
    )  # fmt: skip
    checked = ["customer_id", "occurred_at", "amount"]
    if "transaction_id" in column_map:
        frame = with_id(frame, col("transaction_id"), "transaction_id")
        checked.append("transaction_id")
    reason = F.coalesce(F.col("problem"), *[F.col(f"{c}_reason") for c in checked])
    column = F.when(F.col("problem").isNotNull(), F.lit(None).cast("string"))
    for canonical in checked:
        column = column.when(F.col(f"{canonical}_reason").isNotNull(), F.lit(column_map[canonical]))
    extra = ["transaction_id"] if "transaction_id" in column_map else []
    parsed = frame.select(
        "line", "raw", reason.alias("reason"), column.alias("column"),
        "customer_id", "occurred_at", "amount", *extra,
    ).persist(StorageLevel.MEMORY_AND_DISK)  # fmt: skip

    ok = F.col("reason").isNull()
    cents = (F.col("amount") * 100).cast("long")
    totals = parsed.agg(
        F.count(F.lit(1)).alias("rows"),
        F.count(F.when(ok, 1)).alias("loaded"),
        F.count(F.when(ok & (F.col("amount") < 0), 1)).alias("refunds"),
        F.coalesce(F.sum(F.when(ok & (F.col("amount") < 0), cents)), F.lit(0)).alias("refund_cents"),
        F.count(F.when(ok & (cents == 0), 1)).alias("zero_amount"),
    ).collect()[0]  # fmt: skip
    stats["refunds"] = int(totals["refunds"])
    stats["refund_amount"] = money_text(Decimal(int(totals["refund_cents"])).scaleb(-2))
    stats["cancellations"] = 0
    stats["zero_amount"] = int(totals["zero_amount"])
    rejected = _rejected(parsed, source)
    by_column = rejected.loc[rejected["column"].notna()].groupby("column").size()
    if len(by_column):
        stats["rejected_by_column"] = {str(k): int(v) for k, v in by_column.items()}
    keep = ["customer_id", "occurred_at", "amount", *(["transaction_id"] if extra else [])]
    loaded = parsed.where(ok).select(
        *keep, (F.col("amount") < 0).alias("is_refund"), F.col("line").alias(SOURCE_LINE_COLUMN)
    )
    return SparkIngest(
        loaded=loaded,
        rejected=rejected,
        rows_read=int(totals["rows"]),
        rows_loaded=int(totals["loaded"]),
        column_map={k: v for k, v in column_map.items() if k not in ignored},
        encoding=records.encoding,
        delimiter=records.delimiter,
        stats=stats,
        ignored_columns=[column_map[c] for c in ignored],
    )


def read_source_on_spark(path: str | Path, *, options: ReadOptions | None = None) -> IngestResult:
    """Return the IngestResult of a transactions file read on Spark, for a workspace's DuckDB store.

    The store is one DuckDB file with one writer, so the loaded rows come back (as Arrow) to be
    written there; parsing and quarantine happened in Spark.
    """
    from segmint.engine import spark_session

    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="segmint-spark-") as scratch:
        ingest = read_transactions_spark(spark_session(), path, options=options,
                                         scratch=Path(scratch))  # fmt: skip
        try:
            loaded = ingest.loaded.toPandas()
        finally:
            ingest.release()
    for name in ("customer_id", "transaction_id"):
        if name in loaded.columns:
            loaded[name] = loaded[name].astype(parsing.TEXT_DTYPE)
    loaded["occurred_at"] = pd.to_datetime(loaded["occurred_at"]).astype("datetime64[ns]")
    loaded["amount"] = loaded["amount"].astype("float64")
    loaded = loaded.sort_values(SOURCE_LINE_COLUMN, ignore_index=True)
    with path.open("rb") as handle:
        content_hash = hashlib.file_digest(handle, "sha256").hexdigest()
    return IngestResult(
        table="transactions",
        source=str(path),
        content_hash=content_hash,
        rows_read=ingest.rows_read,
        loaded=loaded,
        rejected=ingest.rejected,
        column_map=ingest.column_map,
        encoding=ingest.encoding,
        delimiter=ingest.delimiter,
        stats=ingest.stats,
    )


def _check_columns(column_map: dict[str, str], headers: list[str], source: str) -> None:
    """Raise for a missing required column or a column the Spark path does not parse."""
    unsupported = [c for c in _NOT_ON_SPARK if c in column_map]
    for canonical in _REQUIRED:
        if canonical not in column_map:
            hint = f"name it with columns: {{{canonical}: <header>}}"
            if canonical == "amount" and {"quantity", "unit_price"} <= column_map.keys():
                hint = "the spark engine needs an amount column; line items need --engine duckdb"
            raise MissingColumnError(source, canonical, headers, hint=hint)
    if unsupported:
        names = ", ".join(f"{column_map[c]!r} ({c})" for c in unsupported)
        raise InputError(
            f"{source}: the spark engine does not read {names} yet (it changes amounts or "
            "refunds); read this file with the duckdb engine (--engine duckdb, engine: duckdb)"
        )


def _rejected(parsed: Any, source: str) -> pd.DataFrame:
    """Return the rejected rows in file order, as the pandas reader lists them."""
    from pyspark.sql import functions as F

    rows = (
        parsed.where(F.col("reason").isNotNull())
        .select("line", "column", "reason", "raw")
        .orderBy("line")
        .toPandas()
    )
    rows.insert(0, "file", source)
    rows["line"] = rows["line"].astype("int64")
    return rows.reindex(columns=list(REJECTED_COLUMNS))
