"""ChurnModel: a calibrated churn classifier over point-in-time customer features."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin

from segmint.errors import InputError, ModelFitError, NotFittedError
from segmint.scores.churn.bands import risk_band
from segmint.scores.churn.design import TableDesign, learn_design
from segmint.scores.churn.estimators import check_model_name, make_classifier
from segmint.scores.churn.explain import explain_rows
from segmint.scores.churn.labels import LABEL_COLUMN, map_churn_labels
from segmint.scores.churn.metrics import churn_metrics
from segmint.scores.churn.threads import fit_threads
from segmint.scores.churn.training import CUTOFF_COLUMN, ID_COLUMN

# Columns of a training set that are bookkeeping, never features.
NON_FEATURES = (ID_COLUMN, CUTOFF_COLUMN, LABEL_COLUMN)


def _labels(y: ArrayLike) -> np.ndarray:
    series = pd.Series(np.asarray(y), name="label")
    if pd.api.types.is_numeric_dtype(series) and set(series.dropna().unique()) <= {0, 1}:
        out = series.to_numpy()
    else:
        out = map_churn_labels(series).to_numpy()
    if pd.isna(out).any():
        raise InputError("churn labels contain missing values")
    return out.astype(int)


def canonical_order(X: pd.DataFrame) -> np.ndarray:
    """Return row positions sorted by cutoff then customer_id (columns or index levels), else index.

    Fitting in this order makes a model (its calibration folds above all) independent of the
    order in which the rows arrived. Without those keys a unique index is the key; with a
    default or repeated index the given order is kept.
    """
    keys: dict[str, np.ndarray] = {}
    for name in (CUTOFF_COLUMN, ID_COLUMN):
        if name in X.columns:
            keys[name] = X[name].to_numpy()
        elif name in X.index.names:
            keys[name] = X.index.get_level_values(name).to_numpy()
    if not keys:
        if isinstance(X.index, pd.RangeIndex) or not X.index.is_unique:
            return np.arange(len(X))
        # a unique index (customer ids) identifies the rows as well as a customer_id column
        keys["index"] = X.index.to_numpy()
    frame = pd.DataFrame(keys)
    for name in (ID_COLUMN, "index"):
        if name in frame:
            frame[name] = frame[name].astype(str)
    return frame.sort_values(list(keys), kind="stable").index.to_numpy()


class ChurnModel(ClassifierMixin, BaseEstimator):
    """Calibrated churn classifier: "gbm" (HistGradientBoosting), "logistic", "spline_logistic" or "average"; sklearn-style.

    `fit(X, y)` takes a feature frame (one row per customer or customer × cut-off; the columns
    customer_id, cutoff and churn_label are ignored if present) and 0/1 or yes/no labels.
    Timestamp columns are not used: pass durations (e.g. tenure_days) instead. Rows are fitted in
    cutoff, customer_id order when X carries those keys, so the fit does not depend on row order.
    """

    def __init__(self, *, model: str = "gbm", random_state: int = 0) -> None:
        self.model = model
        self.random_state = random_state

    def _feature_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            raise InputError("ChurnModel expects a pandas DataFrame of features")
        return X.drop(columns=[c for c in NON_FEATURES if c in X.columns])

    def fit(self, X: pd.DataFrame, y: ArrayLike) -> ChurnModel:
        """Learn column roles, reference values and the calibrated classifier; return self."""
        check_model_name(self.model)
        if not isinstance(X, pd.DataFrame):
            raise InputError("ChurnModel expects a pandas DataFrame of features")
        labels = _labels(y)
        if len(labels) != len(X):
            raise InputError(f"X has {len(X)} rows but y has {len(labels)}")
        order = canonical_order(X)
        features = self._feature_frame(X.iloc[order])
        labels = labels[order]
        n_pos = int(labels.sum())
        if n_pos == 0 or n_pos == len(labels):
            raise ModelFitError(
                "churn labels hold a single class; a model needs churners and stayers"
            )
        design = learn_design(features)
        for col in design.datetime:
            design.dropped[str(col)] = "timestamp (pass a duration such as days since instead)"
        design.datetime = []
        if not design.columns:
            raise InputError(f"no usable feature columns: {design.dropped}")
        transformed = design.transform(features)
        estimator = make_classifier(
            self.model,
            design,
            random_state=self.random_state,
            n_rows=len(labels),
            min_class=min(n_pos, len(labels) - n_pos),
        )
        with fit_threads(len(labels)):
            estimator.fit(transformed, labels)
        self.design_: TableDesign = design
        self.estimator_ = estimator
        self.classes_ = np.array([0, 1])
        self.feature_names_in_ = np.array([str(c) for c in design.columns], dtype=object)
        self.n_features_in_ = len(design.columns)
        self.reference_ = {
            col: (
                transformed[col].mode(dropna=True).iloc[0]
                if col in design.categorical
                else float(np.nanmedian(transformed[col].to_numpy(dtype=float)))
                if transformed[col].notna().any()
                else 0.0
            )
            for col in design.columns
        }
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "estimator_"):
            raise NotFittedError("ChurnModel is not fitted; call fit() or fit_time_split() first")

    def _transform(self, X: pd.DataFrame) -> pd.DataFrame:
        features = self._feature_frame(X)
        missing = [c for c in self.design_.columns if c not in features.columns]
        if missing:
            raise InputError(f"features missing from X: {', '.join(map(str, missing))}")
        return self.design_.transform(features)

    def _proba_transformed(self, transformed: pd.DataFrame) -> np.ndarray:
        with fit_threads(len(transformed)):
            return np.asarray(self.estimator_.predict_proba(transformed))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Return an (n, 2) array: P(stays), P(churns) per row."""
        self._check_fitted()
        return self._proba_transformed(self._transform(X))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Return 1 where the churn probability is at least 0.5, else 0."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def risk_band(
        self, p: float | ArrayLike, *, thresholds: tuple[float, float] = (0.3, 0.6)
    ) -> str | np.ndarray:
        """Return the risk band (low / medium / high) of churn probabilities `p`."""
        return risk_band(p, thresholds=thresholds)

    def score_customers(
        self, X: pd.DataFrame, *, thresholds: tuple[float, float] = (0.3, 0.6)
    ) -> pd.DataFrame:
        """Return churn_probability and churn_risk (band) per row, indexed like X."""
        p = self.predict_proba(X)[:, 1]
        return pd.DataFrame(
            {"churn_probability": p.round(4), "churn_risk": risk_band(p, thresholds=thresholds)},
            index=X.index,
        )

    def explain(self, X: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
        """Return per-row churn_probability, churn_risk and the `top` drivers in words (see explain.py)."""
        self._check_fitted()
        return explain_rows(self, X, top=top)

    def fit_time_split(
        self, training_set: pd.DataFrame, *, label: str = LABEL_COLUMN, refit: bool = True
    ) -> ChurnModel:
        """Validate on the latest cut-off after training on the earlier ones; set metrics_; return self.

        The training rows are exactly those with cutoff < the latest cut-off, so validation never
        sees the future. With `refit` (default) the model is then refitted on every cut-off so that
        scores use the newest behaviour; metrics_ still describes the time-based validation.
        """
        for col in (CUTOFF_COLUMN, label):
            if col not in training_set.columns:
                raise InputError(f"training set has no {col!r} column")
        cutoffs = sorted(pd.to_datetime(training_set[CUTOFF_COLUMN]).unique())
        if len(cutoffs) < 2:
            raise InputError("time-based validation needs at least two cut-off dates")
        test_cutoff = cutoffs[-1]
        is_test = pd.to_datetime(training_set[CUTOFF_COLUMN]) == test_cutoff
        train, test = training_set.loc[~is_test], training_set.loc[is_test]
        self.fit(train.drop(columns=[label]), train[label])
        p = self.predict_proba(test.drop(columns=[label]))[:, 1]
        metrics: dict[str, Any] = churn_metrics(_labels(test[label]), p)
        metrics["model"] = self.model
        metrics["train_cutoffs"] = [pd.Timestamp(c).isoformat() for c in cutoffs[:-1]]
        metrics["test_cutoff"] = pd.Timestamp(test_cutoff).isoformat()
        metrics["train_rows"] = int(len(train))
        metrics["test_rows"] = int(len(test))
        if refit:
            self.fit(training_set.drop(columns=[label]), training_set[label])
        self.metrics_ = metrics
        return self
