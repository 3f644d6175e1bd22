"""`segmint kpis` and `segmint cohorts` on a real workspace run: JSON shape, run report, bad input."""

from __future__ import annotations

import json
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
KPI_KEYS = {
    "value",
    "ci_low",
    "ci_high",
    "diff_vs_rest",
    "p_value",
    "p_value_adjusted",
    "significant",
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    _register_commands()
    root = tmp_path_factory.mktemp("kpis")
    init_workspace(root, example="saas", n_accounts=300, seed=5)
    config = load_config(root)
    with open_store(root / config.database) as store:
        ingest_workspace(root, config, store)
        result = run_workspace(root, config, store)
    return root, result


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_run_computes_kpis_for_every_scheme_and_reports_them(workspace) -> None:
    root, result = workspace
    schemes = set(result.segments["scheme"])
    assert set(result.kpis) == schemes
    html = (root / "report.html").read_text(encoding="utf-8")
    assert "KPIs per segment, with evidence" in html
    for scheme in schemes:
        sizes = result.segments[result.segments["scheme"] == scheme]["segment"].value_counts()
        payload = result.kpis[scheme]
        assert {s["segment"]: s["customers"] for s in payload["segments"] if s["customers"]} == (
            sizes.to_dict()
        )


def test_kpis_json_has_the_documented_shape(workspace) -> None:
    root, result = workspace
    payload = _json(["kpis", "-w", str(root), "--scheme", "lifecycle", "--window", "60d", "--json"])
    assert {"scheme", "run_id", "as_of", "window_days", "segments"} <= set(payload)
    assert payload["scheme"] == "lifecycle" and payload["window_days"] == 60
    assert payload["run_id"] == result.run_id
    for seg in payload["segments"]:
        assert {"segment", "customers", "share", "kpis"} <= set(seg)
        for kpi in seg["kpis"].values():
            assert set(kpi) >= KPI_KEYS
            if kpi["value"] is None:
                assert kpi["reason"]
    population = payload["population"]["customers"]
    assert sum(s["customers"] for s in payload["segments"]) == population == len(result.customers)
    # Subscriptions: NRR and GRR are computed for the segments with starting MRR.
    assert payload["population"]["kpis"]["nrr"]["value"] is not None
    assert payload["population"]["kpis"]["health_score"]["value"] is not None


def test_kpis_for_a_tag_compare_tagged_with_untagged(workspace) -> None:
    root, result = workspace
    tag = str(result.tags["tag"].iloc[0])
    payload = _json(["kpis", "-w", str(root), "--scheme", f"tag:{tag}", "--json"])
    assert [s["segment"] for s in payload["segments"]] == [tag]
    assert payload["segments"][0]["customers"] == int((result.tags["tag"] == tag).sum())
    assert payload["population"]["customers"] == len(result.customers)


def test_kpis_text_output(workspace) -> None:
    root, _ = workspace
    out = runner.invoke(app, ["kpis", "-w", str(root)])
    assert out.exit_code == 0, out.output
    assert "retention_rate" in out.stdout and "(all)" in out.stdout


def test_cohorts_json_and_split_by_segment(workspace) -> None:
    root, result = workspace
    payload = _json(["cohorts", "-w", str(root), "--json"])
    assert payload["by"] == "month" and payload["source"] == "transactions"
    for cohort in payload["cohorts"]:
        assert {"cohort", "size", "retention", "revenue_retention", "partial_last"} <= set(cohort)
        assert cohort["retention"][0] == 1.0
    split = _json(["cohorts", "-w", str(root), "--by", "week", "--scheme", "lifecycle", "--json"])
    assert split["scheme"] == "lifecycle"
    assert sum(c["size"] for c in split["cohorts"]) == sum(c["size"] for c in payload["cohorts"])
    segments = {c["segment"] for c in split["cohorts"]}
    assert segments <= set(result.segments["segment"]) | {None}
    acquisition = _json(
        [
            "cohorts",
            "-w",
            str(root),
            "--scheme",
            "lifecycle",
            "--segment-at",
            "acquisition",
            "--json",
        ]
    )
    assert acquisition["segment_at"] == "acquisition"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["kpis", "--scheme", "nope"], "schemes: "),
        (["kpis", "--run", "999"], "runs: "),
        (["kpis", "--window", "ninety"], "--window"),
        (["cohorts", "--by", "day"], "allowed: month, week"),
        (["cohorts", "--scheme", "nope"], "schemes: "),
        (["cohorts", "--scheme", "lifecycle", "--segment-at", "first"], "allowed: latest"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(workspace, args: list[str], expected: str) -> None:
    root, _ = workspace
    result = runner.invoke(app, [*args, "-w", str(root)])
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output
