"""Webhook destinations with `actions: true`: the action queue's new and changed actions, as events.

Each action's status is sent once: a new open action (due, or dropped for capacity) and every
later change of its status (sent, done, skipped, cancelled, due again). What was queued per
destination is kept in `destination_action_events`, committed with the outbox batches.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from segmint.activation.action_store import has_action_queue
from segmint.activation.destination_config import WebhookDestination
from segmint.activation.ledger import now
from segmint.activation.membership import snapshot_columns
from segmint.activation.privacy import protect_pii
from segmint.activation.queue import OPEN_STATUSES
from segmint.activation.sync import (
    DestinationSync,
    deliver_outbox,
    insert_batches,
    json_value,
    record_sync,
)
from segmint.config import SegmintConfig
from segmint.errors import InputError
from segmint.store import Store

# Free text a receiver gets only as the destination's `message:` setting allows.
FREE_TEXT_FIELDS = ("message", "note")
EVENT_FIELDS = (
    "action_id", "customer_id", "playbook", "action", "channel", "owner", "priority", "due_at",
    "status", "reason", "reason_code", "message", "note",
)  # fmt: skip


def sync_action_webhook(
    store: Store,
    config: SegmintConfig,
    name: str,
    destination: WebhookDestination,
    *,
    run: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DestinationSync:
    """Queue the actions whose status the receiver has not been sent yet, then deliver the outbox."""
    secret = destination.secret(name)
    if not has_action_queue(store):
        raise InputError(
            f"destinations.{name}: no action queue in this workspace yet; configure `playbooks:` "
            "and run `segmint run`"
        )
    run_id, as_of = store.snapshot_run(run)
    events = action_events(store, config, name, destination, run_id=run_id)
    header = {
        "destination": name,
        "run_id": run_id,
        "as_of": f"{as_of:%Y-%m-%d}",
        "kind": "actions",
    }
    queued = _queue_events(store, name, destination, events, header=header, run_id=run_id)
    sent, pending, error = deliver_outbox(store, name, destination, secret=secret, sleep=sleep)
    result = DestinationSync(
        name, "webhook", run_id, "pending" if pending else "ok", len(events), sent, pending,
        message=error, details={"kind": "actions", "batches_queued": queued},
    )  # fmt: skip
    record_sync(store, result)
    return result


def action_events(
    store: Store,
    config: SegmintConfig,
    name: str,
    destination: WebhookDestination,
    *,
    run_id: int,
) -> list[dict[str, Any]]:
    """Return one event per action whose current status `name` has not been queued yet, in order.

    An action the receiver never heard of is sent only while open: one closed or cancelled
    before any sync asks nothing of the receiver.
    """
    from segmint.activation.actions import list_actions

    actions = list_actions(store)
    if destination.playbooks:
        actions = [a for a in actions if a["playbook"] in destination.playbooks]
    if destination.channels:
        actions = [a for a in actions if a["channel"] in destination.channels]
    queued = store.frame(
        "SELECT action_id, status FROM destination_action_events WHERE destination = ? "
        "ORDER BY queued_at, rowid",
        [name],
    )
    last = dict(zip(queued["action_id"], queued["status"], strict=True))
    times = queued.groupby(["action_id", "status"]).size().to_dict()
    events = []
    for action in actions:
        previous = last.get(action["action_id"])
        status = action["status"]
        if previous == status or (previous is None and status not in OPEN_STATUSES):
            continue
        # Stable per action and status; a return to an earlier status is a new event.
        seen = int(times.get((action["action_id"], status), 0))
        event_id = f"{action['action_id']}.{status}" + (f".{seen + 1}" if seen else "")
        event = {"event_id": event_id, "previous_status": previous}
        event.update({k: action.get(k) for k in EVENT_FIELDS})
        events.append(event)
    return _protected(store, config, destination, events, run_id=run_id)


def _protected(
    store: Store,
    config: SegmintConfig,
    destination: WebhookDestination,
    events: list[dict[str, Any]],
    *,
    run_id: int,
) -> list[dict[str, Any]]:
    """Apply the destination's `message:` to free text, add its `columns:` with PII protected."""
    if not events:
        return events
    frame = pd.DataFrame(events)
    frame = protect_pii(frame, list(FREE_TEXT_FIELDS), mode=destination.message, config=config)
    out = [{str(k): json_value(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]
    if destination.columns:
        values = snapshot_columns(store, run_id, destination.columns)
        values = protect_pii(values, config.pii_columns(), mode=destination.pii, config=config)
        by_id = {
            str(r.pop("customer_id")): {k: json_value(v) for k, v in r.items()}
            for r in values.to_dict(orient="records")
        }
        for event in out:
            event["attributes"] = by_id.get(str(event["customer_id"]), {})
    return out


def _queue_events(
    store: Store,
    name: str,
    destination: WebhookDestination,
    events: list[dict[str, Any]],
    *,
    header: dict[str, Any],
    run_id: int,
) -> int:
    """Write the events as outbox batches and remember them as queued, in one transaction."""
    if not events:
        return 0
    rows = pd.DataFrame(
        {
            "destination": name,
            "action_id": [e["action_id"] for e in events],
            "customer_id": [str(e["customer_id"]) for e in events],
            "status": [e["status"] for e in events],
            "event_id": [e["event_id"] for e in events],
            "run_id": run_id,
            "queued_at": now(),
        }
    )
    store.con.execute("BEGIN TRANSACTION")
    try:
        queued = insert_batches(
            store, name, events, batch_size=destination.batch_size, header=header, run_id=run_id
        )
        store.con.register("_events", rows)
        store.con.execute("INSERT INTO destination_action_events SELECT * FROM _events")
        store.con.unregister("_events")
        store.con.execute("COMMIT")
    except Exception:
        store.con.execute("ROLLBACK")
        raise
    return queued
