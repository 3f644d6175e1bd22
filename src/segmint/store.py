"""The DuckDB workspace file: the only place that opens it.

Layout inside the file:
- raw_<source>: rows loaded from one source, canonical columns + _source, _line, _source_id
- <logical table> (customers, transactions, ...): all sources of that table, ids stitched
- ingested_files, rejected_rows, identity_map, runs: bookkeeping
- snapshot_segments, snapshot_values: every run's segments and scores (long form)
- segment_changes: who entered or left a segment at each run, against the previous snapshot
- snapshot_kpis: the KPI payload of each scheme of a run, keyed by the KPI options it used
- experiments, assignments: experiment definitions and who got which variant (never rewritten)
- snapshot_discoveries: cluster profiles that `segmint discover -w --save` found in a run's features
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
CREATE TABLE IF NOT EXISTS snapshot_kpis (
    run_id BIGINT, scheme VARCHAR, options VARCHAR, payload JSON
);
CREATE TABLE IF NOT EXISTS segment_changes (
    run_id BIGINT, scheme VARCHAR, customer_id VARCHAR, from_segment VARCHAR,
    to_segment VARCHAR, as_of TIMESTAMP
);
CREATE TABLE IF NOT EXISTS experiments (
    experiment VARCHAR PRIMARY KEY, variants VARCHAR, population VARCHAR, scheme VARCHAR,
    stratified BOOLEAN, metric VARCHAR, created_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS assignments (
    customer_id VARCHAR, experiment VARCHAR, variant VARCHAR, assigned_at TIMESTAMP,
    scheme VARCHAR, segment VARCHAR
);
CREATE TABLE IF NOT EXISTS erasures (id_hash VARCHAR, erased_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS snapshot_discoveries (
    run_id BIGINT, lang VARCHAR, saved_at TIMESTAMP, payload JSON
);
"""
SEGMENT_CHANGE_COLUMNS = ("run_id", "scheme", "customer_id", "from_segment", "to_segment", "as_of")


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
        """Return the names of the tables in the workspace (not this connection's temporary ones)."""
        # Frames registered on a connection and temp tables live in the `temp` catalogue: they
        # come and go with one query and must not enter a list other connections cache.
        rows = self.con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_catalog <> 'temp'"
        ).fetchall()
        return sorted(r[0] for r in rows)

    def source_tables(self) -> list[str]:
        """Return the tables holding rows read from sources (those with a `_source` column)."""
        rows = self.con.execute(
            "SELECT DISTINCT table_name FROM information_schema.columns "
            "WHERE table_schema = 'main' AND column_name = '_source'"
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

    # -- erasures ----------------------------------------------------------------------------
    def record_erasures(self, id_hashes: list[str]) -> None:
        """Record erased customers by the hashes of their ids (no personal data), with the time."""
        now = _now()
        known = self.erased_hashes()
        for id_hash in dict.fromkeys(id_hashes):
            if id_hash not in known:
                self.con.execute("INSERT INTO erasures VALUES (?, ?)", [id_hash, now])

    def erased_hashes(self) -> set[str]:
        """Return the id hashes of every erased customer (rows with these ids are suppressed)."""
        if not self.has_table("erasures"):
            return set()
        return {str(r[0]) for r in self.con.execute("SELECT id_hash FROM erasures").fetchall()}

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
            if logical == "assignments":
                # Owned by `segmint experiment assign` (never rebuilt, never dropped by an ingest);
                # an ingested assignments source stays in its raw_<source> table.
                continue
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
        """Return Ibis tables of the ingested logical tables (experiment assignments excluded)."""
        backend = self.ibis()
        names = set(self.table_names()) - {"assignments"}
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

    def same_snapshot_runs(self, as_of: datetime, config_hash: str) -> list[int]:
        """Return the runs holding a snapshot as of `as_of` made with the config `config_hash`."""
        rows = self.con.execute(
            "SELECT r.run_id FROM runs r WHERE r.kind = 'run' AND r.status = 'ok' "
            "AND r.as_of = ? AND r.config_hash = ? "
            "AND EXISTS (SELECT 1 FROM snapshot_segments s WHERE s.run_id = r.run_id) "
            "ORDER BY r.run_id",
            [as_of, config_hash],
        ).fetchall()
        return [int(r[0]) for r in rows]

    def replace_snapshot(self, old_run_id: int, *, by_run_id: int) -> None:
        """Drop the snapshot (segments, values, changes) of `old_run_id`, superseded by another."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            for table in (
                "snapshot_segments",
                "snapshot_values",
                "segment_changes",
                "snapshot_kpis",
            ):
                self.con.execute(f"DELETE FROM {table} WHERE run_id = ?", [old_run_id])
            self.con.execute(
                "UPDATE runs SET status = 'replaced', message = ? WHERE run_id = ?",
                [f"replaced by run {by_run_id} (same as_of and config)", old_run_id],
            )
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

    def save_segment_changes(self, run_id: int, changes: pd.DataFrame) -> None:
        """Replace the segment changes recorded for a run (columns: SEGMENT_CHANGE_COLUMNS)."""
        frame = changes.reindex(columns=list(SEGMENT_CHANGE_COLUMNS)).copy()
        frame["run_id"] = run_id
        frame = frame.astype(
            {
                "scheme": "string",
                "customer_id": "string",
                "from_segment": "string",
                "to_segment": "string",
            }
        )
        frame["as_of"] = pd.to_datetime(frame["as_of"])
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("DELETE FROM segment_changes WHERE run_id = ?", [run_id])
            self.con.register("_changes", _arrow(frame))
            self.con.execute(
                "INSERT INTO segment_changes SELECT run_id, scheme, customer_id, from_segment, "
                "to_segment, as_of FROM _changes"
            )
            self.con.unregister("_changes")
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

    def save_run_kpis(self, run_id: int, payloads: Mapping[str, Any], *, options: str) -> None:
        """Replace the stored KPI payloads (scheme → JSON-ready dict) of a run for these options."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(
                "DELETE FROM snapshot_kpis WHERE run_id = ? AND options = ?", [run_id, options]
            )
            for scheme, payload in payloads.items():
                self.con.execute(
                    "INSERT INTO snapshot_kpis VALUES (?, ?, ?, ?)",
                    [run_id, scheme, options, json.dumps(payload, ensure_ascii=False)],
                )
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

    def run_kpis(self, run_id: int, scheme: str, *, options: str) -> dict[str, Any] | None:
        """Return the stored KPI payload of a scheme of a run for these options (None if absent)."""
        if not self.has_table("snapshot_kpis"):
            return None
        row = self.con.execute(
            "SELECT payload FROM snapshot_kpis WHERE run_id = ? AND scheme = ? AND options = ?",
            [run_id, scheme, options],
        ).fetchone()
        return json.loads(row[0]) if row else None

    def segment_changes(self, run_id: int, scheme: str | None = None) -> pd.DataFrame:
        """Return the segment changes recorded for a run (of one scheme, or all), by customer."""
        columns = ", ".join(SEGMENT_CHANGE_COLUMNS)
        if not self.has_table("segment_changes"):
            return pd.DataFrame(columns=list(SEGMENT_CHANGE_COLUMNS))
        if scheme is None:
            return self.frame(
                f"SELECT {columns} FROM segment_changes WHERE run_id = ? "
                "ORDER BY scheme, customer_id",
                [run_id],
            )
        return self.frame(
            f"SELECT {columns} FROM segment_changes WHERE run_id = ? AND scheme = ? "
            "ORDER BY customer_id",
            [run_id, scheme],
        )

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

    def dated_snapshot_runs(self) -> pd.DataFrame:
        """Return one snapshot run per as_of (the run made last for that date), newest first.

        A run repeated for the same date stands in for the earlier ones in trends and pooled
        statistics; the earlier snapshots stay stored and can still be named by run id.
        """
        return self.snapshot_runs().drop_duplicates("as_of", keep="first").reset_index(drop=True)

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

    def segment_sizes(self, run_id: int) -> pd.DataFrame:
        """Return the customers per (scheme, segment) of a run's snapshot."""
        return self.frame(
            "SELECT scheme, segment, count(*) AS customers FROM snapshot_segments "
            "WHERE run_id = ? GROUP BY scheme, segment",
            [run_id],
        )

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

    # -- discoveries (cluster profiles) -------------------------------------------------------
    def save_discovery(self, run_id: int, payloads: Mapping[str, Any]) -> None:
        """Replace the stored cluster profiles of a run (language → JSON-ready payload)."""
        saved_at = _now()
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("DELETE FROM snapshot_discoveries WHERE run_id = ?", [run_id])
            for lang, payload in payloads.items():
                self.con.execute(
                    "INSERT INTO snapshot_discoveries VALUES (?, ?, ?, ?)",
                    [run_id, lang, saved_at, json.dumps(payload, ensure_ascii=False)],
                )
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

    def discovery(self, run_id: int, lang: str) -> tuple[dict[str, Any], datetime] | None:
        """Return the stored cluster profiles of a run in `lang` and when they were saved."""
        if not self.has_table("snapshot_discoveries"):
            return None
        row = self.con.execute(
            "SELECT payload, saved_at FROM snapshot_discoveries WHERE run_id = ? AND lang = ?",
            [run_id, lang],
        ).fetchone()
        return (json.loads(row[0]), row[1]) if row else None

    def discovery_runs(self) -> list[int]:
        """Return the run ids with stored cluster profiles, newest run first."""
        if not self.has_table("snapshot_discoveries"):
            return []
        rows = self.con.execute(
            "SELECT DISTINCT run_id FROM snapshot_discoveries ORDER BY run_id DESC"
        ).fetchall()
        return [int(r[0]) for r in rows]

    # -- experiments --------------------------------------------------------------------------
    def experiments(self) -> pd.DataFrame:
        """Return every experiment with its definition and users per variant, oldest first."""
        if not self.has_table("experiments"):
            return pd.DataFrame(
                columns=["experiment", "variants", "population", "scheme", "stratified",
                         "metric", "created_at", "users", "first_assigned_at",
                         "last_assigned_at"]
            )  # fmt: skip
        return self.frame(
            "SELECT e.*, count(a.customer_id) AS users, min(a.assigned_at) AS first_assigned_at, "
            "max(a.assigned_at) AS last_assigned_at FROM experiments e "
            "LEFT JOIN assignments a USING (experiment) "
            "GROUP BY ALL ORDER BY e.created_at, e.experiment"
        )

    def experiment(self, name: str) -> dict[str, Any] | None:
        """Return one experiment's definition (None when there is none by that name)."""
        if not self.has_table("experiments"):
            return None
        rows = self.frame("SELECT * FROM experiments WHERE experiment = ?", [name])
        return None if rows.empty else dict(rows.iloc[0])

    def assignments(self, name: str) -> pd.DataFrame:
        """Return customer_id, variant, assigned_at, scheme, segment of one experiment."""
        if not self.has_table("assignments"):
            return pd.DataFrame(
                columns=["customer_id", "variant", "assigned_at", "scheme", "segment"]
            )
        return self.frame(
            "SELECT customer_id, variant, assigned_at, scheme, segment FROM assignments "
            "WHERE experiment = ? ORDER BY customer_id",
            [name],
        )

    def add_assignments(
        self, name: str, *, definition: Mapping[str, Any], rows: pd.DataFrame
    ) -> None:
        """Record an experiment (first time only) and append new assignments, atomically."""
        frame = rows.reindex(
            columns=["customer_id", "variant", "assigned_at", "scheme", "segment"]
        ).copy()
        frame.insert(1, "experiment", name)
        for column in ("customer_id", "experiment", "variant", "scheme", "segment"):
            frame[column] = frame[column].astype("string")
        frame["assigned_at"] = pd.to_datetime(frame["assigned_at"])
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(
                "INSERT INTO experiments VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [
                    name,
                    definition["variants"],
                    definition.get("population"),
                    definition.get("scheme"),
                    bool(definition.get("stratified")),
                    definition.get("metric"),
                    definition["created_at"],
                ],
            )
            if len(frame):
                self.con.register("_assign", _arrow(frame))
                self.con.execute(
                    "INSERT INTO assignments SELECT customer_id, experiment, variant, "
                    "assigned_at, scheme, segment FROM _assign"
                )
                self.con.unregister("_assign")
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise


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
