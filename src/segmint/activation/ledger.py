"""Activation bookkeeping in the workspace: destination membership, the outbox, files written."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from segmint.store import Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS destination_members (
    destination VARCHAR, customer_id VARCHAR, segment VARCHAR, run_id BIGINT
);
CREATE TABLE IF NOT EXISTS outbox (
    destination VARCHAR, seq BIGINT, idempotency_key VARCHAR, run_id BIGINT, changes BIGINT,
    body VARCHAR, status VARCHAR, attempts BIGINT, last_error VARCHAR, created_at TIMESTAMP,
    sent_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS destination_syncs (
    destination VARCHAR, run_id BIGINT, synced_at TIMESTAMP, status VARCHAR, changes BIGINT,
    batches_sent BIGINT, batches_pending BIGINT, message VARCHAR
);
CREATE TABLE IF NOT EXISTS destination_contacts (
    destination VARCHAR, customer_id VARCHAR, PRIMARY KEY (destination, customer_id)
);
CREATE TABLE IF NOT EXISTS destination_action_events (
    destination VARCHAR, action_id VARCHAR, customer_id VARCHAR, status VARCHAR, event_id VARCHAR,
    run_id BIGINT, queued_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS written_files (
    path VARCHAR, kind VARCHAR, run_id BIGINT, rows BIGINT, written_at TIMESTAMP
);
"""

# Tables whose rows name one customer (erase deletes them by customer_id).
CUSTOMER_TABLES = ("destination_members", "destination_contacts", "destination_action_events")


def ensure_activation_tables(store: Store) -> None:
    """Create the activation tables when missing (a writable store only)."""
    store.con.execute(_SCHEMA)


def record_written_file(store: Store, path: Path, *, kind: str, run_id: int, rows: int) -> None:
    """Remember a file segmint wrote, so that `segmint erase` can redact it later."""
    ensure_activation_tables(store)
    resolved = str(path.resolve())
    store.con.execute("DELETE FROM written_files WHERE path = ?", [resolved])
    store.con.execute(
        "INSERT INTO written_files VALUES (?, ?, ?, ?, ?)", [resolved, kind, run_id, rows, now()]
    )


def written_files(store: Store) -> list[Path]:
    """Return every file segmint recorded writing (exports, access requests)."""
    if not store.has_table("written_files"):
        return []
    rows = store.con.execute("SELECT path FROM written_files ORDER BY path").fetchall()
    return [Path(r[0]) for r in rows]


def now() -> datetime:
    """Return the current UTC time without zone (bookkeeping only, never an analysis as_of)."""
    return datetime.now(UTC).replace(tzinfo=None)
