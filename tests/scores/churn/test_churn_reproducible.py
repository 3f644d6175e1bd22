"""Churn scores do not depend on the order of the rows or on the number of threads."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest
from churn_synthetic import features_as_of
from threadpoolctl import threadpool_limits

from segmint.scores.churn import (
    ChurnModel,
    build_churn_training_set,
    purchase_churn_labels,
    top_decile_lift,
)
from segmint.scores.churn.design import learn_design

CUTOFFS = [datetime(2023, 7, 1), datetime(2023, 10, 1), datetime(2024, 1, 1)]
SCORED_AT = datetime(2024, 4, 1)


@pytest.fixture(scope="module")
def training(transactions: pd.DataFrame) -> pd.DataFrame:
    return build_churn_training_set(
        lambda cutoff: features_as_of(transactions, cutoff),
        lambda start, end: purchase_churn_labels(transactions, start, end),
        cutoffs=CUTOFFS,
        horizon_days=90,
    )


def _fitted(training: pd.DataFrame) -> ChurnModel:
    return ChurnModel(model="gbm", random_state=7).fit_time_split(training)


def _shuffled(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    order = np.random.default_rng(seed).permutation(len(frame))
    return frame.iloc[order].reset_index(drop=True)


def test_training_set_comes_back_in_cutoff_and_customer_order(training: pd.DataFrame) -> None:
    keys = training[["cutoff", "customer_id"]]
    assert keys.equals(keys.sort_values(["cutoff", "customer_id"], ignore_index=True))


def test_shuffled_training_rows_give_identical_model_and_metrics(
    training: pd.DataFrame, transactions: pd.DataFrame
) -> None:
    scoring = features_as_of(transactions, SCORED_AT)
    first = _fitted(training)
    expected = first.predict_proba(scoring)[:, 1]
    assert first.metrics_["roc_auc"] > 0.6  # a real model, not a constant
    for seed in (1, 2):
        other = _fitted(_shuffled(training, seed))
        np.testing.assert_array_equal(other.predict_proba(scoring)[:, 1], expected)
        assert other.metrics_ == first.metrics_


def test_fit_on_an_id_index_ignores_row_order(training: pd.DataFrame) -> None:
    last = training[training["cutoff"] == training["cutoff"].max()].set_index("customer_id")
    X, y = last.drop(columns=["cutoff", "churn_label"]), last["churn_label"]
    expected = ChurnModel(random_state=3).fit(X, y).predict_proba(X)[:, 1]
    order = np.random.default_rng(4).permutation(len(X))
    shuffled = ChurnModel(random_state=3).fit(X.iloc[order], y.iloc[order])
    np.testing.assert_array_equal(shuffled.predict_proba(X)[:, 1], expected)


def test_thread_count_does_not_change_scores(
    training: pd.DataFrame, transactions: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import segmint.scores.churn.model as model_module

    scoring = features_as_of(transactions, SCORED_AT)
    results = []
    for threads in (1, 2):

        def limited(_n_rows: int, _threads: int = threads) -> AbstractContextManager[Any]:
            return threadpool_limits(limits=_threads)

        monkeypatch.setattr(model_module, "fit_threads", limited)
        model = _fitted(training)
        results.append((model.predict_proba(scoring)[:, 1], model.metrics_))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]


def test_category_levels_with_equal_counts_do_not_depend_on_row_order() -> None:
    plan = pd.Series(["pro", "basic", "team", "basic", "pro", "team", "free"] * 3, name="plan")
    frame = pd.DataFrame({"plan": plan, "seats": np.arange(len(plan), dtype=float)})
    expected = learn_design(frame).categorical["plan"]
    assert expected == ["basic", "pro", "team", "free"]
    for seed in range(3):
        assert learn_design(_shuffled(frame, seed)).categorical["plan"] == expected


def test_top_decile_lift_counts_ties_at_the_edge_by_their_mean() -> None:
    # 20 rows, top decile = 2 rows; four rows tie at the edge, two of them churners
    y = np.array([1, 0, 1, 0, 0] + [0] * 15)
    p = np.array([0.9, 0.5, 0.5, 0.5, 0.5] + [0.1] * 15)
    lift = top_decile_lift(y, p)
    # top 2 = the 0.9 churner + one of four tied rows (mean churn 1/4): 1.25 churners of 2
    assert lift == pytest.approx((1.25 / 2) / (2 / 20))
    for seed in range(5):
        order = np.random.default_rng(seed).permutation(len(y))
        assert top_decile_lift(y[order], p[order]) == lift
