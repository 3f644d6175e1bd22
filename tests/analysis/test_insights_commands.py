"""`segmint insights` on a SaaS workspace: JSON shapes, Korean text, same output twice, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from segmint.cli import _register_commands, app
from segmint.config import load_config
from segmint.store import open_store
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.init import init_workspace
from segmint.workspace.run import run_workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _register_commands()
    root = tmp_path_factory.mktemp("insights")
    init_workspace(root, example="saas", n_accounts=300, seed=5)
    config = load_config(root)
    with open_store(root / config.database) as store:
        ingest_workspace(root, config, store)
        run_workspace(root, config, store)
    return root


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_behaviours_json_shape_and_repeatability(workspace: Path) -> None:
    args = ["insights", "behaviours", "-w", str(workspace), "--outcome", "churned",
            "--horizon", "365d", "--adjust-for", "plan", "--json"]  # fmt: skip
    payload = _json(args)
    assert {"outcome", "first_days", "horizon_days", "population", "baseline_rate",
            "behaviours"} <= set(payload)  # fmt: skip
    assert payload["first_days"] == 7 and payload["horizon_days"] == 365
    row = payload["behaviours"][0]
    for key in ("behaviour", "customers_did", "share_did", "rate_did", "rate_did_not",
                "difference", "ci_low", "ci_high", "odds_ratio", "p_value", "p_value_adjusted",
                "adjusted_difference", "adjusted_ci_low", "adjusted_ci_high", "adjusted_for"):  # fmt: skip
        assert key in row
    assert row["adjusted_for"] == ["plan"]
    for r in payload["behaviours"]:
        c = r["counts"]
        assert sum(c.values()) == payload["population"]
        if r["reason"]:
            assert r["difference"] is None and r["p_value_adjusted"] is None
            assert r["rate_did"] is not None or r["customers_did"] == 0
    assert _json(args) == payload


def test_behaviours_in_korean(workspace: Path) -> None:
    result = runner.invoke(
        app, ["insights", "behaviours", "-w", str(workspace), "--horizon", "365d", "--lang", "ko"]
    )
    assert result.exit_code == 0, result.output
    assert "연관성" in result.stdout and "행동과 결과" in result.stdout


def test_hypothesis_with_did_within(workspace: Path) -> None:
    payload = _json(["insights", "hypothesis", "did(integration_added) within 7d of signup",
                     "-w", str(workspace), "--outcome", "churned", "--horizon", "365d", "--json"])  # fmt: skip
    assert payload["hypothesis"].startswith("did(integration_added)")
    assert len(payload["behaviours"]) == 1


def test_survival_by_attribute(workspace: Path) -> None:
    payload = _json(
        ["insights", "survival", "-w", str(workspace), "--by-attribute", "plan", "--json"]
    )
    groups = {g["group"] for g in payload["groups"]}
    assert groups == {"starter", "growth", "enterprise"}
    assert sum(g["customers"] for g in payload["groups"]) == payload["customers"]
    assert all("p_value_adjusted" in g for g in payload["groups"])


def test_channels_json_and_text(workspace: Path) -> None:
    payload = _json(["insights", "channels", "-w", str(workspace), "--json"])
    assert {"scheme", "run_id", "by", "window_days", "pending_touches", "segments"} <= set(payload)
    rates = [r["conversion_rate"] for s in payload["segments"] for r in s["rows"]]
    assert rates and all(
        set(r) == {"value", "numerator", "denominator", "ci_low", "ci_high", "p_value_adjusted"}
        for r in rates
    )
    campaign = _json(["insights", "channels", "-w", str(workspace), "--by", "campaign", "--json"])
    assert {r["campaign"] for s in campaign["segments"] for r in s["rows"]} == {
        "onboarding", "feature_tips", "renewal"
    }  # fmt: skip
    # The demo plants fatigue: many touches in the previous 30 days convert less.
    fatigue = {
        row["earlier_touches"]: row["conversion_rate"]["value"] for row in payload["fatigue"]
    }
    assert fatigue["0"] > fatigue["4–6"]
    assert payload["preferred_channel"].get("undetermined", 0) > 0
    text = runner.invoke(app, ["insights", "channels", "-w", str(workspace), "--lang", "ko"])
    assert text.exit_code == 0 and "관측된 비율" in text.stdout


def test_cohorts_by_attribute(workspace: Path) -> None:
    payload = _json(["cohorts", "-w", str(workspace), "--by-attribute", "plan", "--json"])
    assert payload["attribute"] == "plan"
    assert {c["segment"] for c in payload["cohorts"]} <= {"starter", "growth", "enterprise"}
    whole = _json(["cohorts", "-w", str(workspace), "--json"])
    assert sum(c["size"] for c in payload["cohorts"]) == sum(c["size"] for c in whole["cohorts"])
    bad = runner.invoke(app, ["cohorts", "-w", str(workspace), "--by-attribute", "shoe_size"])
    assert bad.exit_code == 2 and "unknown customer attribute 'shoe_size'" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["behaviours", "--outcome", "bought_a_boat"], "'bought_a_boat' is not defined"),
        (["behaviours", "--first", "200d", "--horizon", "180d"], "must be shorter than --horizon"),
        (["behaviours", "--adjust-for", "shoe_size"], "unknown customer attribute(s) shoe_size"),
        (["survival", "--by-attribute", "shoe_size"], "unknown customer attribute 'shoe_size'"),
        (["channels", "--by", "colour"], "--by: unknown value 'colour'"),
        (["hypothesis", "did(nope) within 7d of signup"], "did(nope): no such event"),
    ],
)
def test_bad_input_is_one_line_exit_2(workspace: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["insights", args[0], "-w", str(workspace), *args[1:]])
    assert result.exit_code == 2, result.output
    lines = [
        line for line in result.stderr.strip().splitlines() if not re.match(r"^\S+ \d+/\d+", line)
    ]
    assert len(lines) == 1 and message in " ".join(result.stderr.split()), result.stderr


def test_understand_section_of_the_run_report(workspace: Path) -> None:
    from segmint.analysis.insights_workspace import understand_payloads
    from segmint.analysis.workspace import resolve_run
    from segmint.report.engagement_sections import understand_section
    from segmint.workspace_data import engine_tables

    config = load_config(workspace)
    with open_store(workspace / config.database, read_only=True) as store:
        run_id, as_of = resolve_run(store, None)
        payloads = understand_payloads(
            config, store, engine_tables(config, store, workspace), run_id=run_id, as_of=as_of
        )
    assert payloads["channels"]["scheme"] == "lifecycle"
    assert payloads["behaviours"]["outcome"] == "churned"
    assert payloads["behaviours"]["adjusted_for"] == ["plan", "industry"]  # from saas.yaml
    english = understand_section(**payloads, lang="en")
    korean = understand_section(**payloads, lang="ko")
    assert english is not None and korean is not None
    assert english.title == "Understand: channels and behaviours"
    html_en = "".join(str(item) for item in english.items())
    html_ko = "".join(str(item) for item in korean.items())
    assert "not effects" in html_en and "kakao" in html_en
    assert "효과가 아닙니다" in html_ko and "not effects" not in html_ko
    assert understand_section(channels=None, behaviours=None) is None
    # the run stage `understand` put the same section into the run report
    report = (workspace / "report.html").read_text(encoding="utf-8")
    assert "Understand: channels and behaviours" in report and "most-sent channel" in report
