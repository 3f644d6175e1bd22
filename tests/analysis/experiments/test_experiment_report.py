"""The run report's experiment section: results per segment with the interval drawn as a bar."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from segmint.analysis.experiments.stages import run_experiments
from segmint.config import load_config
from segmint.report.experiment_sections import experiment_sections, experiment_table, interval_bar
from segmint.run_context import RunResult
from segmint.store import open_store
from segmint.workspace.run_report import workspace_report
from segmint.workspace_data import engine_tables


def row(low: float | None, est: float | None, high: float | None) -> dict:
    return {"segment": "all", "variant": "b", "users": 10, "mean": 1.0, "uplift_rel": est,
            "ci_low": low, "ci_high": high, "p_value_adjusted": 0.5, "chance_to_win": 0.5}  # fmt: skip


def test_the_bar_spans_the_interval_and_is_coloured_by_its_sign() -> None:
    bar = str(interval_bar(row(0.1, 0.2, 0.3), -0.5, 0.5))
    x = float(re.search(r'<rect x="([\d.]+)"', bar).group(1))
    width = float(re.search(r'width="([\d.]+)" height="8"', bar).group(1))
    assert x == 156.0 and width == 52.0  # 0.1 → 60% of 260 px; 0.2 wide → 20% of 260 px
    assert "#16a34a" in bar  # wholly above zero: wins
    assert "#dc2626" in str(interval_bar(row(-0.3, -0.2, -0.1), -0.5, 0.5))
    assert "#94a3b8" in str(interval_bar(row(-0.1, 0.0, 0.1), -0.5, 0.5))
    assert str(interval_bar(row(None, None, None), -0.5, 0.5)) == ""


def test_an_srm_alarm_leads_the_section() -> None:
    payload = {"experiment": "e", "metric": "revenue", "control": "a", "srm_flag": True,
               "srm_p_value": 1e-6, "window": {"start": "2025-01-01", "end": "2025-02-01"},
               "results": [row(-0.1, 0.0, 0.1)], "warnings": []}  # fmt: skip
    section = experiment_sections([payload])[0]
    assert "SAMPLE RATIO MISMATCH" in str(section.items()[0])
    assert "<svg" in str(experiment_table(payload))


def test_the_run_report_shows_every_experiment_in_both_languages(ws: Path) -> None:
    config = load_config(ws)
    with open_store(ws / config.database) as store:
        run_id, as_of = store.snapshot_run()
        payloads = run_experiments(ws, config, store, engine_tables(config, store, ws), as_of=as_of)
        segments = store.snapshot_segments(run_id)
        customers = pd.DataFrame({"customer_id": sorted(set(segments["customer_id"]))})
    assert [p["experiment"] for p in payloads] == ["welcome"]
    assert payloads[0]["window"]["end"] == as_of.isoformat()
    tags = pd.DataFrame(columns=["customer_id", "tag"])
    result = RunResult(run_id, as_of, customers, segments[~segments["scheme"].str.startswith("tag:")],
                       tags, outputs={"experiments": payloads})  # fmt: skip
    html = workspace_report(config, result, lang="en")
    assert "Experiments: welcome" in html
    bars = html.count('class="chart ci-bar"')
    treated_rows = sum(1 for r in payloads[0]["results"] if r["ci_low"] is not None)
    assert bars == treated_rows > 1
    korean = workspace_report(config, result, lang="ko")
    assert "실험: welcome" in korean and "전체 고객" in korean


def test_segmint_run_measures_the_experiments_and_reports_them(ws: Path) -> None:
    from typer.testing import CliRunner

    from segmint.cli import app

    result = CliRunner().invoke(app, ["run", "-w", str(ws), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "experiments (A/B tests)" in result.stderr  # the stage's progress line
    html = (ws / "report.html").read_text(encoding="utf-8")
    assert "Experiments: welcome" in html and 'class="chart ci-bar"' in html
