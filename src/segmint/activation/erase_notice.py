"""Tell webhook receivers that a customer was erased: a signed `customer.erased` event.

Only receivers that were sent the customer are told, and only what they already hold: the
customer id (plus the erasure hash). The event is sent during the erase; if the receiver is
down it waits in the outbox carrying the hash alone, since the workspace must keep no trace of
the id. A receiver matches it by hashing the ids it holds (`erasure_hash`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from segmint.activation.destination_config import WebhookDestination
from segmint.activation.ledger import now
from segmint.activation.webhook import post_batch
from segmint.config import SegmintConfig
from segmint.sources.suppression import erasure_hash
from segmint.store import Store

ERASED_EVENT = "customer.erased"


@dataclass(frozen=True)
class ErasureNotice:
    """One receiver's erasure event: its key, and whether it was delivered during the erase."""

    destination: str
    idempotency_key: str
    delivered: bool
    attempts: int
    error: str = ""


def receivers_told_about(
    store: Store, config: SegmintConfig, ids: set[str]
) -> dict[str, WebhookDestination]:
    """Return the webhook destinations that were delivered a batch naming one of `ids`."""
    hooks = {
        name: d for name, d in config.destinations.items() if isinstance(d, WebhookDestination)
    }
    if not hooks or not store.has_table("destination_contacts"):
        return {}
    rows = store.con.execute(
        "SELECT DISTINCT destination FROM destination_contacts "
        "WHERE customer_id IN (SELECT unnest(?::VARCHAR[]))",
        [sorted(ids)],
    ).fetchall()
    told = {str(r[0]) for r in rows}
    return {name: hooks[name] for name in sorted(told) if name in hooks}


def erasure_body(name: str, customer_id: str | None, id_hash: str, erased_at: str) -> str:
    """Return the event's JSON body; `customer_id` None for the copy kept in the outbox."""
    payload = {
        "event": ERASED_EVENT,
        "destination": name,
        "customer_id": customer_id,
        "id_hash": id_hash,
        "erased_at": erased_at,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def notify_erasure(
    receivers: dict[str, WebhookDestination],
    customer_id: str,
    *,
    erased_at: str,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ErasureNotice]:
    """POST a signed `customer.erased` event to each receiver, retrying as a sync does."""
    id_hash = erasure_hash(customer_id)
    notices = []
    for name, destination in receivers.items():
        # One key per receiver and erasure: an erase run again repeats it, never a new one.
        key = f"{name}-erased-{id_hash[:24]}"
        delivery = post_batch(
            destination.url,
            erasure_body(name, customer_id, id_hash, erased_at).encode("utf-8"),
            secret=destination.secret(name),
            idempotency_key=key,
            timeout=destination.timeout_seconds,
            max_attempts=destination.max_attempts,
            backoff_seconds=destination.backoff_seconds,
            sleep=sleep,
        )
        notices.append(
            ErasureNotice(name, key, delivery.delivered, delivery.attempts, delivery.error)
        )
    return notices


def record_notices(
    store: Store, notices: list[ErasureNotice], customer_id: str, *, erased_at: str
) -> None:
    """Add each event to its outbox: sent (no body), or pending with the id's hash only."""
    id_hash = erasure_hash(customer_id)
    for notice in notices:
        row = store.con.execute(
            "SELECT coalesce(max(seq), 0), max(run_id) FROM outbox WHERE destination = ?",
            [notice.destination],
        ).fetchone()
        seq = int(row[0]) + 1 if row else 1
        run_id = row[1] if row else None
        stamp = now()
        if notice.delivered:
            store.con.execute(
                "INSERT INTO outbox VALUES (?, ?, ?, ?, 1, NULL, 'sent', ?, NULL, ?, ?)",
                [notice.destination, seq, notice.idempotency_key, run_id, notice.attempts, stamp,
                 stamp],
            )  # fmt: skip
        else:
            body = erasure_body(notice.destination, None, id_hash, erased_at)
            store.con.execute(
                "INSERT INTO outbox VALUES (?, ?, ?, ?, 1, ?, 'pending', ?, ?, ?, NULL)",
                [notice.destination, seq, notice.idempotency_key, run_id, body, notice.attempts,
                 notice.error, stamp],
            )  # fmt: skip
