"""Workspace churn scoring: choose past cut-offs, train with time-based validation, score as of a date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pandas as pd

from segmint.scores.churn.model import ChurnModel
from segmint.scores.churn.training import ID_COLUMN, build_churn_training_set


def churn_cutoffs(
    as_of: datetime, *, horizon_days: int, count: int = 4, spacing_days: int | None = None
) -> list[datetime]:
    """Return `count` past cut-offs, oldest first; the latest one's horizon ends exactly at as_of.

    Cut-offs are `spacing_days` apart (default: the horizon, so label windows do not overlap).
    """
    if count < 2:
        raise ValueError("count must be at least 2 (time-based validation needs two cut-offs)")
    if horizon_days <= 0:
        raise ValueError("horizon_days must be positive")
    step = timedelta(days=spacing_days if spacing_days is not None else horizon_days)
    latest = as_of - timedelta(days=horizon_days)
    return [latest - k * step for k in range(count - 1, -1, -1)]


def train_churn_model(
    feature_fn: Callable[[datetime], pd.DataFrame],
    label_fn: Callable[[datetime, datetime], pd.Series],
    *,
    as_of: datetime,
    horizon_days: int = 90,
    cutoffs: int = 4,
    spacing_days: int | None = None,
    model: str = "gbm",
    random_state: int = 0,
) -> ChurnModel:
    """Return a ChurnModel validated on the latest past cut-off (metrics_) and refitted on all of them.

    Only data before `as_of` is used: every cut-off's horizon ends at or before `as_of`.
    """
    dates = churn_cutoffs(
        as_of, horizon_days=horizon_days, count=cutoffs, spacing_days=spacing_days
    )
    rows = build_churn_training_set(
        feature_fn, label_fn, cutoffs=dates, horizon_days=horizon_days, data_end=as_of
    )
    return ChurnModel(model=model, random_state=random_state).fit_time_split(rows)


def score_churn(
    model: ChurnModel,
    features: pd.DataFrame,
    *,
    top_drivers: int = 3,
    thresholds: tuple[float, float] = (0.3, 0.6),
) -> pd.DataFrame:
    """Return customer_id, churn_probability, churn_risk and churn_driver_1..k for features as of a date.

    Pass the population the labels define (e.g. customers still active); others get scores too.
    """
    frame = features.set_index(ID_COLUMN) if ID_COLUMN in features.columns else features
    explained = model.explain(frame, top=top_drivers)
    out = pd.DataFrame(
        {
            ID_COLUMN: frame.index.astype(str),
            "churn_probability": explained["churn_probability"].to_numpy(),
            "churn_risk": model.risk_band(
                explained["churn_probability"].to_numpy(), thresholds=thresholds
            ),
        }
    )
    for k in range(1, top_drivers + 1):
        out[f"churn_driver_{k}"] = explained[f"driver_{k}"].to_numpy()
    return out
