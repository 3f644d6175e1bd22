"""Relative uplift of a variant over control: delta method with Welch's t, sequential, Bayesian.

The formulas are GrowthBook's stats engine (gbstats 0.8): `frequentist/tests.py` TwoSidedTTest and
SequentialTwoSidedTTest, `bayesian/tests.py` EffectBayesianABTest with its default flat prior.
Every function takes plain numbers or numpy arrays (so a simulation of many experiments is one
call) and returns nan where a result is undefined (a control mean of 0, no variance, n < 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as _st

DEFAULT_ALPHA = 0.05
# GrowthBook's default tuning parameter for always-valid intervals: the sample size (both arms)
# at which the interval is tightest relative to a fixed-horizon one.
SEQUENTIAL_TUNING = 5000.0

Number = Any  # a float or a numpy array of floats


@dataclass(frozen=True)
class Uplift:
    """Relative uplift of b over a: estimate, standard error, Welch df, interval and p-value."""

    estimate: Number
    std_error: Number
    dof: Number
    ci_low: Number
    ci_high: Number
    p_value: Number


def relative_uplift(
    mean_a: Number,
    var_a: Number,
    n_a: Number,
    mean_b: Number,
    var_b: Number,
    n_b: Number,
    *,
    adjusted_a: Number | None = None,
    adjusted_b: Number | None = None,
) -> tuple[Number, Number]:
    """Return (mean_b - mean_a) / mean_a and its delta-method variance.

    With CUPED, `adjusted_a/b` are the adjusted means and `var_a/b` the adjusted variances; the
    divisor and the delta-method weights stay the unadjusted means, as in GrowthBook.
    """
    mean_a, mean_b = np.asarray(mean_a, float), np.asarray(mean_b, float)
    top_a = mean_a if adjusted_a is None else np.asarray(adjusted_a, float)
    top_b = mean_b if adjusted_b is None else np.asarray(adjusted_b, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = (top_b - top_a) / mean_a
        variance = var_b / (mean_a**2 * n_b) + var_a * mean_b**2 / (mean_a**4 * n_a)
    return estimate, variance


def welch_dof(var_a: Number, n_a: Number, var_b: Number, n_b: Number) -> Number:
    """Return the Welch-Satterthwaite degrees of freedom of two arms."""
    with np.errstate(divide="ignore", invalid="ignore"):
        va, vb = np.asarray(var_a, float) / n_a, np.asarray(var_b, float) / n_b
        return (va + vb) ** 2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))


def fixed_horizon(
    estimate: Number, variance: Number, dof: Number, *, alpha: float = DEFAULT_ALPHA
) -> Uplift:
    """Return the two-sided Welch t interval and p-value of a relative uplift."""
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(variance)
        width = _st.t.ppf(1 - alpha / 2, dof) * se
        p_value = 2 * _st.t.sf(np.abs(estimate / se), dof)
    return Uplift(estimate, se, dof, estimate - width, estimate + width, p_value)


def sequential(
    estimate: Number,
    variance: Number,
    dof: Number,
    n_total: Number,
    *,
    alpha: float = DEFAULT_ALPHA,
    tuning: float = SEQUENTIAL_TUNING,
) -> Uplift:
    """Return the always-valid interval and p-value (Waudby-Smith et al. 2023, eq. 9 and 155).

    Valid at every look: checking daily and stopping at the first significant result keeps the
    false-positive rate at alpha.
    """
    rho2 = (-2 * np.log(alpha) + np.log(-2 * np.log(alpha) + 1)) / tuning
    n = np.asarray(n_total, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s2 = variance * n
        nr1 = n * rho2 + 1
        width = np.sqrt(s2) * np.sqrt(2 * nr1 * np.log(np.sqrt(nr1) / alpha) / (n * n * rho2))
        st2 = estimate**2 * n / variance
        e_value = np.exp(rho2 * st2 / (2 * nr1)) / np.sqrt(nr1)
        p_value = np.minimum(1 / e_value, 1.0)
    return Uplift(estimate, np.sqrt(variance), dof, estimate - width, estimate + width, p_value)


def chance_to_win(estimate: Number, variance: Number) -> Number:
    """Return P(uplift > 0) under the Gaussian posterior of the relative effect (flat prior)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _st.norm.sf(0, loc=estimate, scale=np.sqrt(variance))


def expected_loss(estimate: Number, variance: Number) -> Number:
    """Return E[max(-uplift, 0)]: the relative loss expected from shipping the variant."""
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(variance)
        z = estimate / sd
        return sd * _st.norm.pdf(z) - estimate * _st.norm.cdf(-z)
