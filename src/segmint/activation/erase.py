"""`segmint erase ID`: remove one customer from the workspace, its files and PostgreSQL destinations."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segmint.activation.destination_config import PostgresDestination
from segmint.activation.erase_notice import notify_erasure, receivers_told_about, record_notices
from segmint.activation.ledger import now, written_files
from segmint.activation.redaction import REPLACEMENT, compact_database, redact_file
from segmint.config import SegmintConfig
from segmint.errors import InputError
from segmint.sources.suppression import erasure_hash
from segmint.store import Store, open_store

# Text columns of these tables keep whole rows about what was read: a row naming the customer goes.
_ROW_TABLES = ("rejected_rows",)


@dataclass
class ErasureReport:
    """What `segmint erase` removed, redacted, and what still holds the customer (their sources)."""

    id_hash: str
    erased_at: str
    ids: int
    rows_deleted: dict[str, int] = field(default_factory=dict)
    cells_redacted: dict[str, int] = field(default_factory=dict)
    files_redacted: list[str] = field(default_factory=list)
    files_unredactable: list[str] = field(default_factory=list)
    sources_still_holding: list[str] = field(default_factory=list)
    destinations: dict[str, int] = field(default_factory=dict)
    receivers: dict[str, str] = field(default_factory=dict)  # webhook → delivered | pending

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (no personal data: the id appears only as its hash)."""
        return dict(self.__dict__)


def erase_customer(
    root: Path,
    config: SegmintConfig,
    any_id: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> ErasureReport:
    """Erase a customer everywhere segmint holds them; tell webhook receivers; compact the file."""
    database = root / config.database
    with open_store(database) as store:
        if erasure_hash(any_id) in store.erased_hashes():
            # Erased before (perhaps interrupted before the rewrite): finish the job again.
            customer_id, ids = any_id, {any_id}
        else:
            customer_id, ids = customer_ids(store, any_id)
        scrub = sorted(ids | _contact_strings(store, ids), key=len, reverse=True)
        receivers = receivers_told_about(store, config, ids)
        for name, hook in receivers.items():
            hook.secret(name)  # a missing secret stops the erase before anything changed
        # PostgreSQL first: an unreachable destination stops the erase before anything changed.
        destinations = _erase_from_destinations(config, sorted(ids))
        erased_at = f"{now():%Y-%m-%d %H:%M:%S}"
        report = ErasureReport(
            id_hash=erasure_hash(customer_id),
            erased_at=erased_at,
            ids=len(ids),
            destinations=destinations,
        )
        # A receiver that is down does not stop the erase: its event waits in the outbox.
        notices = notify_erasure(receivers, customer_id, erased_at=erased_at, sleep=sleep)
        report.receivers = {
            n.destination: "delivered" if n.delivered else "pending" for n in notices
        }
        report.sources_still_holding = _sources_holding(root, config, store, ids)
        _erase_from_store(store, ids, scrub, report)
        record_notices(store, notices, customer_id, erased_at=erased_at)
        store.record_erasures([erasure_hash(i) for i in ids])
        outside = [p for p in written_files(store) if not _inside(p, root)]
    compact_database(database)
    _redact_files(root, config, scrub, outside, report)
    return report


def customer_ids(store: Store, any_id: str) -> tuple[str, set[str]]:
    """Return the unified id and every id (unified and source ids) of the customer `any_id`."""
    row = store.con.execute(
        "SELECT customer_id FROM identity_map WHERE customer_id = ? OR source_id = ? "
        "ORDER BY customer_id = ? DESC LIMIT 1",
        [any_id, any_id, any_id],
    ).fetchone()
    if row is None:
        held = store.con.execute(
            "SELECT count(*) FROM snapshot_segments WHERE customer_id = ?", [any_id]
        ).fetchone()
        if not held or not held[0]:
            raise InputError(
                f"customer {any_id!r} not found in the workspace (neither a customer id nor a "
                "source id); nothing erased"
            )
        return any_id, {any_id}
    customer_id = str(row[0])
    linked = store.con.execute(
        "SELECT DISTINCT source_id FROM identity_map WHERE customer_id = ?", [customer_id]
    ).fetchall()
    return customer_id, {customer_id, *(str(r[0]) for r in linked if r[0] is not None)}


def _contact_strings(store: Store, ids: set[str]) -> set[str]:
    """Return the customer's e-mail addresses and phone numbers (scrubbed from text, too)."""
    found: set[str] = set()
    if not store.has_table("customers"):
        return found
    present = set(store.frame("SELECT * FROM customers LIMIT 0").columns)
    for column in ("email", "phone"):
        if column in present:
            rows = store.con.execute(
                f'SELECT DISTINCT "{column}" FROM customers WHERE customer_id IN '
                f"(SELECT unnest(?::VARCHAR[]))",
                [sorted(ids)],
            ).fetchall()
            found.update(str(r[0]) for r in rows if r[0] is not None and len(str(r[0])) >= 5)
    return found


def _erase_from_destinations(config: SegmintConfig, ids: list[str]) -> dict[str, int]:
    from segmint.activation.postgres_sync import delete_customers

    postgres = {
        name: d for name, d in config.destinations.items() if isinstance(d, PostgresDestination)
    }
    urls = {name: d.url(name) for name, d in postgres.items()}  # all checked before any delete
    return {
        name: delete_customers(urls[name], destination, ids, name=name)
        for name, destination in postgres.items()
    }


def _sources_holding(root: Path, config: SegmintConfig, store: Store, ids: set[str]) -> list[str]:
    """Return the configured sources (file or table) whose rows hold the customer."""
    holding = []
    for source in config.sources:
        where = source.path or f"{source.database}#{source.db_table}"
        table = f"raw_{source.name}"
        in_table = False
        if store.has_table(table):
            row = store.con.execute(
                f"SELECT count(*) FROM {table} WHERE customer_id IN (SELECT unnest(?::VARCHAR[])) "
                "OR _source_id IN (SELECT unnest(?::VARCHAR[]))",
                [sorted(ids), sorted(ids)],
            ).fetchone()
            in_table = bool(row and row[0])
        if in_table or (source.path and _file_mentions(_source_path(root, source.path), ids)):
            holding.append(f"{source.name} ({where})")
            # The next ingest reads this source again, suppressing and reporting the rows.
            store.con.execute(
                "UPDATE ingested_files SET content_hash = NULL WHERE source = ?", [source.name]
            )
    return holding


def _source_path(root: Path, path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else root / candidate


def _file_mentions(path: Path, needles: set[str]) -> bool:
    if not path.is_file():
        return False
    data = path.read_bytes()
    return any(
        needle.encode(encoding, errors="ignore") in data
        for needle in needles
        for encoding in ("utf-8", "cp949", "utf-16-le")
        if needle.encode(encoding, errors="ignore")
    )


def _erase_from_store(store: Store, ids: set[str], scrub: list[str], report: ErasureReport) -> None:
    """Delete the customer's rows from every table, then redact any text still naming them."""
    id_list = sorted(ids)
    store.con.execute("BEGIN TRANSACTION")
    try:
        _drop_from_pending_batches(store, ids, report)
        _drop_action_history(store, id_list, report)
        for table in store.table_names():
            columns = store.con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' AND table_name = ?",
                [table],
            ).fetchall()
            names = {c for c, _ in columns}
            keys = [k for k in ("customer_id", "_source_id") if k in names]
            if keys:
                condition = " OR ".join(f'"{k}" IN (SELECT unnest(?::VARCHAR[]))' for k in keys)
                deleted = store.con.execute(
                    f'DELETE FROM "{table}" WHERE {condition}', [id_list] * len(keys)
                ).fetchone()
                if deleted and deleted[0]:
                    report.rows_deleted[table] = int(deleted[0])
            text_columns = [c for c, kind in columns if kind in ("VARCHAR", "JSON")]
            for column in _columns_mentioning(store, table, text_columns, scrub):
                _redact_column(store, table, column, scrub, report)
        store.con.execute("COMMIT")
    except Exception:
        store.con.execute("ROLLBACK")
        raise


def _drop_action_history(store: Store, id_list: list[str], report: ErasureReport) -> None:
    """Delete the status history of the customer's actions (it names them by action id only)."""
    if not (store.has_table("actions") and store.has_table("action_history")):
        return
    deleted = store.con.execute(
        "DELETE FROM action_history WHERE action_id IN (SELECT action_id FROM actions "
        "WHERE customer_id IN (SELECT unnest(?::VARCHAR[])))",
        [id_list],
    ).fetchone()
    if deleted and deleted[0]:
        report.rows_deleted["action_history"] = int(deleted[0])


def _columns_mentioning(
    store: Store, table: str, columns: list[str], scrub: list[str]
) -> list[str]:
    """Return the text columns of `table` where any of `scrub` occurs (one scan of the table)."""
    if not columns or not scrub:
        return []
    checks = [
        "coalesce(bool_or("
        + " OR ".join(f'contains(CAST("{c}" AS VARCHAR), ?)' for _ in scrub)
        + "), false)"
        for c in columns
    ]
    row = store.con.execute(
        f'SELECT {", ".join(checks)} FROM "{table}"', [n for _ in columns for n in scrub]
    ).fetchone()
    return [c for c, hit in zip(columns, row or [], strict=False) if hit]


def _redact_column(
    store: Store, table: str, column: str, scrub: list[str], report: ErasureReport
) -> None:
    for needle in scrub:
        where = f'contains(CAST("{column}" AS VARCHAR), ?)'
        if table in _ROW_TABLES:
            result = store.con.execute(f'DELETE FROM "{table}" WHERE {where}', [needle]).fetchone()
            counter = report.rows_deleted
        else:
            result = store.con.execute(
                f'UPDATE "{table}" SET "{column}" = replace(CAST("{column}" AS VARCHAR), ?, ?) '
                f"WHERE {where}",
                [needle, REPLACEMENT, needle],
            ).fetchone()
            counter = report.cells_redacted
        if result and result[0]:
            counter[table] = counter.get(table, 0) + int(result[0])


def _drop_from_pending_batches(store: Store, ids: set[str], report: ErasureReport) -> None:
    """Take the customer's changes out of batches still waiting in the outbox."""
    import json

    if not store.has_table("outbox"):
        return
    pending = store.con.execute(
        "SELECT destination, seq, body FROM outbox WHERE status = 'pending' AND body IS NOT NULL"
    ).fetchall()
    for destination, seq, body in pending:
        batch = json.loads(body)
        kept = [c for c in batch.get("changes", []) if c.get("customer_id") not in ids]
        if len(kept) == len(batch.get("changes", [])):
            continue
        report.rows_deleted["outbox changes"] = report.rows_deleted.get("outbox changes", 0) + (
            len(batch["changes"]) - len(kept)
        )
        if not kept:
            store.con.execute(
                "DELETE FROM outbox WHERE destination = ? AND seq = ?", [destination, seq]
            )
            continue
        batch["changes"] = kept
        store.con.execute(
            "UPDATE outbox SET body = ?, changes = ? WHERE destination = ? AND seq = ?",
            [
                json.dumps(batch, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                len(kept),
                destination,
                seq,
            ],
        )


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _redact_files(
    root: Path, config: SegmintConfig, scrub: list[str], outside: list[Path], report: ErasureReport
) -> None:
    """Redact every file in the workspace folder (but its sources) and segmint's files elsewhere."""
    database = (root / config.database).resolve()
    sources = {_source_path(root, s.path).resolve() for s in config.sources if s.path}
    skip = {database, database.with_name(database.name + ".wal"), *sources}
    candidates = [p for p in sorted(root.rglob("*")) if p.is_file()] + outside
    for path in candidates:
        if path.resolve() in skip or not path.is_file():
            continue
        outcome = redact_file(path, scrub)
        if outcome == "redacted":
            report.files_redacted.append(str(path))
        elif outcome == "unredactable":
            report.files_unredactable.append(str(path))
