"""Score scales: named bands over a 0-100 score and mid-rank percentiles within a sample."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def band_for(
    scores: pd.Series, bands: Mapping[str, float], *, missing: str = "unknown"
) -> pd.Series:
    """Return the band name of each score: the band with the highest lower bound <= score."""
    names = list(bands)
    bounds = np.asarray(list(bands.values()), dtype=float)
    values = scores.to_numpy(dtype=float)
    position = np.searchsorted(bounds, values, side="right") - 1
    labels = np.asarray(names, dtype=object)[np.clip(position, 0, len(names) - 1)]
    labels = np.where(np.isnan(values), missing, labels)
    return pd.Series(labels, index=scores.index, dtype=object)


def percentile_rank(reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return the mid-rank percentile (0..100) of each value within a sorted reference sample."""
    below = np.searchsorted(reference, values, side="left")
    at_or_below = np.searchsorted(reference, values, side="right")
    ranks = 100.0 * (below + 0.5 * (at_or_below - below)) / len(reference)
    return np.where(np.isnan(values), np.nan, ranks)
