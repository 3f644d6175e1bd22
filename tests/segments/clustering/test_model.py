"""ClusterSegmenter: recovers planted groups, is deterministic, samples large inputs, follows the contract."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from segmint.errors import MissingColumnError, NotFittedError
from segmint.segments.clustering import ClusterSegmenter, discover

from .planted import category_split_customers, planted_customers, profile_customers


@pytest.mark.parametrize(
    ("generator", "n_groups", "seed"),
    [
        (planted_customers, 3, 0),
        (planted_customers, 4, 2),
        (planted_customers, 5, 0),
        (profile_customers, 3, 2),
        (profile_customers, 4, 0),
        (profile_customers, 5, 3),
    ],
)
def test_auto_k_recovers_planted_groups(generator: Any, n_groups: int, seed: int) -> None:
    frame, truth = generator(n_groups, n_rows=3000, seed=seed)
    result = discover(frame, k="auto", seed=seed)
    assert result.id_col == "customer_id"
    assert result.k == n_groups
    assert adjusted_rand_score(truth, result.assignments["cluster"]) >= 0.85
    assert result.to_json()["stability_ari"] >= 0.9


def test_deterministic_with_a_seed() -> None:
    frame, _ = planted_customers(3, n_rows=800, seed=4)
    a = discover(frame, k_range=(2, 5), n_bootstrap=3, seed=11)
    b = discover(frame, k_range=(2, 5), n_bootstrap=3, seed=11)
    pd.testing.assert_frame_equal(a.assignments, b.assignments)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    assert a.to_json() == b.to_json()


def test_large_input_is_fitted_on_a_sample_and_every_row_assigned() -> None:
    frame, truth = planted_customers(3, n_rows=4000, seed=0)
    seg = ClusterSegmenter(k=3, sample_size=500, n_bootstrap=2, random_state=0)
    seg.fit(frame, id_col="customer_id")
    assert seg.fitted_rows_ == 500
    assert len(seg.labels_) == 4000 and set(seg.labels_) == {0, 1, 2}
    assert adjusted_rand_score(truth, seg.labels_) >= 0.85
    np.testing.assert_array_equal(seg.predict(frame), seg.labels_)
    # Cluster 0 is the largest.
    sizes = np.bincount(seg.labels_)
    assert sizes[0] == sizes.max()
    assert seg.profile_["size"].sum() == 4000


@pytest.mark.parametrize("method", ["gmm", "hierarchical", "hdbscan"])
def test_other_methods_assign_every_row(method: str) -> None:
    frame, truth = planted_customers(3, n_rows=900, seed=0)
    seg = ClusterSegmenter(method=method, k=3, n_bootstrap=2, sample_size=600, random_state=0)
    labels = seg.fit(frame, id_col="customer_id").labels_
    assert len(labels) == 900 and labels.min() == 0 and labels.max() == seg.k_ - 1
    assert adjusted_rand_score(truth, labels) >= 0.8
    assert len(set(seg.cluster_labels_.values())) == seg.k_
    if method == "hdbscan":
        assert seg.scores_["k"].tolist() == [seg.k_]


def test_contract_and_option_errors() -> None:
    frame, _ = planted_customers(3, n_rows=200, seed=0)
    seg = ClusterSegmenter(k=3)
    with pytest.raises(NotFittedError):
        seg.predict(frame)
    with pytest.raises(ValueError, match="kmeans, gmm, hierarchical, hdbscan"):
        ClusterSegmenter(method="dbscan").fit(frame)
    with pytest.raises(ValueError, match="'auto' or an integer"):
        ClusterSegmenter(k=1).fit(frame)
    with pytest.raises(MissingColumnError):
        ClusterSegmenter(features=["nope"]).fit(frame)
    assert seg.fit(frame, id_col="customer_id") is seg


def test_json_shape_and_missing_report() -> None:
    frame, _ = planted_customers(3, n_rows=600, seed=1)
    result = discover(frame, k=3, n_bootstrap=2, seed=0)
    payload = result.to_json()
    assert payload["k"] == 3 and payload["method"] == "kmeans"
    assert set(payload["scores"]) == {"3"}
    assert sum(c["size"] for c in payload["clusters"]) == 600
    assert sum(c["share"] for c in payload["clusters"]) == pytest.approx(1.0, abs=1e-3)
    assert all(c["traits"] and c["label"] for c in payload["clusters"])
    assert payload["missing"]["revenue_365d"] == int(frame["revenue_365d"].isna().sum()) > 0
    assert "email" in payload["preprocessing"]["excluded"]
    assert list(result.assignments.columns) == ["customer_id", "cluster", "cluster_label"]


def test_identifiers_and_saved_index_are_not_clustered_on() -> None:
    frame, truth = planted_customers(3, n_rows=600, seed=2)
    frame.insert(0, "Unnamed: 0", range(600))
    frame["account_id"] = np.arange(1000, 1600)
    seg = ClusterSegmenter(k=3, n_bootstrap=2).fit(frame, id_col="customer_id")
    excluded = seg.preprocessor_.report()["excluded"]
    assert excluded["Unnamed: 0"] == "row index"
    assert "identifier" in excluded["account_id"]
    assert "Unnamed: 0" not in seg.preprocessor_.used_columns
    assert adjusted_rand_score(truth, seg.labels_) >= 0.85


def test_category_only_split_becomes_a_subsegment() -> None:
    # with categories weighted up, k=4 splits one true group by `channel` alone: it is stable
    # and separated, but its two halves overlap in every numeric column
    frame, truth = category_split_customers(3, n_rows=1000, seed=1)
    model = ClusterSegmenter(
        random_state=0, k_range=(2, 6), n_bootstrap=5, categorical_weight=2.0
    ).fit(frame.drop(columns="customer_id"))
    scores = model.scores_.set_index("k")
    assert bool(scores.loc[4, "category_split"]) and not scores.loc[4, "acceptable"]
    assert scores.loc[4, "numeric_silhouette_min"] < 0
    assert model.k_ == 3 and adjusted_rand_score(truth, model.labels_) > 0.9
    (split,) = model.subsegments_
    assert split["column"] == "channel" and split["purity"] == 1.0
    assert {s["level"] for s in split["subsegments"]} == {"web", "store"}
    web_store = frame["channel"].isin(["web", "store"]).to_numpy()
    assert (model.labels_[web_store] == split["cluster"]).mean() > 0.95
    payload = discover(frame, k_range=(2, 6), n_bootstrap=5).to_json()
    assert "subsegments" in payload and "category_split" in payload["scores"]["2"]
