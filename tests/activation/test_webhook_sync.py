"""Webhooks against a real receiver on 127.0.0.1 that fails on purpose (500, timeout, dropped
connection, refusal) and recovers: every change arrives exactly once by key, in order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner
from webhook_receiver import Receiver

from conftest import configure, tag_pii
from segmint.activation.sync import sync_destinations, sync_status
from segmint.activation.webhook import sign, verify_signature
from segmint.cli import _register_commands, app
from segmint.config import load_config
from segmint.errors import ConfigError, InputError
from segmint.store import open_store

SECRET = "test-secret-ü"
_register_commands()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("SEGMINT_HOOK_SECRET", SECRET)
    server = Receiver(SECRET.encode("utf-8"))
    yield server
    server.close()


def hook(root: Path, url: str, **options: Any) -> None:
    configure(
        root,
        destinations={
            "crm_hook": {
                "type": "webhook",
                "url": url,
                "secret_env": "SEGMINT_HOOK_SECRET",
                "scheme": "lifecycle",
                "batch_size": 40,
                "backoff_seconds": 0.01,
                "timeout_seconds": 0.5,
                **options,
            }
        },
    )


def sync(root: Path, *, run: int | None = None) -> Any:
    config = load_config(root)
    with open_store(root / config.database) as store:
        return sync_destinations(store, config, run=run, sleep=lambda _s: None)[0]


def membership(root: Path, run: int) -> dict[str, str]:
    with open_store(root / "segmint.duckdb", read_only=True) as store:
        rows = store.con.execute(
            "SELECT customer_id, segment FROM snapshot_segments WHERE run_id = ? "
            "AND scheme = 'lifecycle'",
            [run],
        ).fetchall()
    return dict(rows)


def replay(changes: list[dict[str, Any]]) -> dict[str, str]:
    """Apply changes in the order received: what the receiver believes the membership is."""
    state: dict[str, str] = {}
    for change in changes:
        if change["change"] == "left":
            assert state.pop(change["customer_id"]) == change["segment"]
        else:
            if change["change"] == "moved":
                assert state[change["customer_id"]] == change["previous_segment"]
            state[change["customer_id"]] = change["segment"]
    return state


def test_signature_is_hmac_sha256_of_the_raw_body_and_the_readme_snippet_checks_it(
    receiver: Receiver,
) -> None:
    body = json.dumps({"changes": [{"customer_id": "가"}]}, ensure_ascii=False).encode()
    header = sign(body, b"k")
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert receiver.verify(body, header, b"k") and verify_signature(body, header, b"k")
    assert not receiver.verify(body + b" ", header, b"k")
    assert not receiver.verify(body, header, b"other")


def test_flaky_receiver_gets_full_membership_once_per_key_in_order(
    workspace: Path, receiver: Receiver
) -> None:
    hook(workspace, receiver.url, max_attempts=5)
    receiver.plan = ["500", "timeout", "drop", "ok", "500"]
    result = sync(workspace, run=2)
    assert result.status == "ok" and result.batches_pending == 0
    expected = membership(workspace, 2)
    assert result.details["kind"] == "full" and result.changes == len(expected)
    # Every failure mode happened, retried with the same key and body, signed.
    assert [a.behaviour for a in receiver.attempts[:5]] == ["500", "timeout", "drop", "ok", "500"]
    by_key: dict[str, set[bytes]] = {}
    for attempt in receiver.attempts:
        by_key.setdefault(attempt.key, set()).add(attempt.body)
        assert verify_signature(attempt.body, attempt.signature, SECRET.encode())
        assert attempt.timestamp.isdigit()
    assert all(len(bodies) == 1 for bodies in by_key.values())
    assert receiver.bad_signatures == 0
    # The timed-out batch arrived twice; the receiver keeps one per key.
    assert len(receiver.attempts) > len(receiver.accepted) == result.batches_sent
    changes = receiver.changes()
    ids = [c["customer_id"] for c in changes]
    assert len(ids) == len(set(ids)) == len(expected)
    assert ids == sorted(ids)  # batches arrive in order, changes sorted within
    assert all(c["change"] == "entered" for c in changes)
    assert replay(changes) == expected
    batches = list(receiver.accepted.values())
    assert [b["batch"] for b in batches] == list(range(1, len(batches) + 1))
    assert {b["kind"] for b in batches} == {"full"} and {b["run_id"] for b in batches} == {2}


def test_failed_batches_wait_in_the_outbox_and_go_first_next_time(
    workspace: Path, receiver: Receiver
) -> None:
    hook(workspace, receiver.url, max_attempts=2)
    receiver.plan = ["500", "500"]  # the first batch fails twice: the sync gives up on it
    first = sync(workspace, run=2)
    assert first.status == "pending" and first.batches_sent == 0
    assert first.batches_pending == first.details["batches_queued"] >= 2
    assert "HTTP 500" in first.message
    assert receiver.accepted == {}
    config = load_config(workspace)
    with open_store(workspace / config.database, read_only=True) as store:
        status = sync_status(store, config)["destinations"][0]
    waiting = status["outbox"]
    assert [b["seq"] for b in waiting] == list(range(1, first.batches_pending + 1))
    assert waiting[0]["attempts"] == 2 and "HTTP 500" in waiting[0]["last_error"]
    keys_before = [b["idempotency_key"] for b in waiting]

    # The receiver recovers; the next sync (a later run) sends the old batches first, same keys.
    second = sync(workspace, run=3)
    assert second.status == "ok" and second.details["kind"] == "diff"
    sent_keys = list(receiver.accepted)
    assert sent_keys[: len(keys_before)] == keys_before
    assert second.batches_sent == len(sent_keys) > len(keys_before)
    assert replay(receiver.changes()) == membership(workspace, 3)
    diff = [c for b in list(receiver.accepted.values())[len(keys_before) :] for c in b["changes"]]
    before, after = membership(workspace, 2), membership(workspace, 3)
    assert len(diff) == sum(before.get(c) != after.get(c) for c in before.keys() | after.keys())
    assert {c["change"] for c in diff} <= {"entered", "left", "moved"}

    # Nothing changed since: nothing is sent, nothing is queued.
    third = sync(workspace, run=3)
    assert third.changes == 0 and third.batches_sent == 0
    assert len(receiver.accepted) == len(sent_keys)


def test_a_refused_batch_is_not_retried_within_the_sync_but_kept(
    workspace: Path, receiver: Receiver
) -> None:
    hook(workspace, receiver.url, max_attempts=5)
    receiver.plan = ["400"]
    result = sync(workspace, run=3)
    assert result.status == "pending" and "HTTP 400" in result.message
    assert len(receiver.attempts) == 1
    again = sync(workspace, run=3)
    assert again.status == "ok" and replay(receiver.changes()) == membership(workspace, 3)


def test_attributes_leave_pii_out_or_hashed(
    workspace: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag_pii(workspace, "crm", ["email"])
    hook(workspace, receiver.url, columns=["mrr", "email"], pii="hash")
    with pytest.raises(ConfigError, match="SEGMINT_PII_SALT"):
        sync(workspace, run=3)
    monkeypatch.setenv("SEGMINT_PII_SALT", "pepper")
    sync(workspace, run=3)
    change = receiver.changes()[0]
    assert set(change["attributes"]) == {"mrr", "email"}
    assert "@" not in change["attributes"]["email"] and len(change["attributes"]["email"]) == 64


def test_missing_secret_and_unknown_names_are_one_line_errors(
    workspace: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook(workspace, receiver.url)
    monkeypatch.delenv("SEGMINT_HOOK_SECRET")
    result = CliRunner().invoke(app, ["sync", "-w", str(workspace)])
    assert result.exit_code == 2
    assert "SEGMINT_HOOK_SECRET is not set" in result.output and "Traceback" not in result.output
    with open_store(workspace / "segmint.duckdb", read_only=True) as store:
        assert not store.has_table("outbox")  # nothing half-written
    monkeypatch.setenv("SEGMINT_HOOK_SECRET", SECRET)
    result = CliRunner().invoke(app, ["sync", "-w", str(workspace), "--destination", "nope"])
    assert (
        result.exit_code == 2
        and "unknown destination 'nope'; configured: crm_hook" in result.output
    )
    hook(workspace, receiver.url, scheme="no_such_scheme")
    with pytest.raises(InputError, match="scheme 'no_such_scheme' is not in run 3"):
        sync(workspace)


def test_cli_sync_exits_1_with_the_outbox_shown_when_the_receiver_is_down(
    workspace: Path, receiver: Receiver
) -> None:
    hook(workspace, receiver.url, max_attempts=1)
    receiver.plan = ["500"]
    result = CliRunner().invoke(app, ["sync", "-w", str(workspace), "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert "stay in the outbox" in result.output
    status = CliRunner().invoke(app, ["sync", "-w", str(workspace), "--status", "--json"])
    payload = json.loads(status.stdout)
    assert payload["destinations"][0]["outbox"][0]["last_error"].startswith("HTTP 500")
    shown = CliRunner().invoke(app, ["sync", "-w", str(workspace), "--status", "--lang", "ko"])
    assert "아웃박스" in shown.output and "crm_hook-000001-" in shown.output
    result = CliRunner().invoke(app, ["sync", "-w", str(workspace), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["destinations"][0]["batches_pending"] == 0


def test_segmint_run_syncs_as_its_last_stage_but_not_for_a_backfill(
    workspace: Path, receiver: Receiver
) -> None:
    from datetime import datetime

    from segmint.workspace.run import run_stages, run_workspace

    hook(workspace, receiver.url)
    config = load_config(workspace)
    with open_store(workspace / config.database) as store:
        assert run_stages(config, store.logical_tables(), write_report=False)[-1] == "sync"
        result = run_workspace(
            workspace, config, store, as_of=datetime(2025, 7, 15), write_report=False
        )
        assert any(n.startswith("crm_hook: ") and "batches delivered" in n for n in result.notes)
        delivered = len(receiver.accepted)
        backfill = run_workspace(
            workspace, config, store, as_of=datetime(2025, 5, 1), write_report=False
        )
    assert any("destinations not synced" in n for n in backfill.notes)
    assert replay(receiver.changes()) == membership(workspace, result.run_id)
    assert len(receiver.accepted) == delivered
