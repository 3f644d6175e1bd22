"""Plans whose customers all churn alike get the geometric limit of sBG, not a missing CLV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.scores.clv import annual_to_period_rate, contractual_clv_frame
from segmint.scores.clv._optimize import MLEResult
from segmint.scores.clv.sbg import (
    GeometricRetentionModel,
    ShiftedBetaGeometricModel,
    fit_sbg_by_plan,
    subscription_durations,
)


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


def test_geometric_chosen_at_about_the_test_level_under_homogeneous_churn() -> None:
    """Under homogeneous churn sBG is kept only as often as a 5% test wrongly rejects."""
    chosen = [
        isinstance(
            fit_sbg_by_plan(_homogeneous_subscriptions(n=400, seed=seed), as_of="2023-01-01")[
                "basic"
            ],
            GeometricRetentionModel,
        )
        for seed in range(40)
    ]
    assert sum(chosen) >= 34  # 5% false rejections expected; 6 of 40 is past p = 0.05


@pytest.mark.parametrize("random_state", [0, 1, 7])
def test_geometric_decision_does_not_depend_on_the_optimiser_starts(random_state: int) -> None:
    """Other optimiser starts stop elsewhere on the ridge; the verdict stays the same."""
    subs = _homogeneous_subscriptions()
    durations = subscription_durations(subs, as_of="2023-01-01")
    counts = durations.groupby(["periods", "churned"]).size().reset_index(name="n")
    t, c, w = (counts[k].to_numpy(float) for k in ("periods", "churned", "n"))
    model = ShiftedBetaGeometricModel(n_starts=5, random_state=random_state)
    model.fit_durations(t, c, weights=w)
    assert model.diagnosis_ is not None and "geometric" in model.diagnosis_


def test_decision_is_the_same_wherever_the_optimiser_stops() -> None:
    """The verdict reads the likelihood, not the magnitude of alpha and beta on the ridge."""
    subs = _homogeneous_subscriptions()
    durations = subscription_durations(subs, as_of="2023-01-01")
    counts = durations.groupby(["periods", "churned"]).size().reset_index(name="n")
    t, c, w = (counts[k].to_numpy(float) for k in ("periods", "churned", "n"))
    model = ShiftedBetaGeometricModel().fit_durations(t, c, weights=w)
    loglik = model._loglik_fn([t, c, w], np.ones_like(t))
    # points along the alpha, beta → ∞ ridge with the same mean churn probability
    p = float(np.dot(w, c) / np.dot(w, t))
    for scale in (5.9e4 / p, 1e6 / p, 1e8 / p):
        theta = np.log([scale * p, scale * (1 - p)])
        result = MLEResult(theta, loglik(theta), True, "", None, (), 1)
        verdict = model._diagnose(dict(zip(("alpha", "beta"), np.exp(theta), strict=True)), result)
        assert verdict is not None and "geometric" in verdict


def test_heterogeneous_churn_keeps_sbg() -> None:
    """Mixed churn rates (half at 2%, half at 30% a month) are not collapsed to geometric."""
    fast = _homogeneous_subscriptions(n=1500, churn=0.30, seed=3)
    slow = _homogeneous_subscriptions(n=1500, churn=0.02, seed=4).assign(
        customer_id=lambda f: "T" + f["customer_id"]
    )
    model = fit_sbg_by_plan(pd.concat([fast, slow]), as_of="2023-01-01")["basic"]
    assert isinstance(model, ShiftedBetaGeometricModel)
    assert model.heterogeneity_p_value_ < 1e-6
