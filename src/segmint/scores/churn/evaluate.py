"""Cross-validated evaluation of churn models on a flat, already-labelled customer table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from segmint.errors import InputError, MissingColumnError
from segmint.scores.churn.design import learn_design, looks_like_id
from segmint.scores.churn.estimators import (
    AVERAGED,
    MODELS,
    high_cardinality,
    logistic_pipeline,
    make_classifier,
    ranking_scores,
)
from segmint.scores.churn.labels import map_churn_labels
from segmint.scores.churn.metrics import churn_metrics
from segmint.scores.churn.threads import fit_threads


def _top_logistic_features(
    X: pd.DataFrame, y: np.ndarray, design: Any, top: int = 10
) -> list[dict]:
    """Return the largest standardised logistic coefficients (fitted on all rows) as a rough importance."""
    pipe = logistic_pipeline(design).fit(X, y)
    names = pipe.named_steps["prep"].get_feature_names_out()
    coefs = pipe.named_steps["model"].coef_[0]
    order = np.argsort(-np.abs(coefs), kind="stable")[:top]
    return [
        {"feature": str(names[i]).split("__", 1)[-1], "coefficient": round(float(coefs[i]), 4)}
        for i in order
    ]


def evaluate_churn_table(
    frame: pd.DataFrame,
    *,
    label: str,
    id_col: str | None = None,
    folds: int = 5,
    seed: int = 0,
) -> dict[str, Any]:
    """Return cross-validated metrics of each candidate churn model on a one-row-per-customer table.

    Stratified `folds`-fold CV (shuffled with `seed`); metrics are computed on the pooled
    out-of-fold predictions: ROC AUC on the uncalibrated scores (`roc_auc_calibrated` for the
    calibrated ones), PR AUC, Brier and lift on the calibrated probabilities. `best` is the
    model with the highest ROC AUC (ties: lower Brier). Categoricals with more than 10 levels go
    to gradient boosting as integer codes (`features.coded_for_gbm`).
    """
    for name in (label, id_col):
        if name is not None and name not in frame.columns:
            near = [str(c) for c in frame.columns if str(c).strip().lower() == name.strip().lower()]
            hint = f"did you mean {near[0]!r}?" if near else ""
            raise MissingColumnError("table", name, list(frame.columns), hint=hint)
    if folds < 2:
        raise ValueError("folds must be at least 2")
    y_all = map_churn_labels(frame[label])
    keep = y_all.notna().to_numpy()
    data = frame.loc[keep].drop(columns=[label])
    y = y_all[keep].astype(int).to_numpy()
    dropped: dict[str, str] = {}
    if id_col is not None:
        data = data.drop(columns=[id_col])
        dropped[id_col] = "id column"
    for col in list(data.columns):
        if looks_like_id(data[col]):
            data = data.drop(columns=[col])
            dropped[str(col)] = "identifier"
    design = learn_design(data)
    dropped.update(design.dropped)
    if not design.columns:
        raise InputError(f"no usable feature columns besides the label {label!r}: {dropped}")
    min_class = int(min(y.sum(), len(y) - y.sum()))
    if min_class < folds:
        raise InputError(
            f"label {label!r} has {min_class} rows in its smaller class; {folds}-fold "
            "cross-validation needs at least one per fold"
        )
    X = design.transform(data)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(X, y))
    models: dict[str, dict[str, Any]] = {}
    with fit_threads(len(X)):
        probabilities: dict[str, np.ndarray] = {}
        rankings: dict[str, np.ndarray] = {}
        for name in MODELS:
            if name == "average":
                # the soft vote of its members: their out-of-fold scores, averaged
                oof = np.mean([probabilities[m] for m in AVERAGED], axis=0)
                raw = np.mean([rankings[m] for m in AVERAGED], axis=0)
            else:
                oof, raw = np.zeros(len(y)), np.zeros(len(y))
                for train, test in splits:
                    n_pos = int(y[train].sum())
                    est = make_classifier(
                        name,
                        design,
                        random_state=seed,
                        n_rows=len(train),
                        min_class=min(n_pos, len(train) - n_pos),
                        tune=True,
                    )
                    est.fit(X.iloc[train], y[train])
                    oof[test] = est.predict_proba(X.iloc[test])[:, 1]
                    raw[test] = ranking_scores(est, X.iloc[test])
            probabilities[name], rankings[name] = oof, raw
            result = churn_metrics(y, oof)
            # rank with the raw model, calibrate for probabilities: isotonic steps tie scores
            result["roc_auc_calibrated"] = result["roc_auc"]
            result["roc_auc"] = churn_metrics(y, raw)["roc_auc"]
            result["roc_auc_folds"] = [
                churn_metrics(y[test], raw[test])["roc_auc"] for _, test in splits
            ]
            models[name] = result
        importance = _top_logistic_features(X, y, design)
    best = min(models, key=lambda m: (-(models[m]["roc_auc"] or 0.0), models[m]["brier"]))
    return {
        "rows": int(len(y)),
        "rows_without_label": int((~keep).sum()),
        "positive_rate": round(float(y.mean()), 4),
        "folds": folds,
        "seed": seed,
        "features": {
            "numeric": [str(c) for c in design.numeric + design.datetime],
            "categorical": [str(c) for c in design.categorical],
            "coded_for_gbm": [str(c) for c in high_cardinality(design)],
            "dropped": dropped,
        },
        "models": models,
        "best": best,
        "top_features_logistic": importance,
    }
