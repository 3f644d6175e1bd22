"""`segmint erase`: no trace of the customer in any byte of the workspace (but the user's own
sources), nor in PostgreSQL destinations; the erasure is recorded and later ingests suppress them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from typer.testing import CliRunner

from conftest import configure
from segmint.cli import _register_commands, app
from segmint.config import load_config
from segmint.sources.suppression import erasure_hash
from segmint.store import open_store

_register_commands()


def invoke(*args: object) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


def files_holding(root: Path, needle: str, *, skip: set[Path]) -> list[str]:
    encoded = needle.encode("utf-8")
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and p not in skip and encoded in p.read_bytes()
    )


def victim_of(root: Path) -> tuple[str, str]:
    """A customer in the report, the exports and every table: (id, email)."""
    report = (root / "report.html").read_text(encoding="utf-8")
    with open_store(root / "segmint.duckdb", read_only=True) as store:
        rows = store.con.execute(
            "SELECT c.customer_id, c.email FROM customers c JOIN snapshot_segments s "
            "ON s.customer_id = c.customer_id AND s.run_id = 3 AND s.scheme = 'lifecycle' "
            "WHERE c.email IS NOT NULL AND c.customer_id IN (SELECT customer_id FROM transactions) "
            "ORDER BY c.customer_id"
        ).fetchall()
    in_report = [r for r in rows if r[0] in report]
    assert in_report, "the fixture's report names no customer"
    return str(in_report[0][0]), str(in_report[0][1])


@pytest.mark.postgres
def test_erase_leaves_no_trace_and_later_ingests_suppress(
    workspace: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    table = f"segmint_erase_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("SEGMINT_HOOK_SECRET", "s")
    configure(
        workspace,
        destinations={
            "warehouse": {"type": "postgres", "url_env": "SEGMINT_PG_URL", "table": table},
            # Nobody listens here: the batches stay in the outbox (with the customer in them).
            "crm_hook": {
                "type": "webhook", "url": "http://127.0.0.1:9/hook", "secret_env": "SEGMINT_HOOK_SECRET",
                "scheme": "lifecycle", "max_attempts": 1, "columns": ["email"],
            },
        },
    )  # fmt: skip
    victim, email = victim_of(workspace)
    assert invoke("sync", "-w", workspace).exit_code == 1  # the webhook is down: outbox
    outside = tmp_path / "outside.json"
    for args in (
        ["export", "-w", workspace, "--scheme", "lifecycle", "--columns", "mrr", "-o", workspace / "all.csv"],
        ["export", "-w", workspace, "--scheme", "value", "--format", "parquet", "-o", workspace / "v.parquet"],
        ["export", "-w", workspace, "--tag", "한국_고객", "-o", outside],
        ["customer", victim, "-w", workspace, "--export", "-o", workspace / "access.json"],
    ):  # fmt: skip
        result = invoke(*args)
        assert result.exit_code == 0, result.output
    access = json.loads((workspace / "access.json").read_text(encoding="utf-8"))
    assert access["customer_id"] == victim and access["tables"]["customers"][0]["email"] == email
    assert access["pending_webhook_changes"][0]["customer_id"] == victim
    config = load_config(workspace)
    sources = {(workspace / s.path).resolve() for s in config.sources if s.path}
    skip = {p for p in workspace.rglob("*") if p.resolve() in sources}
    before = files_holding(workspace, victim, skip=skip)
    assert {"segmint.duckdb", "all.csv", "access.json", "report.html"} <= set(before)
    # Parquet compresses its pages: the id is in the values, not necessarily in the bytes.
    assert victim in set(pd.read_parquet(workspace / "v.parquet")["customer_id"])

    result = invoke("erase", victim, "-w", workspace, "--yes", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "your sources still hold this customer: crm (data/customers.csv)" in result.output
    assert "warehouse 1" in result.output

    # No byte of any file in the workspace (but the user's sources) names the customer.
    for needle in (victim, email):
        assert files_holding(workspace, needle, skip=skip) == []
    assert victim.encode() not in outside.read_bytes()
    assert victim not in set(pd.read_parquet(workspace / "v.parquet")["customer_id"])
    with psycopg.connect(pg_url.replace("postgres://", "postgresql://", 1)) as conn:
        held = conn.execute(
            f"SELECT count(*) FROM {table} WHERE customer_id = %s", [victim]
        ).fetchone()
        total = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        conn.execute(f"DROP TABLE {table}")
    assert held == (0,) and total and total[0] > 0
    with open_store(workspace / "segmint.duckdb", read_only=True) as store:
        assert store.erased_hashes() == {erasure_hash(victim)}
        others = store.con.execute("SELECT count(*) FROM snapshot_segments").fetchone()
        assert others and others[0] > 0  # the other customers are still there

    # The next ingest reads the sources again and suppresses the customer's rows, saying so.
    result = invoke("ingest", "-w", workspace, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows_suppressed"] > 0
    crm = next(s for s in summary["sources"] if s["source"] == "crm")
    assert crm["rows_suppressed"] == 1
    assert crm["rows_read"] == crm["rows_loaded"] + crm["rows_rejected"] + crm["rows_suppressed"]
    assert files_holding(workspace, victim, skip=skip) == []
    shown = invoke("ingest", "-w", workspace, "--lang", "ko")
    assert shown.exit_code == 0  # unchanged sources are skipped now


def test_erase_refuses_unknown_ids_and_unconfirmed_requests(workspace: Path) -> None:
    result = invoke("erase", "NOPE-1", "-w", workspace, "--yes")
    assert result.exit_code == 2 and "customer 'NOPE-1' not found" in result.output
    victim, _ = victim_of(workspace)
    result = CliRunner().invoke(app, ["erase", victim, "-w", str(workspace)], input="n\n")
    assert result.exit_code == 2 and "nothing erased" in result.output
    with open_store(workspace / "segmint.duckdb", read_only=True) as store:
        assert store.erased_hashes() == set()
    # Erasing twice is harmless: the second run repeats the rewrite and the file redaction.
    for _ in range(2):
        result = invoke("erase", victim, "-w", workspace, "--yes", "--json")
        assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows_deleted"] == {}


def test_erase_with_an_unreachable_postgres_destination_changes_nothing(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(
        workspace,
        destinations={
            "warehouse": {
                "type": "postgres",
                "url_env": "SEGMINT_PG_URL",
                "connect_timeout_seconds": 2,
            }
        },
    )
    monkeypatch.setenv("SEGMINT_PG_URL", "postgresql://nobody@127.0.0.1:9/none")
    victim, _ = victim_of(workspace)
    before = (workspace / "segmint.duckdb").read_bytes()
    result = invoke("erase", victim, "-w", workspace, "--yes")
    assert result.exit_code == 2 and "cannot connect to PostgreSQL" in result.output
    assert (workspace / "segmint.duckdb").read_bytes() == before


def test_access_request_json_on_stdout(workspace: Path) -> None:
    victim, email = victim_of(workspace)
    result = invoke("customer", victim, "-w", workspace, "--export")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["ids"] == [victim]
    assert {"customers", "transactions", "snapshot_segments", "identity_map"} <= set(
        record["tables"]
    )
    assert {r["run_id"] for r in record["tables"]["snapshot_segments"]} == {2, 3}
    with open_store(workspace / "segmint.duckdb", read_only=True) as store:
        n = store.con.execute(
            "SELECT count(*) FROM transactions WHERE customer_id = ?", [victim]
        ).fetchone()
    assert n and len(record["tables"]["transactions"]) == n[0]
