"""Kaplan–Meier curves and log-rank tests against lifelines; censoring of young customers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test as lifelines_logrank

from segmint.analysis.survival import kaplan_meier, logrank_test, survival_by_group


def _sample(seed: int, n: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    life = np.round(rng.exponential(scale, n))  # whole days: many ties, as in real data
    follow = rng.uniform(30, 500, n).round()
    return np.minimum(life, follow), life <= follow


def test_kaplan_meier_and_interval_agree_with_lifelines() -> None:
    durations, observed = _sample(1, 400, 300)
    ours = kaplan_meier(durations, observed)
    fitter = KaplanMeierFitter().fit(durations, observed)
    timeline = fitter.survival_function_.index.to_numpy()
    ci = fitter.confidence_interval_survival_function_
    for i, day in enumerate(timeline):
        s, low, high = ours.at(day)
        assert s == pytest.approx(fitter.survival_function_.iloc[i, 0], abs=1e-9)
        assert low == pytest.approx(ci.iloc[i, 0], abs=1e-9)
        assert high == pytest.approx(ci.iloc[i, 1], abs=1e-9)
    assert ours.median() == fitter.median_survival_time_


def test_logrank_agrees_with_lifelines() -> None:
    a, ea = _sample(2, 300, 250)
    b, eb = _sample(3, 200, 400)
    ours = logrank_test(a, ea, b, eb)
    theirs = lifelines_logrank(a, b, event_observed_A=ea, event_observed_B=eb)
    assert ours.statistic == pytest.approx(theirs.test_statistic, abs=1e-9)
    assert ours.p_value == pytest.approx(theirs.p_value, abs=1e-9)


def test_young_customers_are_censored_and_groups_are_compared() -> None:
    a, ea = _sample(4, 300, 200)
    b, eb = _sample(5, 300, 600)
    lives = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(600)],
            "group": ["paid_search"] * 300 + ["referral"] * 300,
            "duration_days": np.concatenate([a, b]),
            "churned": np.concatenate([ea, eb]),
        }
    )
    # A cohort followed only 20 days with no churn: censored, so the curve stays at 1 until 20
    # days and says nothing after (never "retained at 365 days").
    young = pd.DataFrame(
        {
            "customer_id": [f"Y{i}" for i in range(40)],
            "group": "events",
            "duration_days": 20.0,
            "churned": False,
        }  # fmt: skip
    )
    result = survival_by_group(pd.concat([lives, young], ignore_index=True), attribute="source")
    by = {g["group"]: g for g in result["groups"]}
    assert by["events"]["censored"] == 40 and by["events"]["churned"] == 0
    assert all(r["retention"] is None for r in by["events"]["retention"] if r["day"] > 20)
    assert by["referral"]["p_value_adjusted"] < 0.05
    assert (
        by["referral"]["retention"][2]["retention"] > by["paid_search"]["retention"][2]["retention"]
    )
    assert result["customers"] == 640
