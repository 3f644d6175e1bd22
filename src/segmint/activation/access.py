"""`segmint customer ID --export`: everything the workspace holds about one customer (access request)."""

from __future__ import annotations

import json
from typing import Any

from segmint import __version__
from segmint.activation.erase import customer_ids
from segmint.activation.ledger import now
from segmint.store import Store

# Tables answered elsewhere in the record, or bookkeeping about files rather than people.
_SKIPPED = {"erasures", "written_files"}


def access_record(store: Store, any_id: str) -> dict[str, Any]:
    """Return every row naming the customer, table by table, plus pending webhook changes."""
    customer_id, ids = customer_ids(store, any_id)
    id_list = sorted(ids)
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in store.table_names():
        if table in _SKIPPED:
            continue
        columns = set(store.frame(f'SELECT * FROM "{table}" LIMIT 0').columns)
        keys = [k for k in ("customer_id", "_source_id") if k in columns]
        if keys:
            condition = " OR ".join(f'"{k}" IN (SELECT unnest(?::VARCHAR[]))' for k in keys)
            frame = store.frame(f'SELECT * FROM "{table}" WHERE {condition}', [id_list] * len(keys))
        elif table == "action_history" and store.has_table("actions"):
            # The history names actions, not customers: follow the customer's action ids.
            frame = store.frame(
                "SELECT * FROM action_history WHERE action_id IN (SELECT action_id FROM actions "
                "WHERE customer_id IN (SELECT unnest(?::VARCHAR[]))) ORDER BY changed_at, action_id",
                [id_list],
            )
        elif table == "rejected_rows":
            frame = store.frame(
                "SELECT * FROM rejected_rows WHERE list_has_any(string_split_regex(raw, '[,;\\t|\\s\"'']+'), ?::VARCHAR[])",
                [id_list],
            )
        else:
            continue
        if len(frame):
            tables[table] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return {
        "customer_id": customer_id,
        "ids": id_list,
        "exported_at": f"{now():%Y-%m-%d %H:%M:%S}",
        "segmint_version": __version__,
        "tables": tables,
        "pending_webhook_changes": _pending_changes(store, ids),
    }


def _pending_changes(store: Store, ids: set[str]) -> list[dict[str, Any]]:
    if not store.has_table("outbox"):
        return []
    found = []
    rows = store.con.execute(
        "SELECT destination, seq, body FROM outbox WHERE status = 'pending' AND body IS NOT NULL "
        "ORDER BY destination, seq"
    ).fetchall()
    for destination, seq, body in rows:
        for change in json.loads(body).get("changes", []):
            if change.get("customer_id") in ids:
                found.append({"destination": destination, "batch": seq, **change})
    return found


def write_access_record(store: Store, any_id: str, output: Any = None) -> dict[str, Any]:
    """Return the access record; with `output`, also write it there as JSON (remembered for erase)."""
    from pathlib import Path

    from segmint.activation.ledger import record_written_file
    from segmint.safe_output import write_text

    record = access_record(store, any_id)
    if output is not None:
        path = Path(output)
        write_text(json.dumps(record, ensure_ascii=False, indent=1, default=str) + "\n", path)
        record_written_file(store, path, kind="access request", run_id=0, rows=1)
    return record
