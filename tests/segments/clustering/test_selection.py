"""The k-selection rule and the bootstrap stability measure."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.datasets import make_blobs

from segmint.segments.clustering.selection import (
    chosen_k,
    evaluate_k,
    numeric_support,
    rank_table,
)
from segmint.segments.clustering.stability import bootstrap_ari


def _table(rows: list[tuple[int, float, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["k", "silhouette", "calinski_harabasz", "davies_bouldin", "stability_ari"]
    )


def test_largest_acceptable_k_wins() -> None:
    table = rank_table(
        _table(
            [
                (2, 0.42, 2400, 0.93, 1.00),
                (3, 0.39, 2380, 1.15, 0.99),  # stable and nearly as separated: finer, so chosen
                (4, 0.38, 2300, 1.10, 0.97),  # well separated but not reproducible enough
                (5, 0.20, 1600, 1.50, 0.99),  # stable but poorly separated
            ]
        )
    )
    assert chosen_k(table) == 3
    assert table["acceptable"].tolist() == [True, True, False, False]
    assert table["rank_silhouette"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_mean_rank_fallback_when_nothing_is_stable() -> None:
    table = rank_table(
        _table([(2, 0.30, 900, 1.5, 0.60), (3, 0.35, 1000, 1.2, 0.70), (4, 0.20, 800, 1.6, 0.80)])
    )
    assert not table["acceptable"].any()
    assert chosen_k(table) == 3


def test_evaluate_k_finds_blobs() -> None:
    x, _ = make_blobs(n_samples=600, centers=4, cluster_std=0.8, random_state=3)
    table = evaluate_k(x, method="kmeans", k_values=range(2, 7), n_bootstrap=4, seed=0)
    assert chosen_k(table) == 4
    assert set(table.columns) >= {"silhouette", "calinski_harabasz", "davies_bouldin", "mean_rank"}


def test_bootstrap_ari_separates_structure_from_noise() -> None:
    x, _ = make_blobs(n_samples=500, centers=3, cluster_std=0.5, random_state=1)
    assert bootstrap_ari(x, method="kmeans", k=3, n_bootstrap=4, seed=0) > 0.98
    noise = np.random.default_rng(0).uniform(size=(500, 6))
    assert bootstrap_ari(noise, method="kmeans", k=7, n_bootstrap=4, seed=0) < 0.9
    assert np.isnan(bootstrap_ari(x, method="kmeans", k=3, n_bootstrap=1, seed=0))


def test_category_only_split_is_not_accepted() -> None:
    table = _table(
        [
            (2, 0.40, 2400, 0.95, 1.00),
            (3, 0.42, 2500, 0.90, 1.00),
            (4, 0.41, 2450, 0.92, 0.99),  # stable and separated, but one cluster rests on levels
        ]
    ).assign(numeric_silhouette_min=[0.30, 0.25, -0.05])
    table = rank_table(table)
    assert chosen_k(table) == 3
    assert table["acceptable"].tolist() == [True, True, False]
    assert table["category_split"].tolist() == [False, False, True]
    # without numeric columns the check is skipped (NaN): the largest acceptable k wins again
    skipped = rank_table(table.assign(numeric_silhouette_min=np.nan))
    assert chosen_k(skipped) == 4 and not skipped["category_split"].any()


def test_numeric_support_sees_clusters_made_of_levels() -> None:
    rng = np.random.default_rng(0)
    numeric = np.vstack([rng.normal(0, 1, (200, 2)), rng.normal(6, 1, (200, 2))])
    true = np.repeat([0, 1], 200)
    assert numeric_support(numeric, true) > 0.5
    # group 0 cut in two at random (as a category level would): its halves overlap
    level_split = np.where(true == 0, rng.integers(0, 2, 400) * 2, 1)
    assert numeric_support(numeric, level_split) < 0
    assert np.isnan(numeric_support(numeric[:, :0], true))
