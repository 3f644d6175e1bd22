"""The two candidate classifiers (logistic baseline, gradient boosting), each with probability calibration."""

from __future__ import annotations

from sklearn.base import ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from segmint.scores.churn.design import TableDesign

MODELS = ("logistic", "gbm")
CALIBRATION_FOLDS = 3


def check_model_name(model: str) -> str:
    """Return `model` or raise ValueError listing the allowed names."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; allowed: {', '.join(MODELS)}")
    return model


def logistic_pipeline(design: TableDesign, *, random_state: int = 0) -> Pipeline:
    """Return median imputation + standardisation (numeric), one-hot (categorical), L2 logistic regression."""
    numeric = [c for c in design.columns if c not in design.categorical]
    transformers = []
    if numeric:
        transformers.append(
            (
                "num",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
                ),
                numeric,
            )
        )
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
    model: str, design: TableDesign, *, random_state: int = 0, n_rows: int, min_class: int
) -> ClassifierMixin:
    """Return the calibrated candidate `model` for a design-transformed frame.

    The logistic model is fitted by log-loss and left as is; gradient boosting is wrapped in
    CalibratedClassifierCV (isotonic from 1,000 rows, sigmoid below) on 3 seeded inner folds, so
    calibration never sees the rows it is evaluated on.
    """
    check_model_name(model)
    if model == "logistic":
        return logistic_pipeline(design, random_state=random_state)
    base = gbm_classifier(random_state=random_state)
    if min_class < CALIBRATION_FOLDS:
        return base
    method = "isotonic" if n_rows >= 1000 else "sigmoid"
    folds = StratifiedKFold(n_splits=CALIBRATION_FOLDS, shuffle=True, random_state=random_state)
    return CalibratedClassifierCV(base, method=method, cv=folds)
