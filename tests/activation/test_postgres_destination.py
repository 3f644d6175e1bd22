"""Reverse ETL into the real PostgreSQL server of .ci/start-postgres.sh."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from conftest import configure, tag_pii
from segmint.activation.sync import sync_destinations
from segmint.cli import _register_commands, app
from segmint.config import load_config
from segmint.errors import InputError
from segmint.store import open_store

_register_commands()
pytestmark = pytest.mark.postgres


def warehouse(root: Path, table: str, **options: Any) -> None:
    configure(
        root,
        destinations={
            "warehouse": {
                "type": "postgres",
                "url_env": "SEGMINT_PG_URL",
                "table": table,
                "scores": ["health_score", "mrr"],
                **options,
            }
        },
    )


def sync(root: Path, *, run: int | None = None) -> Any:
    config = load_config(root)
    with open_store(root / config.database) as store:
        return sync_destinations(store, config, run=run)[0]


def rows(url: str, table: str) -> dict[str, dict[str, Any]]:
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        cursor = conn.execute(f"SELECT * FROM {table} ORDER BY customer_id")
        names = [d.name for d in cursor.description or []]
        return {r[0]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


def expected(root: Path, run: int, scheme: str) -> dict[str, str]:
    with open_store(root / "segmint.duckdb", read_only=True) as store:
        return dict(
            store.con.execute(
                "SELECT customer_id, segment FROM snapshot_segments WHERE run_id = ? AND scheme = ?",
                [run, scheme],
            ).fetchall()
        )


@pytest.fixture
def table(pg_url: str) -> Any:
    name = f"segmint_test_{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg.connect(pg_url.replace("postgres://", "postgresql://", 1)) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {name}")


def test_creates_upserts_and_deletes_by_customer_id(
    workspace: Path, pg_url: str, table: str
) -> None:
    warehouse(workspace, table)
    first = sync(workspace, run=2)
    held = rows(pg_url, table)
    assert first.details["upserted"] == len(held) == len(expected(workspace, 2, "lifecycle"))
    assert {k: v["lifecycle"] for k, v in held.items()} == expected(workspace, 2, "lifecycle")
    assert {k: v["value"] for k, v in held.items()} == expected(workspace, 2, "value")
    one = next(iter(held.values()))
    assert isinstance(one["health_score"], float) and one["run_id"] == 2
    tag_members = set(expected(workspace, 2, "tag:expansion_ready"))
    assert {k for k, v in held.items() if v["tag_expansion_ready"]} == tag_members

    # A later run replaces the rows; customers no longer in the snapshot are deleted.
    with open_store(workspace / "segmint.duckdb") as store:
        store.con.execute(
            "DELETE FROM snapshot_values WHERE run_id = 3 AND customer_id = ?", [min(held)]
        )
        store.con.execute(
            "DELETE FROM snapshot_segments WHERE run_id = 3 AND customer_id = ?", [min(held)]
        )
    second = sync(workspace, run=3)
    after = rows(pg_url, table)
    assert min(held) not in after and second.details["deleted"] == 1
    assert {k: v["lifecycle"] for k, v in after.items()} == expected(workspace, 3, "lifecycle")
    assert {v["run_id"] for v in after.values()} == {3}


def test_a_failing_sync_leaves_the_previous_state(workspace: Path, pg_url: str, table: str) -> None:
    warehouse(workspace, table)
    sync(workspace, run=2)
    before = rows(pg_url, table)
    victim = sorted(before)[len(before) // 2]
    with psycopg.connect(pg_url.replace("postgres://", "postgresql://", 1)) as conn:
        conn.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT no_run_3 CHECK (run_id <> 3 OR customer_id <> '{victim}')"
        )
    with pytest.raises(InputError, match="keeps its previous state"):
        sync(workspace, run=3)
    assert rows(pg_url, table) == before  # one transaction: nothing of run 3 landed


def test_pii_columns_are_dropped_or_hashed(
    workspace: Path, pg_url: str, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag_pii(workspace, "crm", ["email"])
    warehouse(workspace, table, columns=["email", "plan"])
    sync(workspace, run=3)
    assert "email" not in next(iter(rows(pg_url, table).values()))
    monkeypatch.setenv("SEGMINT_PII_SALT", "pepper")
    warehouse(workspace, table, columns=["email", "plan"], pii="hash")
    sync(workspace, run=3)
    values = [r["email"] for r in rows(pg_url, table).values() if r["email"]]
    assert values and all(len(v) == 64 and "@" not in v for v in values)


def test_unreachable_server_is_a_one_line_error(
    workspace: Path, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse(workspace, table, connect_timeout_seconds=2)
    monkeypatch.setenv("SEGMINT_PG_URL", "postgresql://nobody@127.0.0.1:9/none")
    result = CliRunner().invoke(app, ["sync", "-w", str(workspace)])
    assert result.exit_code == 2
    assert "destinations.warehouse: cannot connect to PostgreSQL" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    monkeypatch.delenv("SEGMINT_PG_URL")
    result = CliRunner().invoke(app, ["sync", "-w", str(workspace)])
    assert result.exit_code == 2 and "SEGMINT_PG_URL is not set" in result.output
