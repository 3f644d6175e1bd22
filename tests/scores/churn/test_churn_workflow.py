"""Workspace churn: cut-off choice, training on segmint's own point-in-time features, scoring."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from segmint.scores.churn import (
    churn_cutoffs,
    purchase_churn_labels,
    score_churn,
    train_churn_model,
)


def test_churn_cutoffs_end_their_last_horizon_at_as_of():
    cuts = churn_cutoffs(datetime(2024, 12, 31), horizon_days=90, count=3)
    assert cuts == [datetime(2024, 4, 5), datetime(2024, 7, 4), datetime(2024, 10, 2)]
    assert churn_cutoffs(datetime(2024, 1, 31), horizon_days=30, count=2, spacing_days=7) == [
        datetime(2023, 12, 25),
        datetime(2024, 1, 1),
    ]
    with pytest.raises(ValueError, match="at least 2"):
        churn_cutoffs(datetime(2024, 1, 1), horizon_days=30, count=1)


def test_lookback_limits_the_population(transactions):
    all_buyers = purchase_churn_labels(transactions, datetime(2024, 1, 1), datetime(2024, 4, 1))
    recent = purchase_churn_labels(
        transactions, datetime(2024, 1, 1), datetime(2024, 4, 1), lookback_days=180
    )
    assert set(recent.index) < set(all_buyers.index)
    assert recent.mean() < all_buyers.mean()  # long-lapsed customers were the easy churners
    last = transactions[transactions["occurred_at"] < "2024-01-01"].groupby("customer_id")[
        "occurred_at"
    ]
    assert (last.max()[recent.index] >= pd.Timestamp("2023-07-05")).all()


def test_train_and_score_on_build_features(transactions):
    from segmint.engine import duckdb_backend
    from segmint.features import build_features

    con = duckdb_backend()
    table = con.create_table("transactions", transactions)
    as_of = datetime(2024, 10, 1)

    def feature_fn(cutoff: datetime) -> pd.DataFrame:
        return con.to_pandas(build_features({"transactions": table}, as_of=cutoff))

    model = train_churn_model(
        feature_fn,
        lambda c, h: purchase_churn_labels(transactions, c, h, lookback_days=365),
        as_of=as_of,
        horizon_days=90,
        cutoffs=3,
    )
    m = model.metrics_
    assert m["test_cutoff"] == "2024-07-03T00:00:00"
    assert m["roc_auc"] > 0.7, m["roc_auc"]
    scores = score_churn(model, feature_fn(as_of))
    assert list(scores.columns) == [
        "customer_id",
        "churn_probability",
        "churn_risk",
        "churn_driver_1",
        "churn_driver_2",
        "churn_driver_3",
    ]
    assert scores["churn_probability"].between(0, 1).all()
    assert set(scores["churn_risk"]) <= {"low", "medium", "high"}
    assert scores["churn_driver_1"].str.contains("risk by").mean() > 0.5


def test_subscription_labels_with_build_features_keep_feature_and_label_apart():
    import numpy as np

    from segmint.engine import duckdb_backend
    from segmint.features import build_features
    from segmint.scores.churn import build_churn_training_set, subscription_churn_labels

    rng = np.random.default_rng(0)
    n = 200
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    plan = rng.choice(["basic", "pro"], n)
    end = (
        start + pd.to_timedelta(rng.exponential(np.where(plan == "basic", 200, 900)), "D")
    ).floor("s")
    subs = pd.DataFrame(
        {
            "customer_id": [f"s{i}" for i in range(n)],
            "started_at": start,
            "ended_at": end.where(end < pd.Timestamp("2024-06-30")),
            "mrr": np.where(plan == "basic", 50.0, 200.0),
            "plan": plan,
        }
    )
    con = duckdb_backend()
    table = con.create_table("subscriptions", subs)
    rows = build_churn_training_set(
        lambda c: con.to_pandas(build_features({"subscriptions": table}, as_of=c)),
        lambda c, h: subscription_churn_labels(subs, c, h),
        cutoffs=[datetime(2023, 1, 1), datetime(2023, 7, 1)],
        horizon_days=180,
    )
    # build_features' own "churned" (before as_of) is False for the active population
    assert "churned" in rows and not rows["churned"].any()
    assert rows["churn_label"].isin([0, 1]).all() and rows["churn_label"].sum() > 0
    expected = subscription_churn_labels(subs, datetime(2023, 7, 1), datetime(2023, 12, 28))
    latest = rows[rows["cutoff"] == pd.Timestamp("2023-07-01")].set_index("customer_id")
    assert latest["churn_label"].to_dict() == expected.to_dict()
