"""Plans whose customers all churn alike get the geometric limit of sBG, not a missing CLV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.scores.clv import annual_to_period_rate, contractual_clv_frame
from segmint.scores.clv.sbg import GeometricRetentionModel, fit_sbg_by_plan


def _homogeneous_subscriptions(n: int = 3000, churn: float = 0.05, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    months = rng.geometric(churn, n)  # every customer churns with the same probability per month
    end = start + pd.to_timedelta(months * 30.4375, unit="D")
    return pd.DataFrame(
        {
            "customer_id": [f"S{i}" for i in range(n)],
            "started_at": start,
            "ended_at": end,
            "mrr": 100.0,
            "plan": "basic",
        }
    )


def test_homogeneous_churn_falls_back_to_geometric() -> None:
    subs = _homogeneous_subscriptions()
    models = fit_sbg_by_plan(subs, as_of="2023-01-01")
    model = models["basic"]
    assert isinstance(model, GeometricRetentionModel)
    assert model.churn_probability_ == pytest.approx(0.05, abs=0.01)


def test_geometric_clv_matches_closed_form() -> None:
    subs = _homogeneous_subscriptions()
    frame = contractual_clv_frame(subs, as_of="2023-01-01", discount_rate=0.1, margin=0.8)
    assert frame["contractual_clv"].notna().all()
    model = fit_sbg_by_plan(subs, as_of="2023-01-01")["basic"]
    assert isinstance(model, GeometricRetentionModel)
    p, d = model.churn_probability_, annual_to_period_rate(0.1)
    derl = (1 - p) * (1 + d) / (d + p)
    assert frame["derl_periods"].to_numpy() == pytest.approx(derl)
    assert frame["contractual_clv"].to_numpy() == pytest.approx(100.0 * 0.8 * derl)
