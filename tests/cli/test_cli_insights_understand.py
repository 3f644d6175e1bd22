"""`segmint insights preferences | price | timing` on a shop workspace: JSON, Korean text, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from segmint.cli import _register_commands, app
from segmint.config import load_config
from segmint.store import open_store
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.run import run_workspace
from shop_data import write_shop

runner = CliRunner()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _register_commands()
    root = write_shop(tmp_path_factory.mktemp("shop"))
    config = load_config(root)
    with open_store(root / config.database) as store:
        ingest_workspace(root, config, store)
        run_workspace(root, config, store)
    return root


def test_run_report_has_the_understand_section(shop: Path) -> None:
    html = (shop / "report.html").read_text(encoding="utf-8")
    assert ">Understand<" in html and "Bought together in the same order" in html
    assert "deal seekers" in html


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_preferences_json_shape_and_findings(shop: Path) -> None:
    out = _json(["insights", "preferences", "-w", str(shop), "--scheme", "value", "--json"])
    assert {"scheme", "run_id", "as_of", "level", "segments", "pairs"} <= set(out)
    assert out["scheme"] == "value" and out["level"] == "category"
    by_name = {s["segment"]: s for s in out["segments"]}
    assert by_name["occasional"]["top_categories"][0] == "mugs"
    category = by_name["regulars"]["categories"][0]
    assert set(category) >= {"category", "buyers", "revenue_share", "population_share", "lift",
                             "lift_ci_low", "lift_ci_high", "p_value_adjusted"}  # fmt: skip
    best = out["pairs"][0]
    assert {best["antecedent"], best["consequent"]} == {"coffee", "filters"}
    dept = _json(["insights", "preferences", "-w", str(shop), "--level", "department", "--json"])
    assert {c["category"] for s in dept["segments"] for c in s["categories"]} == {"grocery", "home"}


def test_price_names_deal_seekers_from_the_template_scheme(shop: Path) -> None:
    out = _json(["insights", "price", "-w", str(shop), "--scheme", "price", "--json"])
    by_name = {s["segment"]: s for s in out["segments"]}
    deal, full = by_name["deal seeker"], by_name["full price"]
    assert 70 <= deal["customers"] <= 90  # every third of 240 customers buys on deals
    assert deal["discounted_order_share"]["ci_low"] > full["discounted_order_share"]["ci_high"]
    assert deal["labels"]["deal seeker"]["share"] > 0.9
    text = runner.invoke(app, ["insights", "price", "-w", str(shop), "--lang", "ko"])
    assert text.exit_code == 0 and "가격 민감도" in text.stdout and "베타-이항" in text.stdout


def test_timing_and_backtest(shop: Path) -> None:
    out = _json(["insights", "timing", "-w", str(shop), "--scheme", "value", "--json"])
    by_name = {s["segment"]: s for s in out["segments"]}
    regulars = by_name["regulars"]
    assert len(regulars["orders_by_weekday"]) == 7 and len(regulars["orders_by_hour"]) == 24
    assert len(regulars["revenue_by_month"]) == 12
    assert regulars["median_cycle_days"] < by_name["occasional"]["median_cycle_days"]
    back = _json(
        ["insights", "timing", "-w", str(shop), "--backtest", "--holdout", "90d", "--json"]
    )
    assert back["holdout_days"] == 90
    assert [r["method"] for r in back["rows"]] == ["model", "naive"]
    assert set(back["rows"][0]) >= {"method", "customers", "mae", "coverage_80", "brier_30d"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["insights", "preferences", "--level", "brand"], "--level: unknown value 'brand'"),
        (["insights", "timing", "--backtest", "--holdout", "soon"], "--window: expected"),
        (["insights", "preferences", "--scheme", "nope"], "nope"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(shop: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, "-w", str(shop)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
