"""Small, exact statistics for segment comparisons: Wilson, z and Welch tests, bootstrap, BH.

Every function works on counts or summary moments (n, mean, variance), so the heavy part (sums
over customers) can run in the engine and only a few numbers per segment come back to Python.
Results agree with statsmodels (`proportion_confint(method="wilson")`, `proportions_ztest`,
`ttest_ind(usevar="unequal")`, `multipletests(method="fdr_bh")`); the tests check that.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

# scipy.special, not scipy.stats: the same functions scipy.stats' distributions call, without
# importing all of scipy.stats (over a second) on every command that reports a KPI.
from scipy import special as _special

DEFAULT_LEVEL = 0.95
BOOTSTRAP_RESAMPLES = 2000


def _z_quantile(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    return float(_special.ndtri(1 - (1 - level) / 2))


def wilson_interval(
    successes: float, trials: float, *, level: float = DEFAULT_LEVEL
) -> tuple[float, float]:
    """Return the Wilson score interval (low, high) of a proportion; (nan, nan) when trials is 0."""
    if trials <= 0:
        return math.nan, math.nan
    z = _z_quantile(level)
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    # Clamped: rounding can put a bound a hair outside [0, 1] when p is 0 or 1.
    return max(centre - half, 0.0), min(centre + half, 1.0)


@dataclass(frozen=True)
class TestResult:
    """A two-sample comparison: the difference (first minus second), statistic and p-value."""

    diff: float
    statistic: float
    p_value: float


def two_proportion_ztest(
    successes_a: float, trials_a: float, successes_b: float, trials_b: float
) -> TestResult:
    """Return the pooled two-proportion z test of rate a against rate b (two-sided)."""
    if trials_a <= 0 or trials_b <= 0:
        return TestResult(math.nan, math.nan, math.nan)
    p_a, p_b = successes_a / trials_a, successes_b / trials_b
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b))
    if se == 0:
        # Both rates are 0 (or both 1): no evidence of a difference.
        return TestResult(p_a - p_b, math.nan, math.nan)
    z = (p_a - p_b) / se
    return TestResult(p_a - p_b, z, _two_sided_normal(z))


@dataclass(frozen=True)
class Moments:
    """Count, mean and sample variance (ddof=1) of a group of values."""

    n: int
    mean: float
    var: float

    @classmethod
    def of(cls, values: Sequence[float] | np.ndarray) -> Moments:
        """Return the moments of an array (NaN values are ignored)."""
        array = np.asarray(values, dtype=float)
        array = array[~np.isnan(array)]
        n = len(array)
        if n == 0:
            return cls(0, math.nan, math.nan)
        return cls(n, float(array.mean()), float(array.var(ddof=1)) if n > 1 else math.nan)

    def combine(self, other: Moments) -> Moments:
        """Return the moments of the union of two disjoint groups (Chan et al.'s pairwise formula)."""
        if self.n == 0:
            return other
        if other.n == 0:
            return self
        n = self.n + other.n
        delta = other.mean - self.mean
        mean = self.mean + delta * other.n / n
        m2 = _m2(self) + _m2(other) + delta * delta * self.n * other.n / n
        return Moments(n, mean, m2 / (n - 1) if n > 1 else math.nan)


def _m2(moments: Moments) -> float:
    return 0.0 if moments.n < 2 else moments.var * (moments.n - 1)


def combine_moments(groups: Iterable[Moments]) -> Moments:
    """Return the moments of the union of disjoint groups."""
    total = Moments(0, math.nan, math.nan)
    for group in groups:
        total = total.combine(group)
    return total


def t_interval(moments: Moments, *, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    """Return the Student t interval of a mean (n - 1 degrees of freedom); nan when n < 2."""
    if moments.n < 2 or not math.isfinite(moments.var):
        return math.nan, math.nan
    t = float(_special.stdtrit(moments.n - 1, 1 - (1 - level) / 2))
    half = t * math.sqrt(moments.var / moments.n)
    return moments.mean - half, moments.mean + half


def welch_ttest(a: Moments, b: Moments) -> TestResult:
    """Return Welch's unequal-variance t test of mean a against mean b (two-sided)."""
    if a.n < 2 or b.n < 2:
        return TestResult(a.mean - b.mean if a.n and b.n else math.nan, math.nan, math.nan)
    va, vb = a.var / a.n, b.var / b.n
    se2 = va + vb
    diff = a.mean - b.mean
    if se2 == 0:
        return TestResult(diff, math.nan, math.nan)
    t = diff / math.sqrt(se2)
    # Welch-Satterthwaite degrees of freedom, written with shares of se2 so tiny variances
    # cannot underflow to 0 / 0.
    share_a, share_b = va / se2, vb / se2
    df = 1.0 / (share_a * share_a / (a.n - 1) + share_b * share_b / (b.n - 1))
    return TestResult(diff, t, float(2 * _special.stdtr(df, -abs(t))))


def bootstrap_mean_interval(
    values: Sequence[float] | np.ndarray,
    *,
    seed: int,
    level: float = DEFAULT_LEVEL,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> tuple[float, float]:
    """Return a seeded percentile-bootstrap interval of the mean (for skewed values like money)."""
    array = np.sort(np.asarray(values, dtype=float))  # sorted: independent of row order
    array = array[~np.isnan(array)]
    if len(array) < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    # Chunks bound the memory of the index matrix (resamples x n) for large groups.
    chunk = max(1, 2_000_000 // len(array))
    for start in range(0, resamples, chunk):
        stop = min(start + chunk, resamples)
        idx = rng.integers(0, len(array), size=(stop - start, len(array)))
        means[start:stop] = array[idx].mean(axis=1)
    alpha = (1 - level) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return float(low), float(high)


@dataclass(frozen=True)
class RatioMoments:
    """Sums over units of x, y, x², y², xy: enough for a ratio of sums sum(y)/sum(x) and its error."""

    n: int
    sum_x: float
    sum_y: float
    sum_xx: float
    sum_yy: float
    sum_xy: float

    def __add__(self, other: RatioMoments) -> RatioMoments:
        return RatioMoments(
            self.n + other.n,
            self.sum_x + other.sum_x,
            self.sum_y + other.sum_y,
            self.sum_xx + other.sum_xx,
            self.sum_yy + other.sum_yy,
            self.sum_xy + other.sum_xy,
        )

    @property
    def ratio(self) -> float:
        """Return sum(y) / sum(x) (nan when sum(x) is 0)."""
        return self.sum_y / self.sum_x if self.sum_x else math.nan

    def standard_error(self) -> float:
        """Return the delta-method standard error of the ratio (nan when n < 2)."""
        if self.n < 2 or not self.sum_x:
            return math.nan
        r = self.ratio
        mean_x = self.sum_x / self.n
        # Residuals y - r x have mean 0 by construction of r; their sample variance:
        ss = self.sum_yy - 2 * r * self.sum_xy + r * r * self.sum_xx
        var_resid = max(ss, 0.0) / (self.n - 1)
        return math.sqrt(var_resid / self.n) / abs(mean_x)


def ratio_interval(moments: RatioMoments, *, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    """Return the normal (delta-method) interval of a ratio of sums."""
    se = moments.standard_error()
    if not math.isfinite(se):
        return math.nan, math.nan
    z = _z_quantile(level)
    return moments.ratio - z * se, moments.ratio + z * se


def ratio_ztest(a: RatioMoments, b: RatioMoments) -> TestResult:
    """Return the z test of ratio a against ratio b with delta-method standard errors."""
    se_a, se_b = a.standard_error(), b.standard_error()
    diff = a.ratio - b.ratio
    if not (math.isfinite(se_a) and math.isfinite(se_b)) or se_a == se_b == 0:
        return TestResult(diff, math.nan, math.nan)
    z = diff / math.sqrt(se_a * se_a + se_b * se_b)
    return TestResult(diff, z, _two_sided_normal(z))


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Return Benjamini-Hochberg adjusted p-values; None and NaN entries stay None, uncounted."""
    indexed = [
        (i, float(p)) for i, p in enumerate(p_values) if p is not None and math.isfinite(float(p))
    ]
    adjusted: list[float | None] = [None] * len(p_values)
    m = len(indexed)
    if m == 0:
        return adjusted
    ordered = sorted(indexed, key=lambda item: (item[1], item[0]))
    running = 1.0
    for rank in range(m, 0, -1):
        index, p = ordered[rank - 1]
        running = min(running, p * m / rank)
        adjusted[index] = min(running, 1.0)
    return adjusted


@dataclass(frozen=True)
class ChiSquareResult:
    """Pearson's chi-square test of independence of a contingency table."""

    statistic: float
    dof: int
    p_value: float


def chi_square_independence(table: Sequence[Sequence[float]] | np.ndarray) -> ChiSquareResult:
    """Return Pearson's chi-square test (no continuity correction) of rows × columns.

    Rows or columns that sum to 0 are dropped first (they carry no information and would divide
    by zero); fewer than 2 rows or columns left gives nan.
    """
    counts = np.asarray(table, dtype=float)
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if counts.ndim != 2 or counts.shape[0] < 2 or counts.shape[1] < 2:
        return ChiSquareResult(math.nan, 0, math.nan)
    expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / counts.sum()
    statistic = float(((counts - expected) ** 2 / expected).sum())
    dof = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    return ChiSquareResult(statistic, dof, float(_special.chdtrc(dof, statistic)))


def rank_auc(scores: Sequence[float] | np.ndarray, labels: Sequence[int] | np.ndarray) -> float:
    """Return the ROC AUC of `scores` for 0/1 `labels` (ties count one half); nan with one class."""
    score = np.asarray(scores, dtype=float)
    label = np.asarray(labels, dtype=int)
    positives = int(label.sum())
    negatives = len(label) - positives
    if positives == 0 or negatives == 0:
        return math.nan
    from scipy.stats import rankdata

    ranks = rankdata(score)  # average ranks: ties count one half
    return float(
        (ranks[label == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives)
    )


def _two_sided_normal(z: float) -> float:
    return float(2 * _special.ndtr(-abs(z)))


__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "ChiSquareResult",
    "DEFAULT_LEVEL",
    "Moments",
    "RatioMoments",
    "TestResult",
    "benjamini_hochberg",
    "bootstrap_mean_interval",
    "chi_square_independence",
    "combine_moments",
    "ratio_interval",
    "rank_auc",
    "ratio_ztest",
    "t_interval",
    "two_proportion_ztest",
    "welch_ttest",
    "wilson_interval",
]
