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
    assert (c["expected_purchases_90d"] >= 0).all() and (c["clv_365d"] >= 0).all()
    # more recent customers are expected to buy more
    assert c.groupby("r_score")["expected_purchases_90d"].mean().is_monotonic_increasing
    assert c["rec_1"].notna().mean() > 0.9  # cross-sell recommendations from products
    champions = c[c["rfm_segment"] == "Champions"]["total_amount"].median()
    lost = c[c["rfm_segment"] == "Lost"]["total_amount"].median()
    assert champions > 5 * lost
    rejected = pd.read_csv(online_retail.files["rejected"])
    assert len(rejected) == 107_927
    assert set(rejected["reason"]) == {"missing customer id"}


def test_demo_command_builds_the_three_reports(tmp_path: Path) -> None:
    _register_commands()
    result = CliRunner().invoke(app, ["demo", str(tmp_path / "demo"), "--accounts", "150"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / "saas" / "report.html").is_file()
    assert (tmp_path / "demo" / "commerce" / "report.html").is_file()
    assert (tmp_path / "demo" / "shop" / "report.html").is_file()
    assert "Shop workspace (synthetic, seeded" in result.output
    assert "deal seeker" in result.output  # the shop's price_sensitivity scheme
    assert "rows read = loaded + rejected" in result.output
    assert "lifecycle" in result.output and "Champions" in result.output


def test_online_retail_clv_is_honest(online_retail) -> None:
    c = pd.read_csv(online_retail.files["customers"], dtype={"customer_id": str})
    clv = online_retail.summary["clv"]
    # one year of a gift wholesaler: drop-out is not detectable (or negligible), so the NBD
    # forecasts and P(alive) is empty with a note, never 1.0 for customers silent for a year
    assert clv["model"] == "nbd" and clv["p_alive"] == "not identifiable"
    assert c["p_alive"].isna().all()
    assert c["clv_note"].str.startswith("p_alive not identifiable").all()
    assert any("P(alive) is not identifiable" in note for note in online_retail.summary["notes"])
    by_segment = c.groupby("rfm_segment")["clv_365d"].mean()
    assert by_segment[["Lost", "Hibernating"]].max() < by_segment["Champions"] / 5
    # net spend <= 0 (refunds cancel purchases): CLV 0 with the reason, counted in summary.json
    non_positive = c[c["total_amount"] <= 0]
    assert len(non_positive) == 35 and (non_positive["clv_365d"] == 0).all()
    assert non_positive["clv_note"].str.contains("net spend <= 0").all()
    assert clv["customers_clv_zero_non_positive_spend"] == 35
    assert (c.loc[c["total_amount"] > 0, "clv_365d"] > 0).all()
    saved = json.loads((online_retail.out_dir / "summary.json").read_text(encoding="utf-8"))
    assert saved["clv"]["model"] == "nbd"
    html = online_retail.files["report"].read_text(encoding="utf-8")
    assert "P(alive) is not identifiable" in html and "35 customers have net spend" in html


def test_online_retail_cross_sell_ignores_spelling_variants(
    online_retail, shared_data: Path
) -> None:
    from segmint.scores.propensity import item_keys

    raw = pd.read_csv(
        shared_data / "online_retail_ii_2009_2010.csv.gz",
        usecols=["Description", "Quantity", "Customer ID"],
        dtype={"Customer ID": str},
    ).dropna(subset=["Customer ID", "Description"])
    raw = raw[raw["Quantity"] > 0]
    raw["customer_id"] = raw["Customer ID"].str.replace(r"\.0$", "", regex=True)
    bought = set(zip(raw["customer_id"], item_keys(raw["Description"]), strict=True))
    assert ("12346", "doormatunionflag") in bought
    c = pd.read_csv(online_retail.files["customers"], dtype={"customer_id": str})
    for col in ("rec_1", "rec_2", "rec_3"):
        picked = c.dropna(subset=[col])
        keys = item_keys(picked[col])
        repeats = [(i, k) in bought for i, k in zip(picked["customer_id"], keys, strict=True)]
        assert not any(repeats), col
    html = online_retail.files["report"].read_text(encoding="utf-8")
    assert "Cross-sell recommendations" in html
    top = c["rec_1"].value_counts().index[0]
    assert top in html


def test_demo_sample_gets_a_clv_with_the_note(shared_data: Path, tmp_path: Path) -> None:
    sample = Path(__file__).parents[1] / "src/segmint/demo/data/online_retail_ii_sample.csv.gz"
    result = analyze_file(sample, out_dir=tmp_path / "sample")
    assert result.summary["clv"]["model"] == "nbd"
    assert result.customers["clv_365d"].notna().all()
    assert result.customers["p_alive"].isna().all()
    assert not any(n.startswith("CLV not computed") for n in result.summary["notes"])
