"""Metrics of churn probabilities: ROC AUC, PR AUC, Brier, top-decile lift, calibration table."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score


def top_decile_lift(y_true: ArrayLike, proba: ArrayLike) -> float | None:
    """Return the churn rate among the 10% highest scores divided by the overall churn rate."""
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(proba, dtype=float)
    base = y.mean() if len(y) else 0.0
    if base == 0:
        return None
    k = max(1, int(np.ceil(0.1 * len(y))))
    # Scores tied at the decile edge (calibrated models give many) count with their mean churn
    # rate, as if the tie were broken at random: the lift then does not depend on row order.
    edge = np.sort(p)[::-1][k - 1]
    above = p > edge
    at_edge = p == edge
    churners = y[above].sum() + y[at_edge].mean() * (k - int(above.sum()))
    return float(churners / k / base)


def calibration_table(
    y_true: ArrayLike, proba: ArrayLike, *, bins: int = 10
) -> list[dict[str, Any]]:
    """Return one row per non-empty equal-width probability bin: range, count, mean predicted, observed rate."""
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(proba, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = which == b
        if not mask.any():
            continue
        rows.append(
            {
                "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                "count": int(mask.sum()),
                "mean_predicted": round(float(p[mask].mean()), 4),
                "observed_rate": round(float(y[mask].mean()), 4),
            }
        )
    return rows


def churn_metrics(y_true: ArrayLike, proba: ArrayLike, *, bins: int = 10) -> dict[str, Any]:
    """Return roc_auc, pr_auc, brier, top_decile_lift, positive_rate, rows and a calibration table.

    AUCs are None when the labels hold a single class (they are undefined then).
    """
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(proba, dtype=float)
    two_classes = len(np.unique(y)) == 2
    lift = top_decile_lift(y, p)
    return {
        "rows": int(len(y)),
        "positive_rate": round(float(y.mean()), 4) if len(y) else None,
        "roc_auc": round(float(roc_auc_score(y, p)), 4) if two_classes else None,
        "pr_auc": round(float(average_precision_score(y, p)), 4) if two_classes else None,
        "brier": round(float(brier_score_loss(y, p)), 4) if len(y) else None,
        "top_decile_lift": round(lift, 3) if lift is not None else None,
        "calibration": calibration_table(y, p, bins=bins),
    }
