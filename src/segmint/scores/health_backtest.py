"""Backtest a health score: does it separate customers who churned in the following N days?"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from segmint.errors import InputError, MissingColumnError

_TRUE = {"true", "yes", "y", "1", "t", "churned"}
_FALSE = {"false", "no", "n", "0", "f", "retained", "active"}


def _require(frame: pd.DataFrame, columns: tuple[str, ...], source: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise MissingColumnError(source, column, [str(c) for c in frame.columns])


def _as_bool(series: pd.Series) -> pd.Series:
    if series.dtype == bool:
        return series
    if pd.api.types.is_numeric_dtype(series):
        values = series.astype(float)
        if not values.dropna().isin([0.0, 1.0]).all():
            raise InputError("churn outcomes: column 'churned' must be true/false or 0/1")
        return values.map(lambda v: np.nan if np.isnan(v) else bool(v))
    text = series.astype("string").str.strip().str.lower()
    unknown = text.notna() & ~text.isin(_TRUE | _FALSE)
    if unknown.any():
        raise InputError(
            f"churn outcomes: column 'churned' has value {series[unknown].iloc[0]!r}; "
            "use true/false, yes/no or 1/0"
        )
    return text.map(lambda v: np.nan if pd.isna(v) else v in _TRUE)


def health_backtest(
    scores_frame: pd.DataFrame, churn_outcomes: pd.DataFrame, *, horizon_days: int
) -> dict[str, Any]:
    """Return how well health scores separate churners: AUCs, churn rate by band, and counts.

    `scores_frame` has customer_id, health_score, health_band (scored at an earlier as_of);
    `churn_outcomes` has customer_id, churned (bool: churned within `horizon_days` after it).
    `auc_retained` is the AUC of the score as a predictor of NOT churning (higher score should
    mean retained; 0.5 = no better than chance); `auc_churn` = 1 - auc_retained is the AUC of
    the score as a predictor of churning (below 0.5 is what a working health score shows).
    """
    if horizon_days <= 0:
        raise ValueError(f"horizon_days must be a positive number of days (got {horizon_days})")
    _require(scores_frame, ("customer_id", "health_score", "health_band"), "health scores")
    _require(churn_outcomes, ("customer_id", "churned"), "churn outcomes")
    outcomes = churn_outcomes[["customer_id", "churned"]].drop_duplicates(
        "customer_id", keep="last"
    )
    outcomes = outcomes.assign(churned=_as_bool(outcomes["churned"]))
    merged = scores_frame[["customer_id", "health_score", "health_band"]].merge(
        outcomes, on="customer_id", how="left"
    )
    no_outcome = int(merged["churned"].isna().sum())
    no_score = int((merged["churned"].notna() & merged["health_score"].isna()).sum())
    usable = merged.dropna(subset=["churned", "health_score"]).copy()
    usable["churned"] = usable["churned"].astype(bool)
    churned = usable["churned"].to_numpy()
    score = usable["health_score"].to_numpy(dtype=float)

    auc_retained: float | None = None
    if churned.any() and not churned.all():
        auc_retained = round(float(roc_auc_score(~churned, score)), 4)

    bands = (
        usable.groupby("health_band", sort=False)
        .agg(
            customers=("customer_id", "size"),
            churned=("churned", "sum"),
            mean_score=("health_score", "mean"),
        )
        .sort_values("mean_score")
    )
    by_band = [
        {
            "band": str(band),
            "customers": int(row.customers),
            "churned": int(row.churned),
            "churn_rate": round(float(row.churned) / float(row.customers), 4),
            "mean_score": round(float(row.mean_score), 2),
        }
        for band, row in bands.iterrows()
    ]
    total = len(usable)
    return {
        "horizon_days": int(horizon_days),
        "customers": total,
        "churned": int(churned.sum()),
        "churn_rate": round(float(churned.mean()), 4) if total else None,
        "auc_retained": auc_retained,
        "auc_churn": None if auc_retained is None else round(1.0 - auc_retained, 4),
        "by_band": by_band,
        "skipped_no_outcome": no_outcome,
        "skipped_no_score": no_score,
        "note": (
            "auc_retained: the score as a predictor of NOT churning (higher is better, 0.5 = "
            "chance); auc_churn = 1 - auc_retained"
            if auc_retained is not None
            else "AUC undefined: the outcomes contain only one class"
        ),
    }
