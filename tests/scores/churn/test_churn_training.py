"""Point-in-time training sets and time-based validation never use information after a cut-off."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from churn_synthetic import features_as_of

from segmint.errors import InputError
from segmint.scores.churn import ChurnModel, build_churn_training_set, purchase_churn_labels

CUTOFFS = [datetime(2023, 7, 1), datetime(2023, 10, 1), datetime(2024, 1, 1)]


def test_training_rows_have_features_as_of_their_cutoff(transactions):
    calls: list[datetime] = []
    latest_seen: dict[datetime, pd.Timestamp] = {}

    def feature_fn(cutoff: datetime) -> pd.DataFrame:
        calls.append(cutoff)
        past = transactions[transactions["occurred_at"] < cutoff]
        latest_seen[cutoff] = past["occurred_at"].max()
        return features_as_of(transactions, cutoff)

    def label_fn(cutoff: datetime, horizon_end: datetime) -> pd.Series:
        return purchase_churn_labels(transactions, cutoff, horizon_end)

    rows = build_churn_training_set(
        feature_fn, label_fn, cutoffs=list(reversed(CUTOFFS)), horizon_days=90
    )
    assert calls == CUTOFFS  # called once per cut-off, with the cut-off only, in time order
    assert all(latest_seen[c] < pd.Timestamp(c) for c in CUTOFFS)
    assert list(rows.columns[:2]) == ["customer_id", "cutoff"] and "churn_label" in rows
    for cutoff, group in rows.groupby("cutoff"):
        expected = features_as_of(transactions, cutoff.to_pydatetime())
        got = group.set_index("customer_id")["frequency"]
        assert got.equals(expected.loc[got.index, "frequency"])
        labels = purchase_churn_labels(transactions, cutoff, cutoff + timedelta(days=90))
        assert set(group["customer_id"]) == set(labels.index) & set(expected.index)
    assert rows["churn_label"].between(0, 1).all() and 0 < rows["churn_label"].mean() < 1


def test_planted_future_feature_never_reaches_the_training_set(transactions):
    """A column that exists only in data after the cut-offs must not appear in any training row."""
    future = transactions.copy()
    future["planted_after_cutoff"] = np.where(
        future["occurred_at"] >= CUTOFFS[-1], future["amount"], np.nan
    )

    def feature_fn(cutoff: datetime) -> pd.DataFrame:
        past = future[future["occurred_at"] < cutoff]
        feats = features_as_of(past, cutoff)
        planted = past.groupby("customer_id")["planted_after_cutoff"].max()
        return feats.assign(planted=planted.reindex(feats.index))

    rows = build_churn_training_set(
        feature_fn,
        lambda c, h: purchase_churn_labels(future, c, h),
        cutoffs=CUTOFFS,
        horizon_days=90,
    )
    assert rows["planted"].isna().all()
    # the model cannot use it either: an all-missing column is dropped
    model = ChurnModel(model="logistic").fit(rows.drop(columns="churn_label"), rows["churn_label"])
    assert "planted" not in model.feature_names_in_
    assert model.design_.dropped["planted"] == "all values missing"


def test_timestamp_feature_after_cutoff_is_refused(transactions):
    def leaky(cutoff: datetime) -> pd.DataFrame:
        feats = features_as_of(transactions, cutoff)
        last_ever = transactions.groupby("customer_id")["occurred_at"].max()
        return feats.assign(last_purchase_at=last_ever.reindex(feats.index))

    with pytest.raises(InputError, match="last_purchase_at.*after the cut-off"):
        build_churn_training_set(
            leaky,
            lambda c, h: purchase_churn_labels(transactions, c, h),
            cutoffs=CUTOFFS,
            horizon_days=90,
        )


def test_horizon_past_the_data_is_refused(transactions):
    with pytest.raises(ValueError, match="ends after the data"):
        build_churn_training_set(
            lambda c: features_as_of(transactions, c),
            lambda c, h: purchase_churn_labels(transactions, c, h),
            cutoffs=CUTOFFS,
            horizon_days=90,
            data_end=datetime(2024, 2, 1),
        )


def test_time_split_trains_only_on_earlier_cutoffs():
    """At the latest cut-off the signal is reversed: a model that saw it would score AUC ≫ 0.5."""
    rng = np.random.default_rng(1)
    frames = []
    for k, cutoff in enumerate(CUTOFFS):
        x = rng.normal(size=300)
        sign = -1.0 if k == len(CUTOFFS) - 1 else 1.0
        y = (rng.random(300) < 1 / (1 + np.exp(-3 * sign * x))).astype(int)
        frames.append(
            pd.DataFrame(
                {
                    "customer_id": [f"c{i}" for i in range(300)],
                    "cutoff": pd.Timestamp(cutoff),
                    "signal": x,
                    "churn_label": y,
                }
            )
        )
    rows = pd.concat(frames, ignore_index=True)
    model = ChurnModel(model="logistic").fit_time_split(rows, refit=False)
    metrics = model.metrics_
    assert metrics["train_cutoffs"] == [pd.Timestamp(c).isoformat() for c in CUTOFFS[:-1]]
    assert metrics["test_cutoff"] == pd.Timestamp(CUTOFFS[-1]).isoformat()
    assert metrics["train_rows"] == 600 and metrics["test_rows"] == 300
    assert metrics["roc_auc"] < 0.3  # trained on the earlier direction only
