"""Shifted-beta-geometric: DEL/DERL against brute-force sums, fit per plan from subscriptions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.errors import InputError
from segmint.scores.clv import (
    ShiftedBetaGeometricModel,
    annual_to_period_rate,
    contractual_clv_frame,
    fit_sbg_by_plan,
    subscription_durations,
)


@pytest.fixture(scope="module")
def regular() -> ShiftedBetaGeometricModel:
    survivors = [1000, 631, 468, 382, 326, 289, 262, 241]
    return ShiftedBetaGeometricModel().fit(survivors)


def test_del_and_derl_match_brute_force(regular: ShiftedBetaGeometricModel) -> None:
    d = 0.1
    t = np.arange(0, 5000)
    survival = regular.survival(t)
    brute_del = float(np.sum(survival / (1 + d) ** t))
    assert regular.discounted_expected_lifetime(discount_rate=d) == pytest.approx(
        brute_del, rel=1e-6
    )
    for n in (0, 3, 7):
        # renewals n+1, n+2, ... given n survived; the next payment is due now (undiscounted)
        ahead = t[t > n]
        brute = float(np.sum(survival[ahead] / survival[n] / (1 + d) ** (ahead - n - 1)))
        got = regular.discounted_expected_residual_lifetime(n, discount_rate=d)
        assert float(got) == pytest.approx(brute, rel=1e-6)
    # DERL grows with tenure: survivors are the more loyal customers
    derl = regular.discounted_expected_residual_lifetime(np.arange(6), discount_rate=d)
    assert np.all(np.diff(derl) > 0)
    clv = regular.contractual_clv(2, mrr=50.0, margin=0.8, discount_rate=d)
    assert float(clv) == pytest.approx(
        50.0 * 0.8 * float(regular.discounted_expected_residual_lifetime(2, discount_rate=d))
    )


def test_retention_rates_follow_formula(regular: ShiftedBetaGeometricModel) -> None:
    s = regular.survival(np.arange(0, 10))
    np.testing.assert_allclose(regular.retention_rate(np.arange(1, 10)), s[1:] / s[:-1])


def _simulated_subscriptions(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    as_of = pd.Timestamp("2024-01-01")
    for plan, (a, b) in {"basic": (0.8, 2.0), "pro": (0.5, 6.0)}.items():
        for i in range(3000):
            start = as_of - pd.Timedelta(days=int(rng.integers(0, 36 * 30)))
            theta = rng.beta(a, b)
            months = min(int(rng.geometric(theta)), 1000)  # paid `months` periods, then left
            end = start + pd.Timedelta(days=months * 365.25 / 12 - 1)
            rows.append((f"{plan}-{i}", start, end if end <= as_of else pd.NaT, 30.0, plan))
    return pd.DataFrame(rows, columns=["customer_id", "started_at", "ended_at", "mrr", "plan"])


def test_fit_per_plan_recovers_retention() -> None:
    subs = _simulated_subscriptions(0)
    models = fit_sbg_by_plan(subs, as_of="2024-01-01")
    basic, pro = models["basic"], models["pro"]
    assert isinstance(basic, ShiftedBetaGeometricModel) and isinstance(
        pro, ShiftedBetaGeometricModel
    )
    # mean churn alpha/(alpha+beta): 0.286 and 0.077
    assert basic.params_["alpha"] / sum(basic.params_.values()) == pytest.approx(0.286, abs=0.03)
    assert pro.params_["alpha"] / sum(pro.params_.values()) == pytest.approx(0.077, abs=0.015)
    frame = contractual_clv_frame(subs, as_of="2024-01-01", margin=0.7, discount_rate=0.1)
    assert frame["contractual_clv"].notna().all()
    by_plan = frame.groupby("plan")["contractual_clv"].mean()
    assert by_plan["pro"] > by_plan["basic"]
    rate = annual_to_period_rate(0.1)
    row = frame.iloc[0]
    model = models[row["plan"]]
    assert isinstance(model, ShiftedBetaGeometricModel)
    expected = (
        30.0
        * 0.7
        * float(model.discounted_expected_residual_lifetime(row["periods"], discount_rate=rate))
    )
    assert row["contractual_clv"] == pytest.approx(expected)


def test_durations_and_errors() -> None:
    subs = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "started_at": pd.to_datetime(["2023-01-01", "2023-06-01", "2025-01-01"]),
            "ended_at": pd.to_datetime(["2023-01-10", None, None]),
            "mrr": [10.0, 20.0, 5.0],
        }
    )
    d = subscription_durations(subs, as_of="2024-01-01").set_index("customer_id")
    assert list(d.index) == ["a", "b"]  # c starts after as_of
    assert d.loc["a", "periods"] == 1 and d.loc["a", "churned"]
    assert d.loc["b", "periods"] == 7 and not d.loc["b", "churned"]
    assert fit_sbg_by_plan(subs, as_of="2024-01-01")["all"] == "only 2 subscriptions (< 20)"
    with pytest.raises(InputError, match="never increase"):
        ShiftedBetaGeometricModel().fit([100, 120])
