"""The clustering algorithms behind ClusterSegmenter and how each assigns rows it was not fitted on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.cluster import HDBSCAN, AgglomerativeClustering, KMeans
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import KNeighborsClassifier

METHODS = ("kmeans", "gmm", "hierarchical", "hdbscan")
# Ward linkage keeps an n × n distance structure; above this many rows it is fitted on a sample.
HIERARCHICAL_MAX_ROWS = 5000
KNN_NEIGHBORS = 15


@dataclass
class FittedClusters:
    """Labels of the fitted rows (0..k-1) and a model that assigns any row to one of them."""

    labels: np.ndarray
    model: Any
    centroids: np.ndarray
    n_noise: int = 0

    @property
    def k(self) -> int:
        """Number of clusters found."""
        return int(self.centroids.shape[0])

    def predict(self, x: np.ndarray, batch_size: int = 100_000) -> np.ndarray:
        """Cluster of every row of `x`, computed in batches to bound memory."""
        out = np.empty(len(x), dtype=int)
        for start in range(0, len(x), batch_size):
            chunk = x[start : start + batch_size]
            if isinstance(self.model, KMeans | GaussianMixture | KNeighborsClassifier):
                out[start : start + batch_size] = self.model.predict(chunk)
            else:
                out[start : start + batch_size] = nearest_centroid(chunk, self.centroids)
        return out


def nearest_centroid(x: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid (Euclidean) for each row of `x`."""
    d2 = (
        np.sum(x**2, axis=1)[:, None]
        - 2.0 * x @ centroids.T
        + np.sum(centroids**2, axis=1)[None, :]
    )
    return np.asarray(np.argmin(d2, axis=1), dtype=int)


def _centroids(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    return np.vstack([x[labels == c].mean(axis=0) for c in range(k)])


def fit_clusters(
    x: np.ndarray, *, method: str, k: int | None, seed: int, n_init: int = 10
) -> FittedClusters:
    """Fit `method` on `x` (k clusters; hdbscan finds k itself) and return labels and an assigner."""
    if method == "kmeans":
        assert k is not None
        km = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(x)
        return FittedClusters(np.asarray(km.labels_, dtype=int), km, km.cluster_centers_)
    if method == "gmm":
        assert k is not None
        gm = GaussianMixture(
            n_components=k,
            covariance_type="full",
            n_init=max(1, n_init // 4),
            reg_covar=1e-4,
            init_params="k-means++",
            random_state=seed,
        ).fit(x)
        gm_labels = np.asarray(gm.predict(x), dtype=int)
        if len(set(gm_labels.tolist())) < k:
            # An empty component would leave a hole in 0..k-1: keep the used ones, assign by centroid.
            labels = _relabel_dense(gm_labels)
            return FittedClusters(labels, None, _centroids(x, labels, int(labels.max()) + 1))
        return FittedClusters(gm_labels, gm, gm.means_)
    if method == "hierarchical":
        assert k is not None
        labels = np.asarray(AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x))
        return FittedClusters(labels.astype(int), None, _centroids(x, labels, k))
    if method == "hdbscan":
        return _fit_hdbscan(x)
    raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")


def hdbscan_min_cluster_size(n_rows: int) -> int:
    """Smallest cluster HDBSCAN may report: 5% of the rows, at least 15 (smaller groups are rarely actionable)."""
    return max(15, n_rows // 20)


def _fit_hdbscan(x: np.ndarray) -> FittedClusters:
    model = HDBSCAN(min_cluster_size=hdbscan_min_cluster_size(len(x)), copy=True).fit(x)
    raw = np.asarray(model.labels_, dtype=int)
    noise = raw < 0
    if noise.all():
        # No density structure at all: one cluster holding everyone.
        labels = np.zeros(len(x), dtype=int)
        return FittedClusters(labels, None, x.mean(axis=0, keepdims=True), int(noise.sum()))
    clustered = _relabel_dense(raw[~noise])
    knn = KNeighborsClassifier(n_neighbors=min(KNN_NEIGHBORS, int((~noise).sum())))
    knn.fit(x[~noise], clustered)
    labels = np.empty(len(x), dtype=int)
    labels[~noise] = clustered
    if noise.any():
        labels[noise] = knn.predict(x[noise])
    k = int(clustered.max()) + 1
    return FittedClusters(labels, knn, _centroids(x, labels, k), int(noise.sum()))


def _relabel_dense(labels: np.ndarray) -> np.ndarray:
    _, dense = np.unique(labels, return_inverse=True)
    return np.asarray(dense, dtype=int)
