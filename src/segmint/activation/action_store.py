"""The action queue's tables in the workspace: actions, action_history, action_queue_runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from segmint.activation.queue import ACTION_COLUMNS, HISTORY_COLUMNS, empty_actions
from segmint.store import Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    action_id VARCHAR PRIMARY KEY, customer_id VARCHAR, playbook VARCHAR, action VARCHAR,
    channel VARCHAR, owner VARCHAR, priority INTEGER, hours DOUBLE, due_at TIMESTAMP,
    status VARCHAR, reason_code VARCHAR, reason_args VARCHAR, message VARCHAR,
    created_run BIGINT, updated_run BIGINT, updated_at TIMESTAMP, note VARCHAR
);
CREATE TABLE IF NOT EXISTS action_history (
    action_id VARCHAR, changed_at TIMESTAMP, run_id BIGINT, status VARCHAR,
    previous_status VARCHAR, reason_code VARCHAR, reason_args VARCHAR, note VARCHAR,
    changed_by VARCHAR
);
CREATE TABLE IF NOT EXISTS action_queue_runs (run_id BIGINT, as_of TIMESTAMP, computed_at TIMESTAMP);
"""
_TYPES: dict[str, Any] = {
    "priority": "Int64",
    "hours": "float64",
    "created_run": "Int64",
    "updated_run": "Int64",
    "run_id": "Int64",
}
_TIMES = ("due_at", "updated_at", "changed_at")


def bookkeeping_now() -> datetime:
    """Return the current UTC time (when a change was recorded; never an analysis as_of)."""
    return datetime.now(UTC).replace(tzinfo=None)


def ensure_action_tables(store: Store) -> None:
    """Create the action tables if the workspace does not have them yet."""
    store.con.execute(_SCHEMA)


def has_action_queue(store: Store) -> bool:
    """Return True when a run has computed an action queue in this workspace."""
    return store.has_table("actions")


def load_actions(store: Store) -> pd.DataFrame:
    """Return every stored action (empty, with the columns, when there is no queue yet)."""
    if not has_action_queue(store):
        return empty_actions()
    return store.frame(f"SELECT {', '.join(ACTION_COLUMNS)} FROM actions ORDER BY action_id")


def load_history(store: Store, action_id: str | None = None) -> pd.DataFrame:
    """Return the status changes of one action (or all), oldest first."""
    if not store.has_table("action_history"):
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    where, params = ("WHERE action_id = ?", [action_id]) if action_id else ("", [])
    return store.frame(
        f"SELECT {', '.join(HISTORY_COLUMNS)} FROM action_history {where} "
        "ORDER BY changed_at, run_id NULLS LAST, action_id",
        params,
    )


def newest_queue_as_of(store: Store) -> datetime | None:
    """Return the newest as_of the queue was computed for (None when never)."""
    if not store.has_table("action_queue_runs"):
        return None
    row = store.con.execute("SELECT max(as_of) FROM action_queue_runs").fetchone()
    return pd.Timestamp(row[0]).to_pydatetime() if row and row[0] is not None else None


def save_queue(
    store: Store,
    actions: pd.DataFrame,
    history: pd.DataFrame,
    *,
    run_id: int,
    as_of: datetime,
    now: datetime,
) -> None:
    """Replace the actions table and append the history rows, in one transaction."""
    ensure_action_tables(store)
    store.con.execute("BEGIN TRANSACTION")
    try:
        store.con.execute("DELETE FROM actions")
        _insert(store, "actions", actions, ACTION_COLUMNS)
        _insert(store, "action_history", history, HISTORY_COLUMNS)
        store.con.execute("INSERT INTO action_queue_runs VALUES (?, ?, ?)", [run_id, as_of, now])
        store.con.execute("COMMIT")
    except Exception:
        store.con.execute("ROLLBACK")
        raise


def record_status(
    store: Store, action_id: str, status: str, *, previous: str, note: str | None, at: datetime
) -> None:
    """Set one action's status (and note) and append the change to its history, atomically."""
    store.con.execute("BEGIN TRANSACTION")
    try:
        store.con.execute(
            "UPDATE actions SET status = ?, note = ?, updated_at = ?, reason_code = NULL, "
            "reason_args = NULL WHERE action_id = ?",
            [status, note, at, action_id],
        )
        store.con.execute(
            "INSERT INTO action_history VALUES (?, ?, NULL, ?, ?, NULL, NULL, ?, 'user')",
            [action_id, at, status, previous, note],
        )
        store.con.execute("COMMIT")
    except Exception:
        store.con.execute("ROLLBACK")
        raise


def _insert(store: Store, table: str, frame: pd.DataFrame, columns: list[str]) -> None:
    if frame.empty:
        return
    typed = frame.reindex(columns=columns).copy()
    for column in typed.columns:
        if column in _TIMES:
            typed[column] = pd.to_datetime(typed[column])
        elif column in _TYPES:
            typed[column] = pd.to_numeric(typed[column], errors="coerce").astype(_TYPES[column])
        else:
            typed[column] = typed[column].astype("string")
    store.con.register("_actions_in", pa.Table.from_pandas(typed, preserve_index=False))
    try:
        store.con.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _actions_in"
        )
    finally:
        store.con.unregister("_actions_in")
