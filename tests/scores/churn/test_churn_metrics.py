"""Churn metrics computed by hand on tiny examples."""

from __future__ import annotations

import numpy as np
import pytest

from segmint.scores.churn import calibration_table, churn_metrics, risk_band, top_decile_lift


def test_top_decile_lift_by_hand():
    y = np.array([1] + [0] * 9 + [1] * 2 + [0] * 8)  # 20 rows, base rate 0.15
    p = np.linspace(1.0, 0.0, 20)  # the two highest scores: rows 0 (churner) and 1 (not)
    assert top_decile_lift(y, p) == pytest.approx(0.5 / 0.15)


def test_calibration_table_bins_and_rates():
    y = [0, 0, 1, 1, 1]
    p = [0.05, 0.05, 0.95, 0.95, 0.55]
    table = calibration_table(y, p)
    assert [row["bin"] for row in table] == ["0.0-0.1", "0.5-0.6", "0.9-1.0"]
    assert [row["count"] for row in table] == [2, 1, 2]
    assert table[0]["observed_rate"] == 0.0 and table[2]["observed_rate"] == 1.0


def test_churn_metrics_perfect_and_single_class():
    good = churn_metrics([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert good["roc_auc"] == 1.0 and good["pr_auc"] == 1.0
    assert good["brier"] == pytest.approx((0.01 + 0.04 + 0.04 + 0.01) / 4, abs=1e-4)
    single = churn_metrics([0, 0, 0], [0.1, 0.2, 0.3])
    assert single["roc_auc"] is None and single["top_decile_lift"] is None


def test_risk_band_edges_and_validation():
    assert risk_band(0.29) == "low" and risk_band(0.3) == "medium" and risk_band(0.6) == "high"
    assert list(risk_band([0.1, 0.5, 0.9], thresholds=(0.2, 0.4))) == ["low", "high", "high"]
    with pytest.raises(ValueError, match="thresholds"):
        risk_band(0.5, thresholds=(0.7, 0.2))
