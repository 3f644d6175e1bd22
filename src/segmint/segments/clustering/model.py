"""ClusterSegmenter: discover customer clusters in a customer-level table (sklearn-style)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from segmint.errors import InputError, MissingColumnError, NotFittedError
from segmint.segments.clustering.ids import id_columns
from segmint.segments.clustering.labels import (
    Trait,
    cluster_labels,
    cluster_profile,
    cluster_traits,
)
from segmint.segments.clustering.methods import (
    HIERARCHICAL_MAX_ROWS,
    METHODS,
    FittedClusters,
    fit_clusters,
)
from segmint.segments.clustering.preprocess import Preprocessor, categorical_values
from segmint.segments.clustering.selection import (
    SILHOUETTE_SAMPLE,
    chosen_k,
    evaluate_k,
    rank_table,
    score_solution,
)
from segmint.segments.clustering.stability import bootstrap_ari


class ClusterSegmenter:
    """Segments customers by clustering their features; k chosen from several criteria when k='auto'.

    Rows beyond `sample_size` are not used to fit: the model is fitted on a seeded sample and every
    row is then assigned (k-means: nearest centre; gmm: most likely component; hierarchical: nearest
    cluster centroid; hdbscan: 15-nearest-neighbour vote among clustered sample rows, which also
    places HDBSCAN's noise points). Cluster numbers are ordered by size, 0 = largest.
    """

    def __init__(
        self,
        *,
        features: Sequence[str] | None = None,
        k: int | str = "auto",
        method: str = "kmeans",
        k_range: tuple[int, int] = (2, 10),
        sample_size: int = 20000,
        n_bootstrap: int = 10,
        random_state: int = 0,
        categorical_weight: float = 0.5,
        max_levels: int = 20,
    ) -> None:
        self.features = features
        self.k = k
        self.method = method
        self.k_range = k_range
        self.sample_size = sample_size
        self.n_bootstrap = n_bootstrap
        self.random_state = random_state
        self.categorical_weight = categorical_weight
        self.max_levels = max_levels

    def _check_params(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}; got {self.method!r}")
        if not (self.k == "auto" or (isinstance(self.k, int) and not isinstance(self.k, bool))):
            raise ValueError(f"k must be 'auto' or an integer ≥ 2; got {self.k!r}")
        if isinstance(self.k, int) and self.k < 2:
            raise ValueError(f"k must be 'auto' or an integer ≥ 2; got {self.k!r}")
        lo, hi = self.k_range
        if lo < 2 or hi < lo:
            raise ValueError(
                f"k_range must be (low, high) with 2 ≤ low ≤ high; got {self.k_range!r}"
            )
        if self.sample_size < 10:
            raise ValueError(f"sample_size must be at least 10; got {self.sample_size!r}")
        if self.categorical_weight < 0:
            raise ValueError("categorical_weight must be ≥ 0")

    def _columns(self, frame: pd.DataFrame, id_col: str | None) -> list[str]:
        self._id_excluded: dict[str, str] = {}
        if self.features is not None:
            for col in self.features:
                if col not in frame.columns:
                    raise MissingColumnError("features", col, list(frame.columns))
            return list(self.features)
        # Without an explicit list, identifiers and saved row indexes are left out (and reported).
        self._id_excluded = {c: r for c, r in id_columns(frame).items() if c != id_col}
        return [c for c in frame.columns if c != id_col and c not in self._id_excluded]

    def fit(self, frame: pd.DataFrame, id_col: str | None = None) -> ClusterSegmenter:
        """Fit on `frame` (one row per customer); `id_col` is never used as a feature. Returns self."""
        # k selection runs hundreds of small fits; OpenMP/BLAS thread start-up dominates them and
        # threads fight on a shared machine (measured: 23 s → 2 s CPU on 3,000 rows), so use one.
        with threadpool_limits(limits=1):
            return self._fit(frame, id_col)

    def _fit(self, frame: pd.DataFrame, id_col: str | None) -> ClusterSegmenter:
        self._check_params()
        if id_col is not None and id_col not in frame.columns:
            raise MissingColumnError("input", id_col, list(frame.columns))
        if len(frame) < 3:
            raise InputError(f"clustering needs at least 3 rows; got {len(frame)}")
        seed = self.random_state
        rng = np.random.default_rng(seed)
        columns = self._columns(frame, id_col)
        fit_rows = _sample_rows(len(frame), self.sample_size, rng)
        fit_frame = frame.iloc[fit_rows] if fit_rows is not None else frame
        pre = Preprocessor(categorical_weight=self.categorical_weight, max_levels=self.max_levels)
        pre.fit(fit_frame, columns)
        pre.excluded.update(self._id_excluded)
        x_fit = pre.transform(fit_frame)
        if self.method == "hierarchical" and len(x_fit) > HIERARCHICAL_MAX_ROWS:
            keep = np.sort(rng.choice(len(x_fit), HIERARCHICAL_MAX_ROWS, replace=False))
            fit_frame, x_fit = fit_frame.iloc[keep], x_fit[keep]
        sel_rows = _sample_rows(len(x_fit), SILHOUETTE_SAMPLE, rng)
        x_sel = x_fit[sel_rows] if sel_rows is not None else x_fit

        if self.method == "hdbscan":
            fitted = fit_clusters(x_fit, method="hdbscan", k=None, seed=seed)
            row: dict[str, Any] = {"k": fitted.k, **score_solution(x_fit, fitted.labels, seed=seed)}
            row["stability_ari"] = bootstrap_ari(
                x_sel, method="hdbscan", k=None, n_bootstrap=self.n_bootstrap, seed=seed
            )
            scores = rank_table(pd.DataFrame([row]))
        else:
            if self.k == "auto":
                hi = min(self.k_range[1], len(x_sel) - 1)
                k_values = list(range(self.k_range[0], hi + 1)) or [2]
            else:
                k_values = [int(self.k)]
            scores = evaluate_k(
                x_sel,
                method=self.method,
                k_values=k_values,
                n_bootstrap=self.n_bootstrap,
                seed=seed,
                n_numeric=len(pre.numeric),
            )
            fitted = fit_clusters(x_fit, method=self.method, k=chosen_k(scores), seed=seed)

        # Order clusters by size on the fitted rows (0 = largest), ties by first appearance.
        counts = np.bincount(fitted.labels, minlength=fitted.k)
        order = sorted(range(fitted.k), key=lambda c: (-counts[c], c))
        self._relabel = np.empty(fitted.k, dtype=int)
        self._relabel[order] = np.arange(fitted.k)

        self.preprocessor_ = pre
        self._fitted = fitted
        self.n_noise_ = fitted.n_noise
        self.fitted_rows_ = len(x_fit)
        self.k_ = fitted.k
        self.scores_ = scores
        chosen = scores.loc[scores["chosen"]].iloc[0]
        self.stability_ari_ = float(chosen["stability_ari"])
        if len(x_fit) == len(frame):
            self.labels_ = self._relabel[fitted.labels]
        else:
            self.labels_ = self._assign(frame)
        self.missing_ = {c: int(frame[c].isna().sum()) for c in pre.used_columns}
        profile_frame, profile_labels = (
            (frame, self.labels_)
            if len(frame) <= self.sample_size
            else (fit_frame, self._assign(fit_frame))
        )
        self.traits_: dict[int, list[Trait]] = cluster_traits(profile_frame, profile_labels, pre)
        self.cluster_labels_: dict[int, str] = cluster_labels(self.traits_)
        self.profile_ = cluster_profile(
            profile_frame, profile_labels, pre, _profile_columns(profile_frame, columns, pre)
        )
        sizes = np.bincount(self.labels_, minlength=self.k_)
        self.profile_["size"] = sizes
        self.profile_["share"] = sizes / len(frame)
        self.profile_.insert(0, "label", [self.cluster_labels_[c] for c in self.profile_.index])
        self.subsegments_ = self._subsegments(x_fit, fit_frame, scores, seed)
        return self

    def _subsegments(
        self, x_fit: np.ndarray, fit_frame: pd.DataFrame, scores: pd.DataFrame, seed: int
    ) -> list[dict[str, Any]]:
        """Category-only splits of the chosen clusters, from the next larger rejected k."""
        if "category_split" not in scores or not self.preprocessor_.categorical:
            return []
        finer = scores[scores["category_split"] & (scores["k"] > self.k_)]
        if finer.empty:
            return []
        split = fit_clusters(x_fit, method=self.method, k=int(finer["k"].min()), seed=seed)
        chosen = self._relabel[self._fitted.labels]
        return category_subsegments(fit_frame, chosen, split.labels, self.preprocessor_)

    def _assign(self, frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(self._relabel[self._fitted.predict(self.preprocessor_.transform(frame))])

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Cluster number (0..k-1) of every row of `frame`."""
        if not hasattr(self, "_fitted"):
            raise NotFittedError("ClusterSegmenter is not fitted; call fit(frame) first")
        missing = [c for c in self.preprocessor_.used_columns if c not in frame.columns]
        if missing:
            raise MissingColumnError("input", missing[0], list(frame.columns))
        return self._assign(frame)

    def fit_predict(self, frame: pd.DataFrame, id_col: str | None = None) -> np.ndarray:
        """Fit on `frame` and return `labels_`."""
        return self.fit(frame, id_col=id_col).labels_

    def label_of(self, clusters: np.ndarray) -> np.ndarray:
        """Plain-word label of each cluster number."""
        if not hasattr(self, "cluster_labels_"):
            raise NotFittedError("ClusterSegmenter is not fitted; call fit(frame) first")
        return np.array([self.cluster_labels_[int(c)] for c in clusters], dtype=object)


# A part of a cluster smaller than this share of it is not reported as a sub-segment.
MIN_SUBSEGMENT_SHARE = 0.1


def category_subsegments(
    frame: pd.DataFrame, chosen: np.ndarray, finer: np.ndarray, pre: Preprocessor
) -> list[dict[str, Any]]:
    """Describe each chosen cluster that a finer solution splits, by the category that splits it.

    For a cluster split into parts (each ≥ 10% of it), the categorical column whose levels best
    predict the part (highest purity: share of rows whose level's majority part is theirs) names
    the split; each level's rows form a sub-segment.
    """
    out: list[dict[str, Any]] = []
    for cluster in np.unique(chosen):
        rows = chosen == cluster
        parts, counts = np.unique(finer[rows], return_counts=True)
        big = parts[counts >= MIN_SUBSEGMENT_SHARE * rows.sum()]
        if len(big) < 2:
            continue
        best: tuple[float, str] | None = None
        for cat in pre.categorical:
            levels = categorical_values(frame[cat.name]).to_numpy()[rows]
            table = pd.crosstab(levels, finer[rows])
            purity = float(table.max(axis=1).sum() / table.to_numpy().sum())
            if best is None or purity > best[0]:
                best = (purity, cat.name)
        if best is None:
            continue
        counts_by_level = categorical_values(frame[best[1]])[rows].value_counts()
        # most common first; equal counts by level, so row order does not matter
        levels = counts_by_level.sort_index().sort_values(ascending=False, kind="stable")
        out.append(
            {
                "cluster": int(cluster),
                "column": best[1],
                "purity": round(best[0], 4),
                "subsegments": [
                    {"level": str(level), "share_of_cluster": round(float(n / rows.sum()), 4)}
                    for level, n in levels.items()
                ],
            }
        )
    return out


def _sample_rows(n: int, size: int, rng: np.random.Generator) -> np.ndarray | None:
    if n <= size:
        return None
    return np.sort(rng.choice(n, size, replace=False))


def _profile_columns(frame: pd.DataFrame, columns: list[str], pre: Preprocessor) -> list[str]:
    used = set(pre.used_columns)
    out = []
    for col in columns:
        if col in used:
            out.append(col)
        elif col in pre.excluded and frame[col].dtype.kind not in "Mm":
            # Many-level categoricals are profiled unless they look like identifiers.
            values = categorical_values(frame[col])
            if values.nunique() <= max(1, len(values) // 2):
                out.append(col)
    return out


__all__ = ["ClusterSegmenter", "FittedClusters"]
