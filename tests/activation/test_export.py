"""`segmint export`: segments and tags to CSV (formula-safe), Parquet and JSON, PII protected."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import configure, tag_pii
from segmint.cli import _register_commands, app
from segmint.store import open_store

_register_commands()
SRC = Path(__file__).resolve().parents[2] / "src" / "segmint"


def invoke(*args: object) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


def members(root: Path, scheme: str, segment: str | None = None) -> list[str]:
    sql = "SELECT customer_id FROM snapshot_segments WHERE run_id = 3 AND scheme = ?"
    params = [scheme]
    if segment:
        sql += " AND segment = ?"
        params.append(segment)
    with open_store(root / "segmint.duckdb", read_only=True) as store:
        return sorted(r[0] for r in store.con.execute(sql, params).fetchall())


def biggest_segment(root: Path, scheme: str) -> str:
    with open_store(root / "segmint.duckdb", read_only=True) as store:
        row = store.con.execute(
            "SELECT segment FROM snapshot_segments WHERE run_id = 3 AND scheme = ? "
            "GROUP BY segment ORDER BY count(*) DESC, segment LIMIT 1",
            [scheme],
        ).fetchone()
    assert row
    return str(row[0])


def test_segment_to_csv_parquet_and_json_hold_the_same_rows(workspace: Path) -> None:
    segment = biggest_segment(workspace, "lifecycle")
    frames = {}
    for fmt in ("csv", "parquet", "json"):
        out = workspace / f"export.{fmt}"
        result = invoke(
            "export", "-w", workspace, "--scheme", "lifecycle", "--segment", segment,
            "--columns", "mrr,health_score", "-o", out, "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert summary["format"] == fmt and summary["run_id"] == 3
        if fmt == "csv":
            frames[fmt] = pd.read_csv(out, dtype={"customer_id": str})
        elif fmt == "parquet":
            frames[fmt] = pd.read_parquet(out)
        else:
            frames[fmt] = pd.DataFrame(json.loads(out.read_text(encoding="utf-8")))
    expected = members(workspace, "lifecycle", segment)
    for frame in frames.values():
        assert list(frame.columns) == ["customer_id", "segment", "mrr", "health_score"]
        assert frame["customer_id"].tolist() == expected
        assert set(frame["segment"]) == {segment}
    pd.testing.assert_frame_equal(frames["csv"], frames["parquet"], check_dtype=False)
    pd.testing.assert_frame_equal(frames["csv"], frames["json"], check_dtype=False)


def test_tag_export_and_pii_drop_hash_keep(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag_pii(workspace, "crm", ["email"])
    out = workspace / "tag.csv"
    args = ["export", "-w", workspace, "--tag", "한국_고객", "--columns", "email,plan", "-o", out]
    dropped = invoke(*args, "--lang", "en")
    assert dropped.exit_code == 0, dropped.output
    assert "personal data left out: email" in dropped.output
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["customer_id", "segment", "plan"]
    assert frame["customer_id"].tolist() == members(workspace, "tag:한국_고객")
    assert invoke(*args, "--pii", "hash").exit_code == 2  # no salt in the environment
    monkeypatch.setenv("SEGMINT_PII_SALT", "pepper")
    assert invoke(*args, "--pii", "hash").exit_code == 0
    hashed = pd.read_csv(out)["email"]
    assert hashed.str.fullmatch(r"[0-9a-f]{64}").all()
    assert invoke(*args, "--pii", "keep").exit_code == 0
    assert pd.read_csv(out)["email"].str.contains("@").all()


def test_small_segments_are_refused_with_the_reason(workspace: Path) -> None:
    with open_store(workspace / "segmint.duckdb", read_only=True) as store:
        row = store.con.execute(
            "SELECT segment, count(*) FROM snapshot_segments WHERE run_id = 3 "
            "AND scheme = 'lifecycle' GROUP BY segment HAVING count(*) < 10 LIMIT 1"
        ).fetchone()
    assert row, "the fixture needs one small lifecycle segment"
    out = workspace / "small.csv"
    result = invoke(
        "export", "-w", workspace, "--scheme", "lifecycle", "--segment", row[0], "-o", out
    )
    assert result.exit_code == 2 and not out.exists()
    assert f"has {row[1]} customer(s), fewer than privacy.min_export_size (10)" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scheme", "nope"], "scheme 'nope' is not in run 3"),
        (["--scheme", "lifecycle", "--tag", "x"], "exactly one of --scheme or --tag"),
        (["--tag", "한국_고객", "--segment", "x"], "--segment needs --scheme"),
        (["--scheme", "lifecycle", "--segment", "nope"], "segment(s) 'nope' not in lifecycle"),
        (["--scheme", "lifecycle", "--columns", "nope"], "column(s) nope not in run 3"),
        (["--scheme", "lifecycle", "--format", "xlsx"], "unknown format 'xlsx'"),
        (["--scheme", "lifecycle", "--pii", "maybe"], "unknown option 'maybe'"),
    ],
)
def test_bad_export_requests_are_one_line_errors(
    workspace: Path, args: list[str], message: str
) -> None:
    out = workspace / "out.csv"
    result = invoke("export", "-w", workspace, *args, "-o", out)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_csv_cells_that_spreadsheets_would_run_are_neutralised(workspace: Path) -> None:
    victim = members(workspace, "lifecycle")[0]
    with open_store(workspace / "segmint.duckdb") as store:
        store.con.execute(
            "UPDATE snapshot_values SET value_text = '=HYPERLINK(\"http://x\")' "
            "WHERE run_id = 3 AND customer_id = ? AND name = 'plan'",
            [victim],
        )
    out = workspace / "all.csv"
    result = invoke(
        "export", "-w", workspace, "--scheme", "lifecycle", "--columns", "plan", "-o", out
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert frame.loc[frame["customer_id"] == victim, "plan"].item() == '\'=HYPERLINK("http://x")'


def test_every_csv_segmint_writes_goes_through_safe_output() -> None:
    # Sample source data of `segmint init` imitates a raw export on purpose; engine_csv applies
    # safe_output's formula rule in SQL (its own tests compare it byte for byte with write_csv).
    allowed = {
        SRC / "safe_output.py",
        SRC / "engine_csv.py",
        SRC / "demo" / "synthetic_saas.py",
        SRC / "demo" / "synthetic_shop.py",
    }
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("to_csv", "writer", "DictWriter"):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == []


def test_validate_names_destination_problems(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    monkeypatch.delenv("SEGMINT_HOOK_SECRET", raising=False)
    monkeypatch.delenv("SEGMINT_PII_SALT", raising=False)
    configure(
        workspace,
        destinations={
            "crm_hook": {
                "type": "webhook", "url": "http://127.0.0.1:9/h", "secret_env": "SEGMINT_HOOK_SECRET",
                "scheme": "lifecyle", "columns": ["mrr", "nope"], "pii": "hash",
            },
            "warehouse": {"type": "postgres", "url_env": "SEGMINT_PG_URL_UNSET", "tags": ["x"]},
        },
    )  # fmt: skip
    result = invoke("validate", "-w", workspace, "--json")
    assert result.exit_code == 2
    problems = json.loads(result.stdout)["problems"]
    assert (
        "destinations.crm_hook.secret_env: environment variable SEGMINT_HOOK_SECRET is not set"
        in problems
    )
    assert any(p.startswith("destinations.crm_hook: unknown scheme 'lifecyle'") for p in problems)
    assert "destinations.crm_hook: unknown column 'nope' (not a feature or score)" in problems
    assert any(p.startswith("destinations.crm_hook.pii: hash needs a salt") for p in problems)
    assert any(p.startswith("destinations.warehouse: unknown tag 'x'") for p in problems)
    assert (
        "destinations.warehouse.url_env: environment variable SEGMINT_PG_URL_UNSET is not set"
        in problems
    )
    configure(
        workspace,
        destinations={"bad": {"type": "webhook", "url": "ftp://x", "secret_env": "S", "tag": "t"}},
    )
    result = invoke("validate", "-w", workspace)
    assert result.exit_code == 2 and "url must start with http:// or https://" in result.output


def test_the_action_queue_exports_with_its_messages_protected(workspace: Path) -> None:
    with open_store(workspace / "segmint.duckdb", read_only=True) as store:
        open_ids = {
            r[0]
            for r in store.con.execute(
                "SELECT action_id FROM actions WHERE status IN ('due', 'dropped')"
            ).fetchall()
        }
    assert open_ids
    out = workspace / "queue.csv"
    result = invoke("export", "-w", workspace, "--actions", "-o", out, "--json")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype=str)
    assert set(frame["action_id"]) == open_ids
    assert {"customer_id", "playbook", "owner", "due_at", "status"} <= set(frame.columns)
    assert "message" not in frame.columns and json.loads(result.stdout)["pii_columns"] == [
        "message"
    ]
    kept = invoke(
        "export", "-w", workspace, "--actions", "--status", "due", "--pii", "keep",
        "-o", workspace / "due.json",
    )  # fmt: skip
    assert kept.exit_code == 0, kept.output
    records = json.loads((workspace / "due.json").read_text(encoding="utf-8"))
    assert records and {r["status"] for r in records} == {"due"} and "message" in records[0]
    mixed = invoke("export", "-w", workspace, "--actions", "--scheme", "tier", "-o", out)
    assert mixed.exit_code == 2 and "--actions" in mixed.output
