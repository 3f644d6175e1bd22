"""Minimum detectable effect and power of the relative-uplift test at a given size."""

from __future__ import annotations

import math

from scipy import optimize
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
    """Return the smallest relative uplift found with `power` by the delta-method test.

    Solves `power_of(effect) = power` with both arms at the control's variance; nan when no
    uplift reaches that power at these sizes.
    """
    if n_control < 2 or n_variant < 2 or not mean or not variance > 0:
        return math.nan

    def shortfall(effect: float) -> float:
        return power_of(effect, n_control, n_variant, mean, variance, alpha=alpha) - power

    # The normal-approximation guess, widened until it is reached (the delta method's variance
    # grows with the effect, so power levels off below 1 for very small arms).
    high = (
        2
        * (_st.norm.ppf(1 - alpha / 2) + _st.norm.ppf(power))
        * math.sqrt(variance / n_variant + variance / n_control)
        / abs(mean)
    )
    for _ in range(30):
        if shortfall(high) >= 0:
            return float(optimize.brentq(shortfall, 0.0, high, xtol=1e-10))
        high *= 2
    return math.nan


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
