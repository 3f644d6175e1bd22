"""Choosing k from several criteria (silhouette, Calinski-Harabasz, Davies-Bouldin, stability)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_samples,
    silhouette_score,
)
from threadpoolctl import threadpool_limits

from segmint.segments.clustering.methods import fit_clusters
from segmint.segments.clustering.stability import bootstrap_ari

SILHOUETTE_SAMPLE = 5000
# Criterion → True when larger is better.
CRITERIA = {
    "silhouette": True,
    "calinski_harabasz": True,
    "davies_bouldin": False,
    "stability_ari": True,
}


def score_solution(x: np.ndarray, labels: np.ndarray, *, seed: int) -> dict[str, float]:
    """Silhouette (on a seeded sample of at most 5,000 rows), Calinski-Harabasz and Davies-Bouldin."""
    n_labels = len(set(np.asarray(labels).tolist()))
    if n_labels < 2 or n_labels >= len(x):
        return {
            "silhouette": float("nan"),
            "calinski_harabasz": float("nan"),
            "davies_bouldin": float("nan"),
        }
    sample = min(SILHOUETTE_SAMPLE, len(x))
    return {
        "silhouette": float(silhouette_score(x, labels, sample_size=sample, random_state=seed)),
        "calinski_harabasz": float(calinski_harabasz_score(x, labels)),
        "davies_bouldin": float(davies_bouldin_score(x, labels)),
    }


def numeric_support(x_numeric: np.ndarray, labels: np.ndarray) -> float:
    """Return the lowest per-cluster mean silhouette on the numeric columns alone (NaN if none).

    A cluster whose rows are on average closer, in the numeric columns, to another cluster than
    to their own (a negative value) rests only on category levels.
    """
    labels = np.asarray(labels)
    n_labels = len(set(labels.tolist()))
    if x_numeric.shape[1] == 0 or n_labels < 2 or n_labels >= len(x_numeric):
        return float("nan")
    values = silhouette_samples(x_numeric, labels)
    return float(min(values[labels == c].mean() for c in np.unique(labels)))


def evaluate_k(
    x: np.ndarray,
    *,
    method: str,
    k_values: Sequence[int],
    n_bootstrap: int,
    seed: int,
    n_numeric: int = 0,
) -> pd.DataFrame:
    """One row per candidate k with every criterion, its rank per criterion and the mean rank.

    The first `n_numeric` columns of `x` are the numeric features (see `numeric_support`).
    """
    with threadpool_limits(limits=1):  # many small fits: threads cost more than they give
        return rank_table(_score_each_k(x, method, k_values, n_bootstrap, seed, n_numeric))


def _score_each_k(
    x: np.ndarray,
    method: str,
    k_values: Sequence[int],
    n_bootstrap: int,
    seed: int,
    n_numeric: int = 0,
) -> pd.DataFrame:
    rows = []
    for k in k_values:
        fitted = fit_clusters(x, method=method, k=k, seed=seed)
        row: dict[str, float] = {"k": k, **score_solution(x, fitted.labels, seed=seed)}
        row["numeric_silhouette_min"] = numeric_support(x[:, :n_numeric], fitted.labels)
        row["stability_ari"] = bootstrap_ari(
            x, method=method, k=k, n_bootstrap=n_bootstrap, seed=seed
        )
        rows.append(row)
    return pd.DataFrame(rows)


# A candidate k is "acceptable" when its solution is reproducible and nearly as well separated as
# the best candidate; among acceptable candidates the finest partition (largest k) wins.
MIN_STABILITY = 0.98
MIN_SILHOUETTE_RATIO = 0.6
MIN_CH_RATIO = 0.8
# Each cluster's mean silhouette on the numeric columns alone must not be negative.
MIN_NUMERIC_SILHOUETTE = 0.0


def rank_table(table: pd.DataFrame) -> pd.DataFrame:
    """Add rank_<criterion> (1 = best, ties averaged), mean_rank, acceptable and `chosen`.

    The rule: a k is acceptable when its bootstrap stability ARI ≥ 0.98, its silhouette ≥ 0.6 ×
    the best silhouette, its Calinski-Harabasz ≥ 0.8 × the best, and every cluster is supported
    by the numeric columns (`numeric_silhouette_min` ≥ 0; skipped without numeric columns). A k
    that passes all but the last is marked `category_split`. The largest acceptable k is
    chosen (coarser solutions that merge real groups are usually stable and well separated too,
    so "largest acceptable" is what finds groups that lie at uneven distances). When no k is
    acceptable, the k with the lowest mean rank over the four criteria wins (ties: higher
    silhouette, then smaller k). Criteria that could not be computed (NaN) are left out.
    """
    table = table.copy()
    rank_cols = []
    for name, larger_is_better in CRITERIA.items():
        if name not in table or table[name].isna().all():
            continue
        values = table[name].to_numpy(dtype=float)
        key = -values if larger_is_better else values
        key = np.where(np.isnan(key), np.inf, key)
        table[f"rank_{name}"] = rankdata(key, method="average")
        rank_cols.append(f"rank_{name}")
    table["mean_rank"] = table[rank_cols].mean(axis=1) if rank_cols else 0.0
    stability = table["stability_ari"].to_numpy(dtype=float)
    silhouette = table["silhouette"].to_numpy(dtype=float)
    ch = table["calinski_harabasz"].to_numpy(dtype=float)
    numeric = (
        table["numeric_silhouette_min"].to_numpy(dtype=float)
        if "numeric_silhouette_min" in table
        else np.full(len(table), np.nan)
    )
    with np.errstate(invalid="ignore"):
        separated = (
            (np.isnan(stability) | (stability >= MIN_STABILITY))
            & (silhouette >= MIN_SILHOUETTE_RATIO * np.nanmax(silhouette, initial=-np.inf))
            & (ch >= MIN_CH_RATIO * np.nanmax(ch, initial=-np.inf))
        )
        supported = np.isnan(numeric) | (numeric >= MIN_NUMERIC_SILHOUETTE)
    acceptable = separated & supported
    table["acceptable"] = acceptable
    table["category_split"] = separated & ~supported
    table["chosen"] = False
    if acceptable.any():
        pick = table.loc[acceptable, "k"].idxmax()
    else:
        order = table.assign(_sil=table["silhouette"].fillna(-np.inf)).sort_values(
            ["mean_rank", "_sil", "k"], ascending=[True, False, True]
        )
        pick = order.index[0]
    table.loc[pick, "chosen"] = True
    table["k"] = table["k"].astype(int)
    return table.reset_index(drop=True)


def chosen_k(table: pd.DataFrame) -> int:
    """The k marked as chosen in a table from `evaluate_k`."""
    return int(table.loc[table["chosen"], "k"].iloc[0])
