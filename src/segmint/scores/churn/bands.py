"""Risk bands (high / medium / low) from churn probabilities."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

RISK_BANDS = ("low", "medium", "high")


def risk_band(
    p: float | ArrayLike, *, thresholds: tuple[float, float] = (0.3, 0.6)
) -> str | np.ndarray:
    """Return "low" (p < lower), "medium" (lower ≤ p < upper) or "high"; an array for array input."""
    lower, upper = thresholds
    if not 0.0 <= lower < upper <= 1.0:
        raise ValueError(f"thresholds must satisfy 0 <= lower < upper <= 1, got {thresholds}")
    values = np.asarray(p, dtype=float)
    bands = np.where(values >= upper, "high", np.where(values >= lower, "medium", "low"))
    if values.ndim == 0:
        return str(bands)
    return bands.astype(object)
