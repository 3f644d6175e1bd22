"""The DuckDB workspace file: the only place that opens it.

Layout inside the file:
- raw_<source>: rows loaded from one source, canonical columns + _source, _line, _source_id
- <logical table> (customers, transactions, ...): all sources of that table, ids stitched
- ingested_files, rejected_rows, identity_map, runs: bookkeeping
- snapshot_segments, snapshot_values: every run's segments and scores (long form)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend
from ibis.expr import types as ir

from segmint.contract import CONTRACTS, LOGICAL_TABLES, MONEY_TYPE_SQL, REJECTED_COLUMNS
from segmint.errors import InputError

_SQL_TYPES = {
    "string": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "money": MONEY_TYPE_SQL,
    "float": "DOUBLE",
    "int": "BIGINT",
    "bool": "BOOLEAN",
}
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id BIGINT PRIMARY KEY, kind VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
    as_of TIMESTAMP, config_hash VARCHAR, segmint_version VARCHAR, status VARCHAR,
    counts JSON, message VARCHAR
);
CREATE TABLE IF NOT EXISTS ingested_files (
    source VARCHAR, logical_table VARCHAR, location VARCHAR, content_hash VARCHAR,
    rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, encoding VARCHAR,
    column_map JSON, stats JSON, run_id BIGINT, ingested_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS rejected_rows (
    source VARCHAR, file VARCHAR, line BIGINT, "column" VARCHAR, reason VARCHAR, raw VARCHAR,
    run_id BIGINT
);
CREATE TABLE IF NOT EXISTS identity_map (
    namespace VARCHAR, source_id VARCHAR, customer_id VARCHAR, linked_by VARCHAR
);
CREATE TABLE IF NOT EXISTS snapshot_segments (
    run_id BIGINT, customer_id VARCHAR, scheme VARCHAR, segment VARCHAR, rule VARCHAR,
    reason VARCHAR
);
CREATE TABLE IF NOT EXISTS snapshot_values (
    run_id BIGINT, customer_id VARCHAR, name VARCHAR, value_num DOUBLE, value_text VARCHAR
);
"""


def check_identifier(name: str, *, what: str = "name") -> str:
    """Return `name` if it is a safe table-name part (lowercase, digits, _), else raise InputError."""
    if not _IDENTIFIER.match(name):
        raise InputError(
            f"{what} {name!r} must start with a letter and use only a-z, 0-9 and _ (max 63)"
        )
    return name


class Store:
    """A segmint workspace database (one DuckDB file). One writer at a time."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.is_file():
            raise InputError(f"{self.path}: no workspace database yet; run `segmint ingest` first")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise InputError(open_error_message(self.path, exc)) from None
        self.con.execute("SET TimeZone = 'UTC'")
        if not read_only:
            self.con.execute(_SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    def cursor(self) -> Store:
        """Return a Store on a new cursor of the same open database (one per thread or request).

        Cursors share the database and its write lock, so a server can read on many threads while
        one of them runs; each sees committed data only.
        """
        other = object.__new__(Store)
        other.path = self.path
        other.read_only = self.read_only
        other.con = self.con.cursor()
        other.con.execute("SET TimeZone = 'UTC'")
        return other

    def ibis(self) -> BaseBackend:
        """Return an Ibis backend over this connection (for feature and segment expressions)."""
        return ibis.duckdb.from_connection(self.con)

    def table_names(self) -> list[str]:
        """Return the names of the tables in the workspace."""
        rows = self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
        return sorted(r[0] for r in rows)

    def has_table(self, name: str) -> bool:
        """Return True when the workspace holds a table called `name`."""
        return name in self.table_names()

    def frame(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a read query with bound parameters and return a DataFrame."""
        return self.con.execute(sql, params or []).df()

    # -- runs ---------------------------------------------------------------------------------
    def start_run(
        self, kind: str, *, as_of: datetime | None, config_hash: str, version: str
    ) -> int:
        """Record the start of an ingest or run and return its run id."""
        row = self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()
        run_id = int(row[0]) if row else 1
        self.con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, NULL, ?, ?, ?, 'running', NULL, NULL)",
            [run_id, kind, _now(), as_of, config_hash, version],
        )
        return run_id

    def finish_run(
        self, run_id: int, *, status: str = "ok", counts: Mapping[str, Any], message: str = ""
    ) -> None:
        """Record the end of a run with its row counts."""
        self.con.execute(
            "UPDATE runs SET finished_at = ?, status = ?, counts = ?, message = ? WHERE run_id = ?",
            [_now(), status, json.dumps(counts, default=str), message, run_id],
        )

    def unfinished_ingest(self) -> bool:
        """True when the newest ingest did not finish (killed or failed): tables may be half new."""
        row = self.con.execute(
            "SELECT status FROM runs WHERE kind = 'ingest' ORDER BY run_id DESC LIMIT 1"
        ).fetchone()
        return row is not None and row[0] != "ok"

    def runs(self) -> pd.DataFrame:
        """Return every recorded run, newest first."""
        return self.frame("SELECT * FROM runs ORDER BY run_id DESC")

    # -- ingestion ----------------------------------------------------------------------------
    def already_ingested(self, source: str, content_hash: str) -> bool:
        """True when this source's current rows came from a file with this content hash."""
        row = self.con.execute(
            "SELECT content_hash FROM ingested_files WHERE source = ? "
            "ORDER BY ingested_at DESC, run_id DESC LIMIT 1",
            [source],
        ).fetchone()
        return row is not None and row[0] == content_hash and self.has_table(f"raw_{source}")

    def replace_source(
        self,
        source: str,
        *,
        logical_table: str,
        loaded: pd.DataFrame,
        rejected: pd.DataFrame,
        record: Mapping[str, Any],
        run_id: int,
    ) -> None:
        """Replace one source's rows (and its rejected rows) with a fresh load, atomically."""
        check_identifier(source, what="source name")
        frame = _with_contract_types(loaded, logical_table)
        table = f"raw_{source}"
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.register("_incoming", _arrow(frame))
            self.con.execute(
                f"CREATE OR REPLACE TABLE {table} AS {_typed_select(frame, logical_table)}"
            )
            self.con.unregister("_incoming")
            self.con.execute("DELETE FROM rejected_rows WHERE source = ?", [source])
            if len(rejected):
                rej = rejected.reindex(columns=list(REJECTED_COLUMNS)).copy()
                rej["source"] = source
                rej["run_id"] = run_id
                rej["line"] = pd.to_numeric(rej["line"], errors="coerce").astype("Int64")
                rej = rej[["source", "file", "line", "column", "reason", "raw", "run_id"]].astype(
                    {"file": "string", "column": "string", "reason": "string", "raw": "string"}
                )
                self.con.register("_rejected", _arrow(rej))
                self.con.execute("INSERT INTO rejected_rows SELECT * FROM _rejected")
                self.con.unregister("_rejected")
            self.con.execute(
                "INSERT INTO ingested_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    source,
                    logical_table,
                    record.get("location"),
                    record.get("content_hash"),
                    record.get("rows_read"),
                    record.get("rows_loaded"),
                    record.get("rows_rejected"),
                    record.get("encoding"),
                    json.dumps(record.get("column_map", {}), ensure_ascii=False),
                    json.dumps(record.get("stats", {}), ensure_ascii=False, default=str),
                    run_id,
                    _now(),
                ],
            )
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

    def drop_source(self, source: str) -> None:
        """Remove a source's rows (used when a source disappears from the config)."""
        check_identifier(source, what="source name")
        self.con.execute(f"DROP TABLE IF EXISTS raw_{source}")
        self.con.execute("DELETE FROM rejected_rows WHERE source = ?", [source])

    def sources_of(self, logical_table: str) -> list[str]:
        """Return the sources currently loaded for a logical table."""
        rows = self.con.execute(
            "SELECT DISTINCT source FROM ingested_files WHERE logical_table = ? ORDER BY source",
            [logical_table],
        ).fetchall()
        return [r[0] for r in rows if self.has_table(f"raw_{r[0]}")]

    def raw(self, source: str) -> pd.DataFrame:
        """Return one source's loaded rows."""
        check_identifier(source, what="source name")
        return self.frame(f"SELECT * FROM raw_{source}")

    def rejected(self, source: str | None = None) -> pd.DataFrame:
        """Return rejected rows (of one source, or all)."""
        if source is None:
            return self.frame("SELECT * FROM rejected_rows ORDER BY source, line")
        return self.frame("SELECT * FROM rejected_rows WHERE source = ? ORDER BY line", [source])

    # -- identity and canonical tables --------------------------------------------------------
    def write_identity_map(self, mapping: pd.DataFrame) -> None:
        """Replace the identity map (namespace, source_id → customer_id, linked_by)."""
        frame = mapping[["namespace", "source_id", "customer_id", "linked_by"]].astype("string")
        self.con.execute("BEGIN TRANSACTION")
        self.con.execute("DELETE FROM identity_map")
        self.con.register("_identity", _arrow(frame))
        self.con.execute("INSERT INTO identity_map SELECT * FROM _identity")
        self.con.unregister("_identity")
        self.con.execute("COMMIT")

    def identity_map(self) -> pd.DataFrame:
        """Return the identity map."""
        return self.frame("SELECT * FROM identity_map ORDER BY customer_id, namespace, source_id")

    def build_logical_tables(self, namespaces: Mapping[str, str]) -> dict[str, int]:
        """(Re)build each logical table from its sources with stitched customer ids; return row counts."""
        counts: dict[str, int] = {}
        for logical in LOGICAL_TABLES:
            sources = self.sources_of(logical)
            if not sources:
                self.con.execute(f"DROP TABLE IF EXISTS {logical}")
                continue
            parts = [
                "SELECT r.* REPLACE (coalesce(m.customer_id, r.customer_id) AS customer_id) "
                f"FROM raw_{check_identifier(source, what='source name')} r "
                "LEFT JOIN identity_map m ON m.namespace = ? AND m.source_id = r.customer_id"
                for source in sources
            ]
            union = " UNION ALL BY NAME ".join(parts)
            self.con.execute(
                f"CREATE OR REPLACE TABLE {logical} AS {union}",
                [namespaces.get(source, "customer") for source in sources],
            )
            row = self.con.execute(f"SELECT count(*) FROM {logical}").fetchone()
            counts[logical] = int(row[0]) if row else 0
        return counts

    def export_parquet(self, table: str, path: Path) -> None:
        """Write a workspace table to a Parquet file (how the Spark engine reads the workspace)."""
        check_identifier(table, what="table name")
        # COPY takes no bound parameter for its file name: quote it as an SQL string literal.
        literal = "'" + path.as_posix().replace("'", "''") + "'"
        self.con.execute(f"COPY {table} TO {literal} (FORMAT PARQUET)")

    def logical_tables(self) -> dict[str, ir.Table]:
        """Return Ibis tables for the logical tables present in the workspace."""
        backend = self.ibis()
        names = set(self.table_names())
        return {name: backend.table(name) for name in LOGICAL_TABLES if name in names}

    # -- snapshots ----------------------------------------------------------------------------
    def save_snapshot(self, run_id: int, *, segments: pd.DataFrame, values: pd.DataFrame) -> None:
        """Store a run's segment assignments and per-customer values (features and scores)."""
        seg = segments.reindex(
            columns=["customer_id", "scheme", "segment", "rule", "reason"]
        ).astype("string")
        seg.insert(0, "run_id", run_id)
        long = _to_long(values)
        long.insert(0, "run_id", run_id)
        self.con.execute("BEGIN TRANSACTION")
        self.con.execute("DELETE FROM snapshot_segments WHERE run_id = ?", [run_id])
        self.con.execute("DELETE FROM snapshot_values WHERE run_id = ?", [run_id])
        self.con.register("_seg", _arrow(seg))
        self.con.execute("INSERT INTO snapshot_segments SELECT * FROM _seg")
        self.con.unregister("_seg")
        self.con.register("_val", _arrow(long))
        self.con.execute("INSERT INTO snapshot_values SELECT * FROM _val")
        self.con.unregister("_val")
        self.con.execute("COMMIT")

    def snapshot_runs(self) -> pd.DataFrame:
        """Return run_id and as_of of every run that stored a snapshot, newest as_of first.

        Newest means the latest as_of (ties: the higher run id), not the latest run id: a run
        made afterwards for an earlier date is history, not the current state.
        """
        return self.frame(
            "SELECT r.run_id, r.as_of FROM runs r "
            "WHERE r.status <> 'failed' "
            "AND EXISTS (SELECT 1 FROM snapshot_segments s WHERE s.run_id = r.run_id) "
            "ORDER BY r.as_of DESC NULLS LAST, r.run_id DESC"
        )

    def latest_snapshot_run(self) -> int | None:
        """Return the run id of the snapshot with the newest as_of (ties: highest run id)."""
        runs = self.snapshot_runs()
        return int(runs["run_id"].iloc[0]) if len(runs) else None

    def previous_snapshot_run(self, as_of: datetime) -> int | None:
        """Return the newest snapshot run whose as_of is strictly before `as_of` (None if none)."""
        runs = self.snapshot_runs()
        earlier = runs[pd.to_datetime(runs["as_of"]) < pd.Timestamp(as_of)]
        return int(earlier["run_id"].iloc[0]) if len(earlier) else None

    def snapshot_run(self, run_id: int | None = None) -> tuple[int, datetime]:
        """Return (run id, as_of) of the snapshot `run_id`, or of the newest one when None.

        Raises InputError when no snapshot is stored or `run_id` names no stored snapshot; the
        message lists the runs there are.
        """
        runs = self.snapshot_runs()
        if runs.empty:
            raise InputError("no run stored yet; run `segmint run` first")
        if run_id is None:
            row = runs.iloc[0]
        else:
            match = runs[runs["run_id"] == run_id]
            if match.empty:
                raise InputError(
                    f"run {run_id} has no stored snapshot; runs: {describe_runs(runs)}"
                )
            row = match.iloc[0]
        return int(row["run_id"]), pd.Timestamp(row["as_of"]).to_pydatetime()

    def snapshot_segments(self, run_id: int) -> pd.DataFrame:
        """Return the segment assignments stored by a run."""
        return self.frame(
            "SELECT customer_id, scheme, segment, rule, reason FROM snapshot_segments "
            "WHERE run_id = ? ORDER BY scheme, customer_id",
            [run_id],
        )

    def snapshot_values(self, run_id: int) -> pd.DataFrame:
        """Return a run's per-customer values as a wide frame (one row per customer)."""
        long = self.frame(
            "SELECT customer_id, name, value_num, value_text FROM snapshot_values WHERE run_id = ?",
            [run_id],
        )
        return _to_wide(long)


def open_error_message(path: Path, exc: Exception) -> str:
    """Return one line saying why the workspace database could not be opened, and what to do."""
    text = str(exc)
    lowered = text.lower()
    if "lock" in lowered:
        return (
            f"{path}: another segmint process is writing this workspace; wait for it to finish "
            "and try again"
        )
    if "permission denied" in lowered or "read-only file system" in lowered:
        return f"{path}: permission denied; segmint needs to write the workspace folder"
    if "no space left" in lowered:
        return f"{path}: no space left on device"
    if "not a valid duckdb" in lowered or "corrupt" in lowered or "serializ" in lowered:
        return (
            f"{path}: not a readable segmint workspace database (truncated or not a DuckDB "
            "file); restore it or point `database:` at another file"
        )
    first_line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"{path}: cannot open the workspace database ({first_line[:200]})"


@contextmanager
def open_store(path: str | Path, *, read_only: bool = False) -> Iterator[Store]:
    """Open a workspace database for the duration of a `with` block."""
    store = Store(path, read_only=read_only)
    try:
        yield store
    finally:
        store.close()


def describe_runs(runs: pd.DataFrame, *, limit: int = 10) -> str:
    """Return "7 (as of 2024-06-30), 6 (as of 2024-03-31), ..." for a frame of run_id, as_of."""
    head = runs.head(limit)
    shown = [
        f"{int(run_id)} (as of {pd.Timestamp(as_of):%Y-%m-%d})"
        for run_id, as_of in zip(head["run_id"].tolist(), head["as_of"].tolist(), strict=True)
    ]
    more = f", and {len(runs) - limit} more" if len(runs) > limit else ""
    return ", ".join(shown) + more


def _arrow(frame: pd.DataFrame) -> pa.Table:
    # Registering Arrow (not pandas string arrays) avoids pandas' deprecated internals.
    return pa.Table.from_pandas(frame, preserve_index=False)


def _now() -> datetime:
    # Bookkeeping time only (when a run happened); never used as an analysis as_of.
    return datetime.now(UTC).replace(tzinfo=None)


def _with_contract_types(frame: pd.DataFrame, logical_table: str) -> pd.DataFrame:
    frame = frame.copy()
    for column, kind in CONTRACTS[logical_table].columns.items():
        if column not in frame.columns:
            continue
        if kind == "string":
            frame[column] = frame[column].astype("string")
        elif kind == "timestamp":
            frame[column] = pd.to_datetime(frame[column], errors="coerce")
    # Columns that are entirely null have no type DuckDB can infer: make them strings.
    for column in frame.columns:
        if frame[column].dtype == object and frame[column].isna().all():
            frame[column] = frame[column].astype("string")
    return frame


def _typed_select(frame: pd.DataFrame, logical_table: str) -> str:
    contract = CONTRACTS[logical_table].columns
    parts = []
    for column in frame.columns:
        quoted = '"' + column.replace('"', '""') + '"'
        kind = contract.get(column)
        if kind is not None:
            parts.append(f"CAST({quoted} AS {_SQL_TYPES[kind]}) AS {quoted}")
        else:
            parts.append(quoted)
    return "SELECT " + ", ".join(parts) + " FROM _incoming"


def _to_long(values: pd.DataFrame) -> pd.DataFrame:
    pieces = []
    for column in values.columns:
        if column == "customer_id":
            continue
        series = values[column]
        numeric = pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
        piece = pd.DataFrame(
            {
                "customer_id": values["customer_id"].astype("string"),
                "name": column,
                "value_num": pd.to_numeric(series, errors="coerce").astype("float64")
                if numeric
                else pd.Series(float("nan"), index=values.index),
                "value_text": pd.Series(pd.NA, index=values.index, dtype="string")
                if numeric
                else series.astype("string"),
            }
        )
        pieces.append(piece)
    if not pieces:
        return pd.DataFrame(columns=["customer_id", "name", "value_num", "value_text"])
    return pd.concat(pieces, ignore_index=True)


def _to_wide(long: pd.DataFrame) -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame(columns=["customer_id"])
    text_names = set(long.loc[long["value_text"].notna(), "name"])
    numeric_names = set(long["name"]) - text_names
    parts = []
    if numeric_names:
        num = long[long["name"].isin(numeric_names)].pivot(
            index="customer_id", columns="name", values="value_num"
        )
        parts.append(num)
    if text_names:
        txt = long[long["name"].isin(text_names)].pivot(
            index="customer_id", columns="name", values="value_text"
        )
        parts.append(txt)
    wide = pd.concat(parts, axis=1).reset_index()
    wide.columns.name = None
    return wide.sort_values("customer_id", ignore_index=True)
