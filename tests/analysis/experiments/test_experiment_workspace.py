"""`segmint experiment assign|list|analyze` in a workspace, through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
from typer.testing import CliRunner

from segmint.cli import _register_commands, app
from segmint.i18n import MESSAGES

_register_commands()


def invoke(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def assign_json(ws: Path, *args: object) -> dict[str, Any]:
    result = invoke("experiment", "assign", *args, "-w", ws, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_assignment_is_stored_written_and_stable(ws: Path) -> None:
    again = assign_json(
        ws, "welcome", "--variants", "control:50,treatment:50", "--stratify", "lifecycle"
    )
    assert again["assigned_new"] == 0 and again["users"] == 300
    counts = again["users_per_variant"]
    assert abs(counts["control"] - counts["treatment"]) <= 4  # balanced in each lifecycle stage
    frame = pd.read_csv(again["file"])
    assert list(frame.columns) == [
        "customer_id",
        "experiment",
        "variant",
        "assigned_at",
        "scheme",
        "segment",
    ]
    assert (frame["scheme"] == "lifecycle").all() and frame["segment"].notna().all()
    per_segment = frame.groupby(["segment", "variant"]).size().unstack(fill_value=0)
    assert (abs(per_segment["control"] - per_segment["treatment"]) <= 1).all()


def test_changing_weights_is_refused_and_says_why(ws: Path) -> None:
    result = invoke(
        "experiment", "assign", "welcome", "-w", ws, "--variants", "control:80,treatment:20",
        "--stratify", "lifecycle",
    )  # fmt: skip
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "already has assignments with --variants control:50,treatment:50" in message
    assert "move customers between variants" in message


def test_assign_a_segment_or_a_tag_only(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "onb.csv"
    seg = assign_json(ws, "onb", "--variants", "a:1,b:1,c:1", "--scheme", "lifecycle",
                      "--segment", "onboarding", "-o", out)  # fmt: skip
    assert seg["population"] == "lifecycle=onboarding" and out.is_file()
    assert 0 < seg["users"] < 300 and set(seg["users_per_variant"]) == {"a", "b", "c"}
    bad = invoke("experiment", "assign", "x", "-w", ws, "--variants", "a:1,b:1",
                 "--scheme", "lifecycle", "--segment", "nope")  # fmt: skip
    assert bad.exit_code == 2 and "segments:" in bad.stderr
    bad_tag = invoke(
        "experiment", "assign", "y", "-w", ws, "--variants", "a:1,b:1", "--tag", "nope"
    )
    assert bad_tag.exit_code == 2 and "tags:" in bad_tag.stderr


def test_list_shows_the_experiments(ws: Path) -> None:
    result = invoke("experiment", "list", "-w", ws, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    welcome = next(e for e in payload["experiments"] if e["experiment"] == "welcome")
    assert welcome["variants"] == {"control": 0.5, "treatment": 0.5}
    assert welcome["users"] == 300 and welcome["first_assigned_at"].startswith("2025-01-01")


def analyze_json(ws: Path, *args: object) -> dict[str, Any]:
    result = invoke("experiment", "analyze", "welcome", "-w", ws, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_analyze_reads_the_workspace_per_segment_at_assignment(ws: Path) -> None:
    payload = analyze_json(ws, "--metric", "revenue")
    assert payload["experiment"] == "welcome" and payload["metric"] == "revenue"
    assert payload["window"]["start"].startswith("2025-01-01")
    segments = [r["segment"] for r in payload["results"]]
    assert segments[:2] == ["all", "all"] and len(set(segments)) > 2
    assert sum(r["users"] for r in payload["results"] if r["segment"] == "all") == 300
    assert not payload["srm_flag"]
    # twice: the same answer
    assert analyze_json(ws, "--metric", "revenue") == payload


def test_analyze_an_event_metric_sequentially(ws: Path) -> None:
    payload = analyze_json(ws, "--metric", "login", "--sequential", "--start", "2025-03-01")
    assert payload["method"] == "sequential"
    assert all(r["mean"] is None or 0 <= r["mean"] <= 1 for r in payload["results"])


def test_unknown_experiment_lists_the_known_ones(ws: Path) -> None:
    result = invoke("experiment", "analyze", "nope", "-w", ws)
    assert result.exit_code == 2
    assert "no experiment 'nope' in this workspace; experiments: welcome" in " ".join(
        result.stderr.split()
    )


def test_experiment_commands_in_korean(ws: Path) -> None:
    english = [m["en"] for k, m in MESSAGES.items() if k.startswith("exp.") and len(m["en"]) > 12]
    for command in (["list"], ["analyze", "welcome", "--metric", "revenue"]):
        result = invoke("experiment", *command, "-w", ws, "--lang", "ko")
        assert result.exit_code == 0, result.output
        assert re.search(r"[가-힣]", result.stdout)
        fragments = [re.split(r"[{(:]", text)[0].strip() for text in english]
        leaked = [f for f in fragments if len(f) > 8 and f in result.stdout]
        assert not leaked, (leaked, result.stdout)


def test_an_ingest_keeps_the_assignments(ws: Path) -> None:
    before = assign_json(
        ws, "welcome", "--variants", "control:50,treatment:50", "--stratify", "lifecycle"
    )
    result = invoke("ingest", "-w", ws, "--lang", "en")
    assert result.exit_code == 0, result.output
    after = assign_json(
        ws, "welcome", "--variants", "control:50,treatment:50", "--stratify", "lifecycle"
    )
    assert after["users"] == before["users"] == 300 and after["assigned_new"] == 0
