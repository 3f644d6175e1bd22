"""CUPED: adjust a metric by its pre-period value with one theta estimated on all arms pooled."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from segmint.analysis.experiments.arms import ArmStats


@dataclass(frozen=True)
class Adjusted:
    """One arm after CUPED: adjusted mean and variance (the unadjusted mean stays in `arm`)."""

    arm: ArmStats
    mean: float
    variance: float


def pooled_theta(arms: Sequence[ArmStats]) -> float:
    """Return cov(metric, pre) / var(pre) over every user of every arm; 0 without variance."""
    pooled = arms[0]
    for arm in arms[1:]:
        pooled = pooled + arm
    if pooled.n < 2:
        return 0.0
    pre_var, post_var = pooled.pre_variance, pooled.variance
    if not (pre_var > 0 and post_var > 0):
        # GrowthBook falls back to the unadjusted analysis when either period has no variance.
        return 0.0
    return pooled.covariance / pre_var


def adjust(arm: ArmStats, theta: float) -> Adjusted:
    """Return the arm's CUPED mean (mean - theta * pre mean) and variance."""
    if arm.n == 0:
        return Adjusted(arm, math.nan, math.nan)
    mean = arm.mean - theta * arm.pre_mean
    variance = arm.variance + theta * theta * arm.pre_variance - 2 * theta * arm.covariance
    return Adjusted(arm, mean, variance if arm.n > 1 else 0.0)


def unadjusted(arm: ArmStats) -> Adjusted:
    """Return the arm as it is (no CUPED)."""
    return Adjusted(arm, arm.mean, arm.variance)
