"""Bootstrap stability of a clustering: mean adjusted Rand index between fits on resamples."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from segmint.segments.clustering.methods import fit_clusters


def bootstrap_ari(
    x: np.ndarray,
    *,
    method: str,
    k: int | None,
    n_bootstrap: int,
    seed: int,
    n_init: int = 10,
) -> float:
    """Mean ARI over all pairs of fits on bootstrap resamples, each pair compared on the rows both drew.

    Each fit labels the distinct rows of its resample; two fits are compared on the rows present
    in both. 1.0 means every resample finds the same partition; values near 0 mean chance.
    Returns NaN when fewer than two resamples are requested.
    """
    if n_bootstrap < 2:
        return float("nan")
    rng = np.random.default_rng(seed)
    n = len(x)
    runs: list[tuple[np.ndarray, np.ndarray]] = []
    with threadpool_limits(limits=1):  # many small fits: threads cost more than they give
        for b in range(n_bootstrap):
            rows = np.unique(rng.integers(0, n, size=n))
            fitted = fit_clusters(x[rows], method=method, k=k, seed=seed + 1 + b, n_init=n_init)
            runs.append((rows, fitted.labels))
    scores: list[float] = []
    for (rows_a, lab_a), (rows_b, lab_b) in combinations(runs, 2):
        common, ia, ib = np.intersect1d(rows_a, rows_b, assume_unique=True, return_indices=True)
        if len(common) < 2:
            continue
        scores.append(float(adjusted_rand_score(lab_a[ia], lab_b[ib])))
    return float(np.mean(scores)) if scores else float("nan")
