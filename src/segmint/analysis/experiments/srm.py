"""Sample-ratio mismatch: are the users per variant what the configured weights promise?"""

from __future__ import annotations

from collections.abc import Sequence

from scipy import stats as _st

# GrowthBook's threshold: below it the split is almost surely broken, not unlucky.
SRM_THRESHOLD = 0.001


def srm_p_value(users: Sequence[int], weights: Sequence[float]) -> float:
    """Return the chi-square goodness-of-fit p-value of users per variant against the weights."""
    total = sum(users)
    if total == 0:
        return 1.0
    total_weight = sum(weights)
    statistic = 0.0
    for observed, weight in zip(users, weights, strict=True):
        if weight <= 0:
            continue
        expected = weight / total_weight * total
        statistic += (observed - expected) ** 2 / expected
    return float(_st.chi2.sf(statistic, len(users) - 1))
