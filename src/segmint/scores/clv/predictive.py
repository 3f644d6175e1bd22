"""Predictive count distributions per customer: medians and intervals of holdout purchases.

BTYD models: given the customer is alive, purchases in t weeks are negative binomial with size
r + x and the model's conditional mean (the gamma posterior of the purchase rate, exact for the
NBD); a model with drop-out mixes that with zero purchases at weight 1 − P(alive) (a
moment-matched approximation: drop-out during the horizon is folded into the mean). Other
forecasts (supervised, ensemble): negative binomial around the forecast with the dispersion of
the supervised model's training residuals.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

INTERVAL_LEVEL = 0.8


def nb_quantiles(mean: np.ndarray, size: np.ndarray | float, q: float | np.ndarray) -> np.ndarray:
    """Return the q-quantile of a negative binomial with this mean and size (Poisson if inf)."""
    mean = np.maximum(np.asarray(mean, dtype=float), 0.0)
    size_arr = np.broadcast_to(np.asarray(size, dtype=float), mean.shape)
    q_arr = np.broadcast_to(np.asarray(q, dtype=float), mean.shape)
    out = np.zeros(mean.shape)
    positive = mean > 0
    poisson = positive & ~np.isfinite(size_arr)
    out[poisson] = stats.poisson.ppf(q_arr[poisson], mean[poisson])
    nb = positive & np.isfinite(size_arr)
    n = size_arr[nb]
    out[nb] = stats.nbinom.ppf(q_arr[nb], n, n / (n + mean[nb]))
    return out


def mixture_quantiles(
    mean: np.ndarray, size: np.ndarray | float, p_alive: np.ndarray, q: float
) -> np.ndarray:
    """Return the q-quantile of "0 with prob 1 − p_alive, else NB(size, mean / p_alive)"."""
    p = np.clip(np.asarray(p_alive, dtype=float), 1e-12, 1.0)
    alive_mean = np.asarray(mean, dtype=float) / p
    # P(N <= k) = (1 − p) + p F_NB(k): the quantile is 0 until q exceeds the mass at zero
    level = np.clip((q - (1.0 - p)) / p, 0.0, 1.0 - 1e-12)
    return np.where(q > 1.0 - p, nb_quantiles(alive_mean, size, level), 0.0)


def count_quantiles(
    mean: np.ndarray,
    size: np.ndarray | float,
    p_alive: np.ndarray | None,
    qs: tuple[float, ...],
) -> list[np.ndarray]:
    """Return one array of per-customer count quantiles per q in `qs`."""
    if p_alive is None or np.all(np.isnan(p_alive)):
        return [nb_quantiles(mean, size, q) for q in qs]
    return [mixture_quantiles(mean, size, p_alive, q) for q in qs]


def interval_coverage(low: np.ndarray, high: np.ndarray, actual: np.ndarray) -> float:
    """Return the share of actual counts inside [low, high]."""
    actual = np.asarray(actual, dtype=float)
    return float(np.mean((actual >= low) & (actual <= high))) if actual.size else float("nan")
