"""`analyze` on the real Online Retail II export and the bundled demo, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from segmint.analyze import analyze_file
from segmint.cli import _register_commands, app


@pytest.fixture(scope="module")
def online_retail(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("retail")
    return analyze_file(shared_data / "online_retail_ii_2009_2010.csv.gz", out_dir=out)


def test_online_retail_summary(online_retail) -> None:
    s = online_retail.summary
    assert (s["rows_read"], s["rows_loaded"], s["rows_rejected"]) == (525_461, 417_534, 107_927)
    assert s["customers"] == 4_312
    assert s["amount_total"] == "8348208.56"  # exact DECIMAL sum, as text
    assert (s["first_date"], s["last_date"], s["as_of"]) == (
        "2009-12-01",
        "2010-12-09",
        "2010-12-10",
    )
    assert s["stats"]["refunds"] == 9_839
    saved = json.loads((online_retail.out_dir / "summary.json").read_text(encoding="utf-8"))
    assert saved["rows_read"] == saved["rows_loaded"] + saved["rows_rejected"]


def test_online_retail_customers_have_sensible_scores(online_retail) -> None:
    c = pd.read_csv(online_retail.files["customers"], dtype={"customer_id": str})
    assert len(c) == 4_312 and c["customer_id"].is_unique
    assert c[["r_score", "f_score", "m_score"]].isin([1, 2, 3, 4, 5]).all().all()
    assert c["p_alive"].between(0, 1).all()
    assert (c["expected_purchases_90d"] >= 0).all() and (c["clv_365d"] >= 0).all()
    # more recent customers are more likely alive
    assert c.groupby("r_score")["p_alive"].mean().is_monotonic_increasing
    assert c["rec_1"].notna().mean() > 0.9  # cross-sell recommendations from products
    champions = c[c["rfm_segment"] == "Champions"]["total_amount"].median()
    lost = c[c["rfm_segment"] == "Lost"]["total_amount"].median()
    assert champions > 5 * lost
    rejected = pd.read_csv(online_retail.files["rejected"])
    assert len(rejected) == 107_927
    assert set(rejected["reason"]) == {"missing customer id"}


def test_demo_command_builds_both_reports(tmp_path: Path) -> None:
    _register_commands()
    result = CliRunner().invoke(app, ["demo", str(tmp_path / "demo"), "--accounts", "150"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / "saas" / "report.html").is_file()
    assert (tmp_path / "demo" / "commerce" / "report.html").is_file()
    assert "rows read = loaded + rejected" in result.output
    assert "lifecycle" in result.output and "Champions" in result.output
