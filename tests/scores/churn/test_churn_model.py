"""ChurnModel: estimator contract, known signal, calibration, explanations, time-based validation."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from churn_synthetic import features_as_of

from segmint.errors import ModelFitError, NotFittedError
from segmint.scores.churn import ChurnModel, build_churn_training_set, purchase_churn_labels


def _planted(n: int = 1500, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    usage_trend = rng.lognormal(0.0, 0.5, n)
    tickets_90d = rng.poisson(1.0, n).astype(float)
    plan = rng.choice(["basic", "pro", "enterprise"], n)
    noise = rng.normal(size=n)
    logit = -1.0 - 2.5 * np.log(usage_trend) + 0.4 * tickets_90d + np.where(plan == "basic", 0.8, 0)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame(
        {"usage_trend": usage_trend, "tickets_90d": tickets_90d, "plan": plan, "noise": noise},
        index=[f"c{i}" for i in range(n)],
    )
    return X, pd.Series(np.where(y == 1, "yes", "no"), index=X.index)


@pytest.mark.parametrize("kind", ["gbm", "logistic", "spline_logistic", "average"])
def test_churn_model_recovers_planted_signal_with_calibrated_probabilities(kind):
    X, y = _planted()
    model = ChurnModel(model=kind, random_state=0).fit(X.iloc[:1000], y.iloc[:1000])
    p = model.predict_proba(X.iloc[1000:])[:, 1]
    assert p.shape == (500,) and ((p >= 0) & (p <= 1)).all()
    y_test = (y.iloc[1000:] == "yes").to_numpy()
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(y_test, p) > 0.75
    assert abs(p.mean() - y_test.mean()) < 0.05  # calibrated on average
    scored = model.score_customers(X.iloc[1000:])
    assert set(scored["churn_risk"]) <= {"low", "medium", "high"}
    assert (scored["churn_risk"] == "high").equals(pd.Series(p >= 0.6, index=scored.index))


def test_explain_names_the_planted_driver_in_words():
    X, y = _planted()
    model = ChurnModel(model="logistic").fit(X, y)
    risky = X.assign(usage_trend=0.3).iloc[:20]  # usage fell to 30% of normal
    drivers = model.explain(risky, top=3)
    assert list(drivers.index) == list(risky.index)
    assert (drivers["driver_1_feature"] == "usage_trend").all()
    assert drivers["driver_1_effect"].gt(0).all()
    text = drivers["driver_1"].iloc[0]
    assert text.startswith("usage trend 0.30 vs typical") and "lower" in text
    assert "raises risk by" in text
    assert "noise" not in set(drivers["driver_1_feature"])


def test_estimator_contract_and_option_errors():
    X, y = _planted(200)
    model = ChurnModel()
    assert model.get_params() == {"model": "gbm", "random_state": 0}
    with pytest.raises(NotFittedError):
        model.predict_proba(X)
    with pytest.raises(ValueError, match="allowed: logistic, spline_logistic, gbm, average"):
        ChurnModel(model="forest").fit(X, y)
    with pytest.raises(ModelFitError, match="single class"):
        ChurnModel().fit(X, pd.Series([0] * len(X)))
    assert model.fit(X, y) is model
    assert ChurnModel().fit(X, y).predict_proba(X).tolist() == model.predict_proba(X).tolist()


def test_fit_time_split_on_a_purchase_history(transactions):
    cutoffs = [datetime(2023, 7, 1), datetime(2023, 10, 1), datetime(2024, 1, 1)]
    rows = build_churn_training_set(
        lambda c: features_as_of(transactions, c),
        lambda c, h: purchase_churn_labels(transactions, c, h),
        cutoffs=cutoffs,
        horizon_days=90,
    )
    model = ChurnModel(model="gbm").fit_time_split(rows)
    m = model.metrics_
    assert m["roc_auc"] > 0.7  # recency and frequency carry the planted signal
    assert {"pr_auc", "brier", "top_decile_lift", "calibration"} <= set(m)
    assert sum(row["count"] for row in m["calibration"]) == m["test_rows"]
    assert set(model.feature_names_in_) == {
        "recency_days",
        "frequency",
        "orders_90d",
        "monetary",
        "tier",
    }
