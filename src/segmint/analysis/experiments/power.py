"""Minimum detectable effect and power of the relative-uplift test at a given size."""

from __future__ import annotations

import math

from scipy import stats as _st

from segmint.analysis.experiments.effects import DEFAULT_ALPHA

DEFAULT_POWER = 0.8


def minimum_detectable_effect(
    n_control: int,
    n_variant: int,
    mean: float,
    variance: float,
    *,
    alpha: float = DEFAULT_ALPHA,
    power: float = DEFAULT_POWER,
) -> float:
    """Return the smallest relative uplift found with `power` (normal approximation, equal variance)."""
    if n_control < 2 or n_variant < 2 or not mean or not variance > 0:
        return math.nan
    se = math.sqrt(variance / n_variant + variance / n_control) / abs(mean)
    return float((_st.norm.ppf(1 - alpha / 2) + _st.norm.ppf(power)) * se)


def power_of(
    effect: float,
    n_control: int,
    n_variant: int,
    mean: float,
    variance: float,
    *,
    variant_variance: float | None = None,
    alpha: float = DEFAULT_ALPHA,
) -> float:
    """Return the chance that the two-sided test at `alpha` finds a true relative uplift `effect`."""
    if n_control < 2 or n_variant < 2 or not mean:
        return math.nan
    var_b = variance if variant_variance is None else variant_variance
    mean_b = mean * (1 + effect)
    se = math.sqrt(var_b / (mean**2 * n_variant) + variance * mean_b**2 / (mean**4 * n_control))
    z = _st.norm.ppf(1 - alpha / 2)
    return float(_st.norm.cdf(effect / se - z) + _st.norm.cdf(-effect / se - z))
