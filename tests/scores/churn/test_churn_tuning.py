"""Nested tuning of the gradient-boosting churn model: inner-CV choice, seeding, budget."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV

from segmint.scores.churn.design import learn_design
from segmint.scores.churn.estimators import gbm_classifier, make_classifier, ranking_scores
from segmint.scores.churn.tuning import (
    TUNING_GRID,
    TunedClassifier,
    grid_params,
    within_budget,
)


def _table(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    tenure = rng.uniform(0, 72, n)
    charges = rng.normal(60, 20, n)
    # a step in tenure and an interaction: something for the tree size to matter on
    logit = np.where(tenure < 12, 1.2, -0.8) + 0.02 * (charges - 60) * (tenure < 24)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"tenure": tenure, "charges": charges}), y


def test_chosen_point_has_the_best_inner_auc_and_is_seeded() -> None:
    X, y = _table()
    tuned = TunedClassifier(gbm_classifier(random_state=0), random_state=0).fit(X, y)
    assert len(tuned.inner_auc_) == len(TUNING_GRID)
    best = max(tuned.inner_auc_.values())
    chosen = next(p for p in TUNING_GRID if grid_params(p) == tuned.chosen_)
    assert tuned.inner_auc_[str(chosen)] == best
    assert tuned.estimator_.get_params()["max_leaf_nodes"] == tuned.chosen_["max_leaf_nodes"]
    again = TunedClassifier(gbm_classifier(random_state=0), random_state=0).fit(X, y)
    assert again.inner_auc_ == tuned.inner_auc_
    np.testing.assert_array_equal(again.predict_proba(X), tuned.predict_proba(X))


def test_evaluation_tunes_then_calibrates_within_the_budget() -> None:
    X, y = _table()
    design = learn_design(X)
    X = design.transform(X)
    plain = make_classifier("gbm", design, n_rows=len(y), min_class=int(y.sum()))
    assert isinstance(plain, CalibratedClassifierCV)  # the run's churn model: not tuned
    est = make_classifier("gbm", design, n_rows=len(y), min_class=int(y.sum()), tune=True)
    assert isinstance(est, TunedClassifier)
    est.fit(X, y)
    assert isinstance(est.estimator_, CalibratedClassifierCV)
    raw = ranking_scores(est, X)
    assert raw.shape == (len(y),) and not np.array_equal(raw, est.predict_proba(X)[:, 1])
    assert within_budget(5_000) and not within_budget(1_000_000)
    big = make_classifier("gbm", design, n_rows=1_000_000, min_class=300_000, tune=True)
    assert isinstance(big, CalibratedClassifierCV)  # over the budget: the default size
