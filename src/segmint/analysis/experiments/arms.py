"""Sufficient statistics of one experiment arm: users, mean, variance (and the pre-period's)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# conversion-like metrics (0/1 per user) use the binomial variance p(1 - p), as GrowthBook does
PROPORTION = "proportion"
MEAN = "mean"
METRIC_KINDS: tuple[str, ...] = (PROPORTION, MEAN)


@dataclass(frozen=True)
class ArmStats:
    """Users, sum and sum of squares of a metric in one arm, with its pre-period twin for CUPED."""

    n: int
    total: float
    total_squares: float
    kind: str = MEAN
    pre_total: float = 0.0
    pre_total_squares: float = 0.0
    post_pre_products: float = 0.0

    @classmethod
    def of(cls, values: np.ndarray, *, kind: str = MEAN, pre: np.ndarray | None = None) -> ArmStats:
        """Return the statistics of an array of per-user values (and pre-period values)."""
        if kind not in METRIC_KINDS:
            raise ValueError(f"kind must be one of {', '.join(METRIC_KINDS)}, got {kind!r}")
        x = np.asarray(values, dtype=float)
        p = np.zeros_like(x) if pre is None else np.asarray(pre, dtype=float)
        # Sums in sorted order: the same users give the same bits whatever the row order.
        order = np.lexsort((p, x))
        x, p = x[order], p[order]
        stats = cls(len(x), float(x.sum()), float((x * x).sum()), kind)
        if pre is None:
            return stats
        return cls(
            stats.n,
            stats.total,
            stats.total_squares,
            kind,
            float(p.sum()),
            float((p * p).sum()),
            float((x * p).sum()),
        )

    @property
    def mean(self) -> float:
        """Return the mean per user (nan for an empty arm)."""
        return self.total / self.n if self.n else math.nan

    @property
    def variance(self) -> float:
        """Return p(1 - p) for a proportion, else the sample variance (ddof 1); 0 when n < 2."""
        return _variance(self.n, self.total, self.total_squares, self.kind)

    @property
    def pre_mean(self) -> float:
        """Return the mean pre-period value per user."""
        return self.pre_total / self.n if self.n else math.nan

    @property
    def pre_variance(self) -> float:
        """Return the variance of the pre-period value (same convention as `variance`)."""
        return _variance(self.n, self.pre_total, self.pre_total_squares, self.kind)

    @property
    def covariance(self) -> float:
        """Return the sample covariance of the metric and its pre-period value."""
        if self.n <= 1:
            return 0.0
        return (self.post_pre_products - self.total * self.pre_total / self.n) / (self.n - 1)

    def __add__(self, other: ArmStats) -> ArmStats:
        return ArmStats(
            self.n + other.n,
            self.total + other.total,
            self.total_squares + other.total_squares,
            self.kind,
            self.pre_total + other.pre_total,
            self.pre_total_squares + other.pre_total_squares,
            self.post_pre_products + other.post_pre_products,
        )


def _variance(n: int, total: float, squares: float, kind: str) -> float:
    if n == 0:
        return math.nan
    if kind == PROPORTION:
        p = total / n
        return p * (1 - p)
    if n <= 1:
        return 0.0
    return max((squares - total * total / n) / (n - 1), 0.0)
