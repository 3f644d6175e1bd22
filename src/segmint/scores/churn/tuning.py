"""Nested tuning of the gradient-boosting churn model: a small grid chosen by inner CV."""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from segmint.scores.churn.threads import fit_threads

# (max_leaf_nodes, learning_rate, min_samples_leaf) tried by the inner cross-validation
TUNING_GRID: tuple[tuple[int, float, int], ...] = tuple(product((4, 15), (0.05, 0.1), (20, 40)))
INNER_FOLDS = 3
# Work budget instead of a clock (a clock would make the choice depend on the machine): the
# grid is searched only while rows × grid points × inner folds stays under this many row-fits.
TUNING_BUDGET_ROW_FITS = 1_000_000


def grid_params(point: tuple[int, float, int]) -> dict[str, Any]:
    """Return the gradient-boosting keyword arguments of one TUNING_GRID point."""
    leaves, rate, min_leaf = point
    return {"max_leaf_nodes": leaves, "learning_rate": rate, "min_samples_leaf": min_leaf}


def within_budget(n_rows: int) -> bool:
    """Return whether a table of `n_rows` rows is small enough to search the grid."""
    return n_rows * len(TUNING_GRID) * INNER_FOLDS <= TUNING_BUDGET_ROW_FITS


def _set_gbm_params(estimator: Any, params: dict[str, Any]) -> Any:
    """Return a clone of `estimator` (a gradient boosting or a pipeline ending in one) with params."""
    out = clone(estimator)
    if hasattr(out, "steps"):
        out.steps[-1][1].set_params(**params)
    else:
        out.set_params(**params)
    return out


class TunedClassifier(ClassifierMixin, BaseEstimator):
    """Choose the gradient-boosting grid point with the best inner-CV ROC AUC, then fit `wrap`.

    `base` is the gradient boosting (or a pipeline ending in one); `wrap` turns the chosen base
    into the final estimator (e.g. a calibration wrapper), or None for the base itself. Inner
    folds are stratified and seeded with `random_state`; ties go to the earlier grid point.
    `chosen_` holds the chosen parameters, `inner_auc_` every point's mean inner AUC.
    """

    def __init__(self, base: Any, wrap: Any = None, random_state: int = 0) -> None:
        self.base = base
        self.wrap = wrap
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> TunedClassifier:
        """Search TUNING_GRID by inner CV on (X, y), fit the chosen estimator on all rows; return self."""
        y = np.asarray(y)
        folds = StratifiedKFold(INNER_FOLDS, shuffle=True, random_state=self.random_state)
        splits = list(folds.split(X, y))
        scores: dict[tuple[int, float, int], float] = {}
        # small tables: OpenMP threads spin-wait more than they compute (see segmint.threads)
        with fit_threads(len(y)):
            for point in TUNING_GRID:
                aucs = []
                for train, test in splits:
                    model = _set_gbm_params(self.base, grid_params(point))
                    model.fit(X.iloc[train], y[train])
                    proba = model.predict_proba(X.iloc[test])[:, 1]
                    aucs.append(roc_auc_score(y[test], proba))
                scores[point] = float(np.mean(aucs))
        best = max(TUNING_GRID, key=lambda p: (scores[p], -TUNING_GRID.index(p)))
        chosen = _set_gbm_params(self.base, grid_params(best))
        self.estimator_ = chosen if self.wrap is None else self.wrap(chosen)
        with fit_threads(len(y)):
            self.estimator_.fit(X, y)
        self.chosen_ = grid_params(best)
        self.inner_auc_ = {str(p): round(s, 4) for p, s in scores.items()}
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Return the chosen estimator's class probabilities."""
        return np.asarray(self.estimator_.predict_proba(X))
