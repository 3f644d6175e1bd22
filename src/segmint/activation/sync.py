"""`segmint sync`: hand the newest snapshot to every configured destination."""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa

from segmint.activation.destination_config import PostgresDestination, WebhookDestination
from segmint.activation.ledger import ensure_activation_tables, now
from segmint.activation.membership import load_membership
from segmint.activation.privacy import protect_pii
from segmint.activation.webhook import post_batch
from segmint.config import SegmintConfig
from segmint.errors import ConfigError, InputError
from segmint.store import Store


@dataclass
class DestinationSync:
    """What one sync did for one destination."""

    destination: str
    type: str
    run_id: int
    status: str  # ok | pending (batches left in the outbox) | nothing to send
    changes: int = 0
    batches_sent: int = 0
    batches_pending: int = 0
    rows: int = 0
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return dict(self.__dict__)


def sync_destinations(
    store: Store,
    config: SegmintConfig,
    *,
    only: str | None = None,
    run: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[DestinationSync]:
    """Sync every destination (or `only` that one) with snapshot `run` (default: newest as_of)."""
    chosen = selected_destinations(config, only)
    # Secrets and URLs are checked for all before anything is written or sent.
    for name, destination in chosen.items():
        if isinstance(destination, WebhookDestination):
            destination.secret(name)
            unknown = [p for p in destination.playbooks if p not in config.playbooks]
            if unknown:
                raise ConfigError(
                    f"destinations.{name}.playbooks: unknown playbook(s) "
                    f"{', '.join(map(repr, unknown))}; playbooks: "
                    + (", ".join(sorted(config.playbooks)) or "none")
                )
        else:
            destination.url(name)
    ensure_activation_tables(store)
    results = []
    for name, destination in chosen.items():
        if isinstance(destination, WebhookDestination) and destination.actions:
            from segmint.activation.action_sync import sync_action_webhook

            results.append(
                sync_action_webhook(store, config, name, destination, run=run, sleep=sleep)
            )
        elif isinstance(destination, WebhookDestination):
            results.append(sync_webhook(store, config, name, destination, run=run, sleep=sleep))
        else:
            from segmint.activation.postgres_sync import sync_postgres

            results.append(sync_postgres(store, config, name, destination, run=run))
    return results


def selected_destinations(
    config: SegmintConfig, only: str | None
) -> dict[str, WebhookDestination | PostgresDestination]:
    """Return the configured destinations, or just `only`; raise InputError for an unknown name."""
    if not config.destinations:
        raise InputError("segmint.yaml has no `destinations:`; see docs/activation.md")
    if only is None:
        return dict(config.destinations)
    if only not in config.destinations:
        raise InputError(
            f"--destination: unknown destination {only!r}; configured: "
            + ", ".join(config.destinations)
        )
    return {only: config.destinations[only]}


def sync_webhook(
    store: Store,
    config: SegmintConfig,
    name: str,
    destination: WebhookDestination,
    *,
    run: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DestinationSync:
    """Queue who entered or left since the last sync (everyone the first time), then deliver."""
    secret = destination.secret(name)
    subject = destination.scheme or f"tag:{destination.tag}"
    membership = load_membership(
        store, subject, segments=destination.segments, columns=destination.columns, run=run
    )
    changes = membership_changes(store, name, membership.members)
    first = not has_synced(store, name)
    attributes = _attributes(membership.members, destination, config)
    queued = _queue_batches(
        store,
        name,
        destination,
        changes,
        attributes,
        run_id=membership.run_id,
        header={
            "destination": name,
            "run_id": membership.run_id,
            "as_of": f"{membership.as_of:%Y-%m-%d}",
            "scheme" if destination.scheme else "tag": destination.scheme or destination.tag,
            "kind": "full" if first else "diff",
        },
        members=membership.members,
    )
    sent, pending, error = deliver_outbox(store, name, destination, secret=secret, sleep=sleep)
    status = "pending" if pending else "ok"
    result = DestinationSync(
        name, "webhook", membership.run_id, status, len(changes), sent, pending,
        rows=len(membership.members), message=error,
        details={"kind": "full" if first else "diff", "batches_queued": queued},
    )  # fmt: skip
    record_sync(store, result)
    return result


def membership_changes(store: Store, name: str, members: pd.DataFrame) -> list[dict[str, Any]]:
    """Return who entered, moved or left since the membership last queued for `name`, by id."""
    before = dict(
        store.con.execute(
            "SELECT customer_id, segment FROM destination_members WHERE destination = ?", [name]
        ).fetchall()
    )
    now_in = dict(
        zip(members["customer_id"].astype(str), members["segment"].astype(str), strict=True)
    )
    changes: list[dict[str, Any]] = []
    for customer_id in sorted(before.keys() | now_in.keys()):
        old, new = before.get(customer_id), now_in.get(customer_id)
        if old == new:
            continue
        if old is None:
            changes.append({"customer_id": customer_id, "change": "entered", "segment": new})
        elif new is None:
            changes.append({"customer_id": customer_id, "change": "left", "segment": old})
        else:
            changes.append(
                {
                    "customer_id": customer_id,
                    "change": "moved",
                    "segment": new,
                    "previous_segment": old,
                }
            )
    return changes


def _attributes(
    members: pd.DataFrame, destination: WebhookDestination, config: SegmintConfig
) -> dict[str, dict[str, Any]]:
    if not destination.columns:
        return {}
    frame = protect_pii(
        members[["customer_id", *destination.columns]],
        config.pii_columns(),
        mode=destination.pii,
        config=config,
    )
    out: dict[str, dict[str, Any]] = {}
    for record in frame.to_dict(orient="records"):
        customer_id = str(record.pop("customer_id"))
        out[customer_id] = {str(k): json_value(v) for k, v in record.items()}
    return out


def json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _queue_batches(
    store: Store,
    name: str,
    destination: WebhookDestination,
    changes: list[dict[str, Any]],
    attributes: dict[str, dict[str, Any]],
    *,
    run_id: int,
    header: dict[str, Any],
    members: pd.DataFrame,
) -> int:
    """Write the changes as outbox batches and the new membership, in one transaction."""
    if not changes:
        return 0
    for change in changes:
        if change["change"] != "left" and attributes:
            change["attributes"] = attributes.get(change["customer_id"], {})
    store.con.execute("BEGIN TRANSACTION")
    try:
        queued = insert_batches(
            store, name, changes, batch_size=destination.batch_size, header=header, run_id=run_id
        )
        store.con.execute("DELETE FROM destination_members WHERE destination = ?", [name])
        frame = members[["customer_id", "segment"]].astype("string")
        store.con.register("_members", pa.Table.from_pandas(frame, preserve_index=False))
        store.con.execute(
            "INSERT INTO destination_members SELECT ?, customer_id, segment, ? FROM _members",
            [name, run_id],
        )
        store.con.unregister("_members")
        store.con.execute("COMMIT")
    except Exception:
        store.con.execute("ROLLBACK")
        raise
    return queued


def insert_batches(
    store: Store,
    name: str,
    changes: list[dict[str, Any]],
    *,
    batch_size: int,
    header: dict[str, Any],
    run_id: int,
) -> int:
    """Append `changes` to the destination's outbox as numbered batches; return how many.

    Runs inside the caller's transaction, so the batches land together with the state they
    were computed against. Each batch gets its key here, once: every retry reuses it.
    """
    row = store.con.execute(
        "SELECT coalesce(max(seq), 0) FROM outbox WHERE destination = ?", [name]
    ).fetchone()
    seq = int(row[0]) if row else 0
    chunks = [changes[i : i + batch_size] for i in range(0, len(changes), batch_size)]
    created = now()
    for index, chunk in enumerate(chunks, start=1):
        seq += 1
        body = json.dumps(
            {**header, "batch": index, "batches": len(chunks), "changes": chunk},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
        store.con.execute(
            "INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, NULL, ?, NULL)",
            [name, seq, f"{name}-{seq:06d}-{digest}", run_id, len(chunk), body, created],
        )
    return len(chunks)


def _customer_ids(body: str) -> set[str]:
    return {
        str(c["customer_id"]) for c in json.loads(body).get("changes", []) if "customer_id" in c
    }


def _remember_contacts(store: Store, name: str, customer_ids: set[str]) -> None:
    # Who this receiver has been sent: `segmint erase` notifies exactly those receivers.
    # One statement per sync, not per batch: a full sync of a million customers stays fast.
    if customer_ids:
        store.con.execute(
            "INSERT OR IGNORE INTO destination_contacts SELECT ?, unnest(?::VARCHAR[])",
            [name, sorted(customer_ids)],
        )


def deliver_outbox(
    store: Store,
    name: str,
    destination: WebhookDestination,
    *,
    secret: bytes,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, int, str]:
    """Send the destination's pending batches oldest first; stop at the first that still fails.

    Returns (batches sent, batches still pending, the last error).
    """
    pending = store.con.execute(
        "SELECT seq, idempotency_key, body FROM outbox WHERE destination = ? AND status = 'pending' "
        "ORDER BY seq",
        [name],
    ).fetchall()
    sent = 0
    told: set[str] = set()
    try:
        for seq, key, body in pending:
            delivery = post_batch(
                destination.url,
                str(body).encode("utf-8"),
                secret=secret,
                idempotency_key=str(key),
                timeout=destination.timeout_seconds,
                max_attempts=destination.max_attempts,
                backoff_seconds=destination.backoff_seconds,
                sleep=sleep,
            )
            if delivery.delivered:
                told.update(_customer_ids(str(body)))
                # A delivered batch keeps its key and count, not its body (less personal data).
                store.con.execute(
                    "UPDATE outbox SET status = 'sent', body = NULL, sent_at = ?, "
                    "attempts = attempts + ?, last_error = NULL WHERE destination = ? AND seq = ?",
                    [now(), delivery.attempts, name, seq],
                )
                sent += 1
                continue
            store.con.execute(
                "UPDATE outbox SET attempts = attempts + ?, last_error = ? "
                "WHERE destination = ? AND seq = ?",
                [delivery.attempts, delivery.error, name, seq],
            )
            # Later batches wait: the receiver must see changes in order.
            return sent, len(pending) - sent, delivery.error
        return sent, 0, ""
    finally:
        _remember_contacts(store, name, told)


def has_synced(store: Store, name: str) -> bool:
    row = store.con.execute("SELECT count(*) FROM outbox WHERE destination = ?", [name]).fetchone()
    return bool(row and row[0])


def record_sync(store: Store, result: DestinationSync) -> None:
    """Append one destination's sync outcome to destination_syncs (what --status shows)."""
    store.con.execute(
        "INSERT INTO destination_syncs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.destination, result.run_id, now(), result.status, result.changes,
            result.batches_sent, result.batches_pending, result.message,
        ],
    )  # fmt: skip


def sync_status(store: Store, config: SegmintConfig) -> dict[str, Any]:
    """Return each destination's last sync and the batches waiting in its outbox."""
    destinations: list[dict[str, Any]] = []
    has_tables = store.has_table("outbox")
    for name, destination in config.destinations.items():
        entry: dict[str, Any] = {"destination": name, "type": destination.type, "last_sync": None}
        entry["outbox"] = []
        if has_tables:
            last = store.frame(
                "SELECT run_id, synced_at, status, changes, batches_sent, batches_pending, message "
                "FROM destination_syncs WHERE destination = ? ORDER BY synced_at DESC LIMIT 1",
                [name],
            )
            if len(last):
                record = last.iloc[0].to_dict()
                record["synced_at"] = str(record["synced_at"])[:19]
                entry["last_sync"] = {k: json_value(v) for k, v in record.items()}
            waiting = store.frame(
                "SELECT seq, idempotency_key, run_id, changes, attempts, last_error, created_at "
                "FROM outbox WHERE destination = ? AND status = 'pending' ORDER BY seq",
                [name],
            )
            waiting["created_at"] = waiting["created_at"].astype(str).str[:19]
            entry["outbox"] = [
                {k: json_value(v) for k, v in r.items()} for r in waiting.to_dict(orient="records")
            ]
            sent = store.con.execute(
                "SELECT count(*) FROM outbox WHERE destination = ? AND status = 'sent'", [name]
            ).fetchone()
            entry["batches_sent"] = int(sent[0]) if sent else 0
        destinations.append(entry)
    return {"destinations": destinations}
