"""`segmint run` sends the action queue to an `actions: true` webhook, and `segmint erase` tells the
receivers that were sent a customer (signed `customer.erased`), leaving no trace of the id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner
from webhook_receiver import Receiver

from conftest import configure
from segmint.activation.actions import list_actions, set_action_status
from segmint.activation.erase import erase_customer
from segmint.activation.sync import sync_destinations
from segmint.activation.webhook import verify_signature
from segmint.cli import _register_commands, app
from segmint.config import load_config
from segmint.sources.suppression import erasure_hash
from segmint.store import open_store
from segmint.workspace.run import run_workspace

SECRET = "erase-secret"
_register_commands()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("SEGMINT_HOOK_SECRET", SECRET)
    server = Receiver(SECRET.encode("utf-8"))
    yield server
    server.close()


def hooks(root: Path, url: str, **options: Any) -> None:
    common = {
        "url": url, "secret_env": "SEGMINT_HOOK_SECRET", "type": "webhook",
        "backoff_seconds": 0.01, "timeout_seconds": 0.5, **options,
    }  # fmt: skip
    configure(
        root,
        destinations={
            "crm_hook": {**common, "scheme": "lifecycle"},
            "queue_hook": {**common, "actions": True},
            # Sent only the at-risk segment: told about nobody outside it.
            "risk_hook": {**common, "scheme": "lifecycle", "segments": ["at risk"]},
        },
    )


def run(root: Path) -> list[str]:
    config = load_config(root)
    with open_store(root / config.database) as store:
        result = run_workspace(root, config, store, as_of=datetime(2025, 7, 15), write_report=False)
    return list(result.notes)


def sync_all(root: Path) -> None:
    config = load_config(root)
    with open_store(root / config.database) as store:
        sync_destinations(store, config, sleep=lambda _s: None)


def received(receiver: Receiver) -> list[dict[str, Any]]:
    return list(receiver.accepted.values())


def victim(root: Path) -> str:
    """A customer with an open action, not in the at-risk segment."""
    with open_store(root / "segmint.duckdb", read_only=True) as store:
        open_ids = {a["customer_id"] for a in list_actions(store, status="open")}
        at_risk = {
            r[0]
            for r in store.con.execute(
                "SELECT customer_id FROM destination_members WHERE destination = 'risk_hook'"
            ).fetchall()
        }
    return sorted(open_ids - at_risk)[0]


def files_holding(root: Path, needle: str) -> list[str]:
    config = load_config(root)
    sources = {(root / s.path).resolve() for s in config.sources if s.path}
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and p.resolve() not in sources and needle.encode() in p.read_bytes()
    )


def test_run_sends_the_queue_and_erase_tells_the_receivers_that_knew_the_customer(
    workspace: Path, receiver: Receiver
) -> None:
    hooks(workspace, receiver.url)
    notes = run(workspace)
    assert any(n.startswith("queue_hook: ") and "batches delivered" in n for n in notes), notes
    with open_store(workspace / "segmint.duckdb", read_only=True) as store:
        open_actions = list_actions(store, status="open")
    action_batches = [b for b in received(receiver) if b["destination"] == "queue_hook"]
    sent = [e for b in action_batches for e in b["changes"]]
    assert [e["action_id"] for e in sent] == [a["action_id"] for a in open_actions]
    assert {b["kind"] for b in action_batches} == {"actions"}

    customer = victim(workspace)
    with open_store(workspace / "segmint.duckdb") as store:
        theirs = [a["action_id"] for a in list_actions(store, customer_id=customer)]
        set_action_status(
            store, theirs[0], "done", note="spoke to Jane Roe-Whitfield", at=datetime(2025, 7, 16)
        )
    sync_all(workspace)
    access = CliRunner().invoke(app, ["customer", customer, "-w", str(workspace), "--export"])
    history = json.loads(access.stdout)["tables"]["action_history"]
    assert {h["action_id"] for h in history} == set(theirs) and any(
        h["note"] == "spoke to Jane Roe-Whitfield" for h in history
    )
    attempts_before = len(receiver.attempts)
    result = CliRunner().invoke(app, ["erase", customer, "-w", str(workspace), "--yes"])
    assert result.exit_code == 0, result.output
    assert "webhook receivers told (customer.erased): crm_hook (delivered), queue_hook" in (
        result.output
    )
    notices = [a for a in receiver.attempts[attempts_before:]]
    assert len(notices) == 2  # not risk_hook: it was never sent this customer
    for attempt in notices:
        assert verify_signature(attempt.body, attempt.signature, SECRET.encode())
        assert attempt.key.endswith("-erased-" + erasure_hash(customer)[:24])
    bodies = [receiver.accepted[a.key] for a in notices]
    assert {b["destination"] for b in bodies} == {"crm_hook", "queue_hook"}
    assert all(
        b == {**b, "event": "customer.erased", "customer_id": customer,
              "id_hash": erasure_hash(customer)}
        for b in bodies
    )  # fmt: skip
    assert files_holding(workspace, customer) == []
    # Their actions' history (notes are free text about them) went too.
    assert files_holding(workspace, "Jane Roe-Whitfield") == []
    with open_store(workspace / "segmint.duckdb", read_only=True) as store:
        left = store.con.execute(
            "SELECT count(*) FROM action_history WHERE action_id IN (SELECT unnest(?::VARCHAR[]))",
            [theirs],
        ).fetchone()
    assert left == (0,)
    # Nothing about them is sent again; the next sync goes on without them.
    before = len(receiver.accepted)
    CliRunner().invoke(app, ["sync", "-w", str(workspace)])
    later = [c for b in list(receiver.accepted.values())[before:] for c in b.get("changes", [])]
    assert all(c["customer_id"] != customer for c in later)


def test_a_receiver_down_during_erase_gets_the_hash_only_event_on_the_next_sync(
    workspace: Path, receiver: Receiver
) -> None:
    hooks(workspace, receiver.url, max_attempts=2)
    run(workspace)
    customer = victim(workspace)
    receiver.plan = ["500"] * 4  # crm_hook and queue_hook both fail their two tries
    config = load_config(workspace)
    report = erase_customer(workspace, config, customer, sleep=lambda _s: None)
    assert report.receivers == {"crm_hook": "pending", "queue_hook": "pending"}
    assert files_holding(workspace, customer) == []  # the waiting event holds the hash only
    with open_store(workspace / config.database, read_only=True) as store:
        waiting = store.con.execute(
            "SELECT destination, idempotency_key FROM outbox WHERE status = 'pending' "
            "ORDER BY destination"
        ).fetchall()
    assert [w[0] for w in waiting] == ["crm_hook", "queue_hook"]
    failed_keys = {a.key for a in receiver.attempts if a.behaviour == "500"}
    assert {w[1] for w in waiting} == failed_keys  # the same key as the failed tries

    result = CliRunner().invoke(app, ["sync", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    events = [receiver.accepted[k] for k in sorted(failed_keys)]
    assert [e["event"] for e in events] == ["customer.erased"] * 2
    assert all(e["customer_id"] is None for e in events)
    # The receiver finds its record by hashing the ids it holds.
    assert all(e["id_hash"] == erasure_hash(customer) for e in events)
