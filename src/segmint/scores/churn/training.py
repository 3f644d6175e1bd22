"""Point-in-time churn training sets: customers at several past cut-offs, features as of each cut-off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pandas as pd

from segmint.errors import InputError
from segmint.scores.churn.labels import LABEL_COLUMN

CUTOFF_COLUMN = "cutoff"
ID_COLUMN = "customer_id"


def _features_at(feature_fn: Callable[[datetime], pd.DataFrame], cutoff: datetime) -> pd.DataFrame:
    features = feature_fn(cutoff)
    if ID_COLUMN in features.columns:
        features = features.set_index(ID_COLUMN)
    features.index = features.index.astype(str)
    features.index.name = ID_COLUMN
    if features.index.has_duplicates:
        raise InputError(f"features as of {cutoff:%Y-%m-%d} have several rows for one customer")
    clash = {LABEL_COLUMN, CUTOFF_COLUMN} & set(features.columns)
    if clash:
        raise InputError(f"feature columns {sorted(clash)} clash with the training-set columns")
    return features


def _check_no_future(rows: pd.DataFrame, cutoff: datetime) -> None:
    stamp = pd.Timestamp(cutoff)
    for col in rows.columns:
        if pd.api.types.is_datetime64_any_dtype(rows[col]) and (rows[col] >= stamp).any():
            # a timestamp at or after the cut-off can only come from the future: refuse it
            raise InputError(
                f"feature {col!r} as of {cutoff:%Y-%m-%d} has values at or after the cut-off; "
                "features must use only data before it"
            )


def build_churn_training_set(
    feature_fn: Callable[[datetime], pd.DataFrame],
    label_fn: Callable[[datetime, datetime], pd.Series],
    *,
    cutoffs: list[datetime],
    horizon_days: int,
    data_end: datetime | None = None,
) -> pd.DataFrame:
    """Return one row per (customer, cut-off): customer_id, cutoff, features as of the cut-off, churn_label.

    `feature_fn(cutoff)` is called with the cut-off only, so features cannot see later data;
    `label_fn(cutoff, cutoff + horizon)` says who churned in the horizon and defines the population
    (a customer without a label at a cut-off is left out). With `data_end`, a cut-off whose
    horizon runs past the end of the data is refused (its labels would be censored).
    """
    if horizon_days <= 0:
        raise ValueError("horizon_days must be positive")
    if not cutoffs:
        raise ValueError("cutoffs must name at least one date")
    frames = []
    for cutoff in sorted(cutoffs):
        horizon_end = cutoff + timedelta(days=horizon_days)
        if data_end is not None and horizon_end > data_end:
            raise ValueError(
                f"cut-off {cutoff:%Y-%m-%d} + {horizon_days} days ends after the data "
                f"({data_end:%Y-%m-%d}); choose earlier cut-offs"
            )
        features = _features_at(feature_fn, cutoff)
        labels = label_fn(cutoff, horizon_end)
        labels = pd.Series(labels.to_numpy(), index=labels.index.astype(str), name=LABEL_COLUMN)
        rows = features.join(labels, how="inner")
        _check_no_future(rows, cutoff)
        rows.insert(0, CUTOFF_COLUMN, pd.Timestamp(cutoff))
        frames.append(rows.reset_index())
    # One row order whatever order the engine returned: models and their folds depend on it.
    out = pd.concat(frames, ignore_index=True).sort_values(
        [CUTOFF_COLUMN, ID_COLUMN], ignore_index=True, kind="stable"
    )
    out[LABEL_COLUMN] = out[LABEL_COLUMN].astype(int)
    return out
