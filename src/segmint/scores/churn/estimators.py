"""The candidate churn classifiers (logistic, spline logistic, gradient boosting, their average).

Each is calibrated for probabilities; `ranking_scores` gives the raw, uncalibrated scores that
rank customers (isotonic calibration makes ties and costs AUC).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, VotingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, SplineTransformer, StandardScaler

from segmint.scores.churn.design import TableDesign
from segmint.scores.churn.tuning import TunedClassifier, within_budget

MODELS = ("logistic", "spline_logistic", "gbm", "average")
CALIBRATION_FOLDS = 3
# Categoricals with more levels than this go to gradient boosting as integer codes (levels by
# frequency), not as native categories: native splits on many levels overfit (a state column).
HIGH_CARDINALITY = 10
SPLINE_KNOTS = 5


# The two members of "average": the best two candidates on the development tables.
AVERAGED = ("spline_logistic", "gbm")


def check_model_name(model: str) -> str:
    """Return `model` or raise ValueError listing the allowed names."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; allowed: {', '.join(MODELS)}")
    return model


def logistic_pipeline(
    design: TableDesign, *, random_state: int = 0, splines: bool = False
) -> Pipeline:
    """Return median imputation + standardisation (numeric), one-hot (categorical), L2 logistic regression.

    With `splines`, each numeric column is expanded into cubic B-splines (5 evenly spaced knots,
    linear beyond the range), so the model can bend (churn falls fast in the first months of
    tenure, then slowly) while staying additive and smooth.
    """
    numeric = [c for c in design.columns if c not in design.categorical]
    transformers: list[tuple[str, Any, list[str]]] = []
    if numeric:
        steps: list[Any] = [SimpleImputer(strategy="median", add_indicator=True), StandardScaler()]
        if splines:
            steps.append(SplineTransformer(n_knots=SPLINE_KNOTS, degree=3, extrapolation="linear"))
        transformers.append(("num", make_pipeline(*steps), numeric))
    if design.categorical:
        transformers.append(
            ("cat", OneHotEncoder(handle_unknown="ignore"), list(design.categorical))
        )
    return Pipeline(
        [
            ("prep", ColumnTransformer(transformers)),
            ("model", LogisticRegression(C=1.0, max_iter=2000, random_state=random_state)),
        ]
    )


class CategoryCodes(BaseEstimator, TransformerMixin):
    """Replace the listed categorical columns by their integer codes (float, missing → NaN)."""

    def __init__(self, columns: list[str] | None = None) -> None:
        self.columns = columns

    def fit(self, X: pd.DataFrame, y: Any = None) -> CategoryCodes:
        """Nothing to learn: the levels come from the design."""
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return X with each listed column as codes in its category order."""
        out = X.copy()
        for col in self.columns or []:
            codes = out[col].cat.codes.astype(float)
            out[col] = codes.where(codes >= 0, np.nan)
        return out


def high_cardinality(design: TableDesign) -> list[str]:
    """Return the categorical columns with more than HIGH_CARDINALITY levels."""
    return [c for c, levels in design.categorical.items() if len(levels) > HIGH_CARDINALITY]


def gbm_classifier(*, random_state: int = 0) -> HistGradientBoostingClassifier:
    """Return a shallow, slow-learning HistGradientBoosting with native categorical and missing support."""
    return HistGradientBoostingClassifier(
        learning_rate=0.05,
        max_iter=200,
        max_leaf_nodes=15,
        min_samples_leaf=20,
        l2_regularization=1.0,
        categorical_features="from_dtype",
        early_stopping=False,
        random_state=random_state,
    )


def make_classifier(
    model: str,
    design: TableDesign,
    *,
    random_state: int = 0,
    n_rows: int,
    min_class: int,
    tune: bool = False,
) -> ClassifierMixin:
    """Return the calibrated candidate `model` for a design-transformed frame.

    The logistic models are fitted by log-loss and left as is. With `tune`, gradient boosting gets
    its tree size, learning rate and leaf size from a small grid chosen by seeded inner CV (tables
    within the tuning budget, see segmint.scores.churn.tuning). It is wrapped in CalibratedClassifierCV
    (isotonic from 1,000 rows, sigmoid below) on 3 seeded inner folds, so calibration never sees
    the rows it is evaluated on.
    """
    check_model_name(model)
    if model == "logistic":
        return logistic_pipeline(design, random_state=random_state)
    if model == "spline_logistic":
        return logistic_pipeline(design, random_state=random_state, splines=True)
    if model == "average":
        members = [
            (name, make_classifier(name, design, random_state=random_state, n_rows=n_rows,
                                   min_class=min_class, tune=tune))
            for name in AVERAGED
        ]  # fmt: skip
        return VotingClassifier(members, voting="soft")
    base: Any = gbm_classifier(random_state=random_state)
    coded = high_cardinality(design)
    if coded:
        base = Pipeline([("codes", CategoryCodes(coded)), ("gbm", base)])
    if min_class < CALIBRATION_FOLDS:
        return base  # too few of a class to calibrate or tune in folds
    method = "isotonic" if n_rows >= 1000 else "sigmoid"
    folds = StratifiedKFold(n_splits=CALIBRATION_FOLDS, shuffle=True, random_state=random_state)
    if not (tune and within_budget(n_rows)):
        return CalibratedClassifierCV(base, method=method, cv=folds)
    # tune first, then calibrate the chosen model (calibrating inside would tune three times)
    return TunedClassifier(
        base,
        wrap=partial(CalibratedClassifierCV, method=method, cv=folds),
        random_state=random_state,
    )


def ranking_scores(estimator: Any, X: pd.DataFrame) -> np.ndarray:
    """Return uncalibrated churn scores: the mean of the base models inside calibration wrappers."""
    if isinstance(estimator, TunedClassifier):
        return ranking_scores(estimator.estimator_, X)
    if isinstance(estimator, CalibratedClassifierCV):
        return np.mean(
            [c.estimator.predict_proba(X)[:, 1] for c in estimator.calibrated_classifiers_],
            axis=0,
        )
    if isinstance(estimator, VotingClassifier):
        return np.mean([ranking_scores(e, X) for e in estimator.estimators_], axis=0)
    return np.asarray(estimator.predict_proba(X)[:, 1])
