"""How a binary behaviour goes with a binary outcome: 2×2 figures and a confounder-adjusted difference.

Raw figures come from the four counts (Newcombe/Wilson interval of the difference, relative risk,
odds ratio, phi, Fisher's exact p). The adjusted difference is the doubly robust (AIPW) average
effect over every eligible customer: a logistic outcome model standardised over the population
(regression standardisation, the g-formula) corrected by inverse propensity weights, with an
influence-function standard error and customers outside the propensity overlap trimmed. These are
associations: they hold only if the attributes adjusted for are all that drives both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

from segmint.analysis.stats import DEFAULT_LEVEL, wilson_interval

# Propensities outside [TRIM, 1 - TRIM] make inverse weights explode; those customers have no
# comparable counterpart and are left out of the adjusted estimate (and counted).
DEFAULT_TRIM = 0.01
_NEWTON_ITERATIONS = 100
_NEWTON_TOLERANCE = 1e-12


@dataclass(frozen=True)
class TwoByTwo:
    """Counts of (did, outcome): a = did & outcome, b = did & not, c = not did & outcome, d = neither."""

    a: int
    b: int
    c: int
    d: int

    @classmethod
    def of(cls, did: np.ndarray, outcome: np.ndarray) -> TwoByTwo:
        """Return the 2×2 counts of two boolean arrays."""
        did, outcome = np.asarray(did, bool), np.asarray(outcome, bool)
        return cls(
            int((did & outcome).sum()),
            int((did & ~outcome).sum()),
            int((~did & outcome).sum()),
            int((~did & ~outcome).sum()),
        )

    @property
    def did(self) -> int:
        """Return the number of customers who did the behaviour."""
        return self.a + self.b

    @property
    def did_not(self) -> int:
        """Return the number of customers who did not."""
        return self.c + self.d


def rate_difference_interval(
    table: TwoByTwo, *, level: float = DEFAULT_LEVEL
) -> tuple[float, float, float]:
    """Return (difference, low, high): rate among doers minus non-doers, Newcombe's hybrid score CI."""
    if table.did == 0 or table.did_not == 0:
        return math.nan, math.nan, math.nan
    p1, p2 = table.a / table.did, table.c / table.did_not
    l1, u1 = wilson_interval(table.a, table.did, level=level)
    l2, u2 = wilson_interval(table.c, table.did_not, level=level)
    diff = p1 - p2
    low = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return diff, low, high


def relative_risk(table: TwoByTwo) -> float:
    """Return rate among doers / rate among non-doers (nan when the latter is 0)."""
    if table.did == 0 or table.did_not == 0 or table.c == 0:
        return math.nan
    return (table.a / table.did) / (table.c / table.did_not)


def odds_ratio(table: TwoByTwo) -> float:
    """Return the sample odds ratio ad / bc (nan when a cell of the denominator is 0)."""
    if table.b == 0 or table.c == 0:
        return math.nan
    return (table.a * table.d) / (table.b * table.c)


def phi_coefficient(table: TwoByTwo) -> float:
    """Return the phi (Matthews) correlation of the 2×2 table (nan when a margin is 0)."""
    a, b, c, d = (float(x) for x in (table.a, table.b, table.c, table.d))
    denominator = (a + b) * (c + d) * (a + c) * (b + d)
    if denominator == 0:
        return math.nan
    return (a * d - b * c) / math.sqrt(denominator)


def fisher_p_value(table: TwoByTwo) -> float:
    """Return the two-sided Fisher exact p-value of the 2×2 table."""
    result = _scipy_stats.fisher_exact([[table.a, table.b], [table.c, table.d]])
    return float(result.pvalue)


def logistic_fit(design: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return maximum-likelihood logistic coefficients (Newton-Raphson with step halving)."""
    x = np.asarray(design, float)
    y = np.asarray(y, float)
    beta = np.zeros(x.shape[1])
    loglik = _loglik(x, y, beta)
    for _ in range(_NEWTON_ITERATIONS):
        p = _expit(x @ beta)
        gradient = x.T @ (y - p)
        hessian = (x * (p * (1 - p))[:, None]).T @ x
        # A whisper of ridge keeps the step defined when a column is constant or separates the
        # outcome perfectly; it moves estimates by ~1e-10, far below any reported digit.
        step = np.linalg.solve(hessian + 1e-10 * np.eye(len(beta)), gradient)
        scale = 1.0
        while True:
            candidate = beta + scale * step
            new = _loglik(x, y, candidate)
            if new >= loglik - 1e-12 or scale < 1e-8:
                break
            scale /= 2
        converged = abs(new - loglik) < _NEWTON_TOLERANCE * (1 + abs(loglik))
        beta, loglik = candidate, new
        if converged and float(np.max(np.abs(scale * step))) < 1e-10:
            break
    return beta


def _expit(z: np.ndarray) -> np.ndarray:
    return np.asarray(_scipy_stats.logistic.cdf(z))


def _loglik(x: np.ndarray, y: np.ndarray, beta: np.ndarray) -> float:
    z = x @ beta
    # log(1 + e^z) computed stably
    return float(np.sum(y * z - np.logaddexp(0.0, z)))


@dataclass(frozen=True)
class AdjustedDifference:
    """An adjusted risk difference: g-formula and doubly robust (AIPW) estimates, AIPW interval."""

    standardised: float
    aipw: float
    ci_low: float
    ci_high: float
    standard_error: float
    customers: int
    trimmed: int


def adjusted_difference(
    did: np.ndarray,
    outcome: np.ndarray,
    covariates: np.ndarray,
    *,
    trim: float = DEFAULT_TRIM,
    level: float = DEFAULT_LEVEL,
) -> AdjustedDifference:
    """Return the outcome-rate difference did − did not, adjusted for `covariates` (no intercept column).

    The outcome model is logistic in (1, did, covariates); its predictions with did set to 1 and
    to 0, averaged over the customers kept, give the standardised difference. The propensity model
    is logistic in (1, covariates); AIPW adds the weighted residuals, and its influence function
    gives the standard error.
    """
    a = np.asarray(did, float)
    y = np.asarray(outcome, float)
    x = np.asarray(covariates, float).reshape(len(a), -1)
    ones = np.ones((len(a), 1))
    propensity = _expit(np.hstack([ones, x]) @ logistic_fit(np.hstack([ones, x]), a))
    keep = (propensity >= trim) & (propensity <= 1 - trim)
    a, y, x, e = a[keep], y[keep], x[keep], propensity[keep]
    n = len(a)
    if n < 2 or a.sum() == 0 or a.sum() == n:
        nan = math.nan
        return AdjustedDifference(nan, nan, nan, nan, nan, n, int((~keep).sum()))
    ones = np.ones((n, 1))
    beta = logistic_fit(np.hstack([ones, a[:, None], x]), y)
    m1 = _expit(np.hstack([ones, ones, x]) @ beta)
    m0 = _expit(np.hstack([ones, 0 * ones, x]) @ beta)
    psi = m1 - m0 + a * (y - m1) / e - (1 - a) * (y - m0) / (1 - e)
    estimate = float(psi.mean())
    se = float(psi.std(ddof=1) / math.sqrt(n))
    z = float(_scipy_stats.norm.ppf(1 - (1 - level) / 2))
    return AdjustedDifference(
        standardised=float((m1 - m0).mean()),
        aipw=estimate,
        ci_low=estimate - z * se,
        ci_high=estimate + z * se,
        standard_error=se,
        customers=n,
        trimmed=int((~keep).sum()),
    )


def covariate_matrix(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, list[str]]:
    """Return a numeric design (no intercept) for customer attributes, and the names of its columns.

    Numbers are standardised (missing → the mean, plus a "missing" indicator when any are missing);
    text becomes one indicator per level except the most common (missing is a level of its own).
    Levels are sorted, so the design does not depend on row order.
    """
    parts: list[np.ndarray] = []
    names: list[str] = []
    for column in columns:
        values = frame[column]
        numeric = pd.to_numeric(values, errors="coerce")
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            missing = numeric.isna().to_numpy()
            filled = numeric.fillna(numeric.mean()).to_numpy(float)
            spread = filled.std()
            parts.append(((filled - filled.mean()) / (spread if spread > 0 else 1.0))[:, None])
            names.append(column)
            if missing.any():
                parts.append(missing.astype(float)[:, None])
                names.append(f"{column}=missing")
            continue
        text = values.astype("string").fillna("(missing)")
        counts = text.value_counts()
        levels = sorted(counts.index, key=lambda v: (-int(counts[v]), str(v)))
        for level in sorted(levels[1:]):
            parts.append((text == level).to_numpy(float)[:, None])
            names.append(f"{column}={level}")
    if not parts:
        return np.zeros((len(frame), 0)), []
    return np.hstack(parts), names


__all__ = [
    "DEFAULT_TRIM",
    "AdjustedDifference",
    "TwoByTwo",
    "adjusted_difference",
    "covariate_matrix",
    "fisher_p_value",
    "logistic_fit",
    "odds_ratio",
    "phi_coefficient",
    "rate_difference_interval",
    "relative_risk",
]
