"""Read a transactions Parquet export in DuckDB: ids, dates and amounts parsed and checked in SQL.

The pandas reader (`readers._from_frame`) is the reference: this path gives the same loaded rows,
rejected rows, reasons and stats, without converting the file to pandas first. It takes the common
case only — typed columns (integer or text ids, timestamp or date dates, numeric amounts) and no
optional column but `transaction_id` — and answers None for anything else, so the caller falls
back to the pandas reader for that file (said in a debug log).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from segmint.contract import SOURCE_LINE_COLUMN
from segmint.errors import InputError
from segmint.safe_output import money_text
from segmint.sources import parsing
from segmint.sources.columns import detect_columns
from segmint.sources.normalise import overrides_from, unique_headers
from segmint.sources.result import IngestResult, ReadOptions

log = logging.getLogger("segmint.sources")

_SAMPLE_ROWS = 500
# The canonical columns this path parses; any other mapped column goes to the pandas reader.
_HANDLED = ("customer_id", "occurred_at", "amount", "transaction_id")
_ID_TYPES = ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT",
             "UTINYINT", "VARCHAR")  # fmt: skip
_AMOUNT_TYPES = ("DOUBLE", "FLOAT", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER",
                 "USMALLINT", "UTINYINT")  # fmt: skip
_DATE_TYPES = ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S",
               "TIMESTAMP WITH TIME ZONE", "DATE")  # fmt: skip
# pandas' datetime64[ns] range: outside it the pandas reader fails, so this path doesn't decide.
_FIRST_DAY, _LAST_DAY = "1677-09-22", "2262-04-10"
# An id the pandas rules would treat differently: a control character anywhere, or whitespace
# other than plain spaces at its edges (`str.strip()` removes it; Python's str.isspace).
_OTHER_SPACE = r"[\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
_UNCLEAN_ID = rf"[\x{{00}}-\x{{1f}}\x{{7f}}-\x{{9f}}]|^ *{_OTHER_SPACE}|{_OTHER_SPACE} *$"
_OUT_OF_RANGE = f"amount out of range (must be finite and below {parsing.MAX_AMOUNT:,.0f})"


@dataclass(frozen=True)
class _Plan:
    """Which header holds each canonical column, and its SQL type."""

    headers: list[str]
    sql_names: list[str]
    column_map: dict[str, str]
    types: dict[str, str]

    def quoted(self, canonical: str) -> str:
        """Return the SQL identifier of the source column mapped to `canonical`."""
        return _quote(self.sql_names[self.headers.index(self.column_map[canonical])])


def read_parquet_in_engine(
    path: Path, *, table: str, options: ReadOptions, source: str, content_hash: str
) -> IngestResult | None:
    """Return the IngestResult of a Parquet export read in DuckDB, or None to use the pandas reader."""
    if table != "transactions":
        return None
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    why = _unsupported_schema(schema)
    if why:
        log.debug("%s: read with pandas (%s)", source, why)
        return None
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        return _read(con, path, schema, options=options, source=source, content_hash=content_hash)
    finally:
        con.close()


def _read(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    schema: pa.Schema,
    *,
    options: ReadOptions,
    source: str,
    content_hash: str,
) -> IngestResult | None:
    sql_names = list(schema.names)
    headers = unique_headers([str(c) for c in sql_names])
    sample = _sample(path, headers)
    column_map = detect_columns(
        headers, sample, "transactions", overrides=overrides_from(options), source=source
    )
    for canonical in ("customer_id", "occurred_at", "amount"):
        if canonical not in column_map:
            return None  # the pandas reader names what is missing (or finds line items)
    extra = sorted(set(column_map) - set(_HANDLED))
    if extra:
        log.debug("%s: read with pandas (columns %s are parsed there)", source, ", ".join(extra))
        return None
    scan = f"read_parquet({_literal(str(path))}, file_row_number = true)"
    described = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    types = {str(name): str(kind) for name, kind, *_ in described}
    plan = _Plan(
        headers,
        sql_names,
        column_map,
        {h: types[n] for h, n in zip(headers, sql_names, strict=True)},
    )
    why = _unsupported_types(plan)
    if why:
        log.debug("%s: read with pandas (%s)", source, why)
        return None
    parsed = _parsed_sql(plan, scan)
    check = _check(con, parsed, plan)
    if check["unclean"]:
        log.debug("%s: read with pandas (%d values need its text rules)", source, check["unclean"])
        return None
    if check["first_day"] is not None and not (
        str(check["first_day"])[:10] >= _FIRST_DAY and str(check["last_day"])[:10] <= _LAST_DAY
    ):
        log.debug("%s: read with pandas (dates outside pandas' range)", source)
        return None

    loaded = _loaded(con, parsed, plan)
    rejected = _rejected(con, parsed if check["rejects"] else None, path, plan, source)
    stats: dict[str, Any] = {}
    if plan.types[column_map["occurred_at"]] == "DATE" and check["first_day"] is not None:
        stats["formats"] = {"occurred_at.date_format": "ISO 8601"}  # as the pandas reader notes
    stats["refunds"] = int(check["refunds"])
    stats["refund_amount"] = money_text(Decimal(int(check["refund_cents"])).scaleb(-2))
    stats["cancellations"] = 0
    stats["zero_amount"] = int(check["zero_amount"])
    if len(rejected):
        counts = rejected.groupby("column", dropna=False).size()
        stats["rejected_by_column"] = {str(k): int(v) for k, v in counts.items()}
    return IngestResult(
        table="transactions",
        source=source,
        content_hash=content_hash,
        rows_read=int(check["rows"]),
        loaded=loaded,
        rejected=rejected,
        column_map=column_map,
        encoding=None,
        delimiter=None,
        stats=stats,
    )


def _unsupported_schema(schema: pa.Schema) -> str | None:
    """Return why the pandas reader would see this file differently (index columns, categoricals)."""
    metadata = schema.pandas_metadata or {}
    if any(isinstance(c, str) for c in metadata.get("index_columns", [])):
        return "a stored pandas index"
    if any(c.get("pandas_type") == "categorical" for c in metadata.get("columns", [])):
        return "categorical columns"
    for field in schema:
        if pa.types.is_nested(field.type) or pa.types.is_dictionary(field.type):
            return f"column {field.name!r} has type {field.type}"
    return None


def _unsupported_types(plan: _Plan) -> str | None:
    """Return why a mapped column's type is not parsed here, or None."""
    allowed = {
        "customer_id": _ID_TYPES,
        "transaction_id": _ID_TYPES,
        "occurred_at": _DATE_TYPES,
        "amount": _AMOUNT_TYPES,
    }
    for canonical, header in plan.column_map.items():
        kind = plan.types[header]
        if canonical == "amount" and kind.startswith("DECIMAL"):
            continue
        if kind not in allowed[canonical]:
            return f"{canonical} column {header!r} is {kind}"
    return None


def _sample(path: Path, headers: list[str]) -> pd.DataFrame:
    """Return the first rows as the pandas reader sees them, for detecting columns by type."""
    batches = pq.ParquetFile(path).iter_batches(batch_size=_SAMPLE_ROWS)
    first = next(batches, None)
    frame = (first if first is not None else pq.read_schema(path).empty_table()).to_pandas()
    frame.columns = headers
    for column in frame.columns:
        if pd.api.types.is_object_dtype(frame[column]):
            present = frame[column].dropna()
            if present.map(lambda v: isinstance(v, str)).all():
                frame[column] = frame[column].astype(parsing.TEXT_DTYPE)
    return frame


def _id_sql(plan: _Plan, canonical: str) -> tuple[str, str, str]:
    """Return SQL for (the id as text or NULL, is it blank, does it need the pandas rules)."""
    column = plan.quoted(canonical)
    if plan.types[plan.column_map[canonical]] != "VARCHAR":
        return f"CAST({column} AS VARCHAR)", f"{column} IS NULL", "false"
    blank = _blank_sql(column)
    # Spaces around an id are stripped; other edge whitespace and control characters are left
    # to the pandas reader's rules (Unicode strip, control-character rejects).
    stripped = f"regexp_replace({column}, '^ +| +$', '', 'g')"
    unclean = f"(NOT {blank} AND regexp_matches({column}, '{_UNCLEAN_ID}'))"
    value = (
        f"CASE WHEN {blank} THEN NULL ELSE regexp_replace({stripped}, '^(\\d+)\\.0+$', '\\1') END"
    )
    return value, blank, unclean


def _blank_sql(column: str) -> str:
    """Return SQL that is true where the pandas reader sees a missing value or a null token."""
    tokens = "|".join(t for t in sorted(parsing.NULL_TOKENS) if t)
    return f"({column} IS NULL OR regexp_full_match(lower({column}), '[ \\t\\n\\r\\f]*(?:{tokens})?[ \\t\\n\\r\\f]*'))"


def _date_sql(plan: _Plan) -> str:
    column = plan.quoted("occurred_at")
    kind = plan.types[plan.column_map["occurred_at"]]
    if kind == "TIMESTAMP WITH TIME ZONE":
        return f"({column} AT TIME ZONE 'UTC')"
    if kind in ("TIMESTAMP", "TIMESTAMP_NS"):
        return column
    return f"CAST({column} AS TIMESTAMP)"


def _parsed_sql(plan: _Plan, scan: str) -> str:
    """Return a query of parsed columns, the reject reason and column, and the 1-based line."""
    customer, customer_blank, customer_unclean = _id_sql(plan, "customer_id")
    unclean = [customer_unclean]
    extra = ""
    if "transaction_id" in plan.column_map:
        txn, _blank, txn_unclean = _id_sql(plan, "transaction_id")
        unclean.append(txn_unclean)
        extra = f", {txn} AS transaction_id"
    date = plan.quoted("occurred_at")
    raw_amount = f"CAST({plan.quoted('amount')} AS DOUBLE)"
    amount_missing = f"({raw_amount} IS NULL OR isnan({raw_amount}))"
    out_of_range = f"(NOT {amount_missing} AND NOT (abs({raw_amount}) < {parsing.MAX_AMOUNT!r}))"
    id_header = _literal(plan.column_map["customer_id"])
    date_header = _literal(plan.column_map["occurred_at"])
    amount_header = _literal(plan.column_map["amount"])
    return f"""
        SELECT
            {customer} AS customer_id,
            {_date_sql(plan)} AS occurred_at,
            CASE WHEN {amount_missing} OR {out_of_range} THEN NULL
                 ELSE sign({raw_amount}) * floor(abs({raw_amount}) * 100 + 0.5 + 1e-9) / 100
            END AS amount{extra},
            CASE WHEN {customer_blank} THEN 'missing customer id'
                 WHEN {date} IS NULL THEN 'missing date'
                 WHEN {out_of_range} THEN {_literal(_OUT_OF_RANGE)}
                 WHEN {amount_missing} THEN 'missing amount'
            END AS reason,
            CASE WHEN {customer_blank} THEN {id_header}
                 WHEN {date} IS NULL THEN {date_header}
                 WHEN {out_of_range} OR {amount_missing} THEN {amount_header}
            END AS reject_column,
            ({" OR ".join(unclean)}) AS unclean,
            file_row_number + 1 AS line
        FROM {scan}
    """


def _check(con: duckdb.DuckDBPyConnection, parsed: str, plan: _Plan) -> dict[str, Any]:
    """Return the row count, the values this path can't parse, the date range and refund stats."""
    cents = "CAST(round(amount * 100) AS HUGEINT)"
    row = con.execute(
        f"""
        SELECT count(*) AS rows,
               count(*) FILTER (WHERE unclean) AS unclean,
               min(occurred_at) AS first_day,
               max(occurred_at) AS last_day,
               count(*) FILTER (WHERE reason IS NULL AND amount < 0) AS refunds,
               coalesce(sum({cents}) FILTER (WHERE reason IS NULL AND amount < 0), 0)
                   AS refund_cents,
               count(*) FILTER (WHERE reason IS NULL AND {cents} = 0) AS zero_amount,
               count(*) FILTER (WHERE reason IS NOT NULL) AS rejects
        FROM ({parsed})
        """
    ).fetchone()
    assert row is not None
    names = ("rows", "unclean", "first_day", "last_day", "refunds", "refund_cents", "zero_amount",
             "rejects")  # fmt: skip
    return dict(zip(names, row, strict=True))


def _loaded(con: duckdb.DuckDBPyConnection, parsed: str, plan: _Plan) -> pd.DataFrame:
    """Return the good rows in the pandas reader's columns and dtypes, in file order."""
    extra = ", transaction_id" if "transaction_id" in plan.column_map else ""
    table = con.execute(
        f"""
        SELECT customer_id, occurred_at, amount{extra}, amount < 0 AS is_refund,
               line AS {SOURCE_LINE_COLUMN}
        FROM ({parsed}) WHERE reason IS NULL ORDER BY line
        """
    ).fetch_arrow_table()
    data: dict[str, pd.Series] = {}
    for name in table.column_names:
        column = table.column(name)
        if name in ("customer_id", "transaction_id"):
            data[name] = pd.Series(
                pd.arrays.ArrowStringArray(column.cast(pa.large_string()).cast(pa.string())),
                dtype=parsing.TEXT_DTYPE,
            )
        elif name == "occurred_at":
            data[name] = pd.Series(column.to_pandas()).astype("datetime64[ns]")
        elif name == "is_refund":
            data[name] = pd.Series(column.to_numpy(zero_copy_only=False), dtype=bool)
        else:
            data[name] = pd.Series(column.to_numpy(zero_copy_only=False))
    return pd.DataFrame(data)


def _rejected(
    con: duckdb.DuckDBPyConnection, parsed: str | None, path: Path, plan: _Plan, source: str
) -> pd.DataFrame:
    """Return the rejected rows (none when `parsed` is None) with the pandas reader's raw text."""
    reasons: list[tuple[Any, ...]] = []
    if parsed is not None:
        reasons = con.execute(
            f"SELECT line, reject_column, reason FROM ({parsed}) WHERE reason IS NOT NULL "
            "ORDER BY line"
        ).fetchall()
    lines = [int(line) for line, _c, _r in reasons]
    raws = _raw_rows(con, path, plan, lines)
    return pd.DataFrame(
        {
            "file": source,
            "line": np.asarray(lines, dtype="int64"),
            "column": np.asarray([c for _l, c, _r in reasons], dtype=object),
            "reason": np.asarray([r for _l, _c, r in reasons], dtype=object),
            "raw": raws,
        }
    )


def _raw_rows(
    con: duckdb.DuckDBPyConnection, path: Path, plan: _Plan, lines: list[int]
) -> list[str]:
    """Return each rejected row's values joined by commas, rendered as pandas renders them."""
    if not lines:
        return []
    con.execute("CREATE OR REPLACE TEMP TABLE rejected_lines (line BIGINT)")
    con.executemany("INSERT INTO rejected_lines VALUES (?)", [(n - 1,) for n in lines])
    scan = f"read_parquet({_literal(str(path))}, file_row_number = true)"
    names = ", ".join(_quote(n) for n in plan.sql_names)
    table = con.execute(
        f"SELECT {names} FROM {scan} WHERE file_row_number IN (SELECT line FROM rejected_lines) "
        "ORDER BY file_row_number"
    ).fetch_arrow_table()
    whole_file = pq.ParquetFile(path).schema_arrow
    # The file's own types (time zones, units) so each value prints as the pandas reader prints it.
    frame = table.cast(whole_file).to_pandas()
    frame.columns = plan.headers
    for header, field in zip(plan.headers, whole_file, strict=True):
        # A whole integer column with a null anywhere reaches pandas as float64 ("12.0").
        if pa.types.is_integer(field.type) and _has_nulls(con, path, field.name):
            frame[header] = frame[header].astype("float64")
        elif pd.api.types.is_object_dtype(frame[header]):
            present = frame[header].dropna()
            if len(present) and present.map(lambda v: hasattr(v, "as_tuple")).all():
                frame[header] = frame[header].astype("float64")
    return [
        ",".join("" if pd.isna(v) else str(v) for v in frame.iloc[position].tolist())
        for position in range(len(frame))
    ]


def _has_nulls(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> bool:
    scan = f"read_parquet({_literal(str(path))})"
    row = con.execute(f"SELECT count(*) FROM {scan} WHERE {_quote(name)} IS NULL").fetchone()
    return bool(row and row[0])


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
