"""discover(): cluster a customer table and describe the clusters (the service behind `segmint discover`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from segmint.segments.clustering.ids import detect_id_column
from segmint.segments.clustering.labels import cluster_labels
from segmint.segments.clustering.model import ClusterSegmenter


@dataclass
class DiscoveryResult:
    """A fitted cluster solution: row assignments plus what was chosen and why."""

    assignments: pd.DataFrame
    segmenter: ClusterSegmenter
    id_col: str | None

    @property
    def k(self) -> int:
        """Number of clusters."""
        return int(self.segmenter.k_)

    @property
    def scores(self) -> pd.DataFrame:
        """The table of criteria per candidate k that k was chosen from."""
        return self.segmenter.scores_

    def clusters(self, lang: str = "en") -> list[dict[str, Any]]:
        """One dict per cluster: number, label (in `lang`), size, share and its traits."""
        seg = self.segmenter
        sizes = np.bincount(seg.labels_, minlength=seg.k_)
        total = int(sizes.sum())
        labels = seg.cluster_labels_ if lang == "en" else cluster_labels(seg.traits_, lang=lang)
        return [
            {
                "cluster": c,
                "label": labels[c],
                "size": int(sizes[c]),
                "share": round(float(sizes[c]) / total, 4),
                "traits": [t.to_dict() for t in seg.traits_[c][:5]],
            }
            for c in range(seg.k_)
        ]

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """JSON-ready summary: k, method, scores per k, stability, clusters, preprocessing, missing."""
        seg = self.segmenter
        scores = self.scores.replace({np.nan: None})
        return {
            "k": self.k,
            "method": seg.method,
            "k_selection": "auto" if seg.k == "auto" and seg.method != "hdbscan" else "fixed",
            "scores": {
                str(row["k"]): {
                    key: (None if row[key] is None else round(float(row[key]), 4))
                    for key in (
                        "silhouette",
                        "calinski_harabasz",
                        "davies_bouldin",
                        "stability_ari",
                        "numeric_silhouette_min",
                        "mean_rank",
                    )
                    if key in row
                }
                | {
                    "acceptable": bool(row["acceptable"]),
                    "category_split": bool(row.get("category_split", False)),
                    "chosen": bool(row["chosen"]),
                }
                for _, row in scores.iterrows()
            },
            "stability_ari": None if np.isnan(seg.stability_ari_) else round(seg.stability_ari_, 4),
            "rows": int(len(seg.labels_)),
            "fitted_rows": int(seg.fitted_rows_),
            "noise_points_reassigned": int(seg.n_noise_),
            "clusters": self.clusters(lang),
            "subsegments": list(getattr(seg, "subsegments_", [])),
            "preprocessing": seg.preprocessor_.report(),
            "missing": dict(seg.missing_),
        }


def discover(
    frame: pd.DataFrame,
    *,
    id_col: str | None = None,
    features: Sequence[str] | None = None,
    k: int | str = "auto",
    method: str = "kmeans",
    seed: int = 0,
    k_range: tuple[int, int] = (2, 10),
    sample_size: int = 20000,
    n_bootstrap: int = 10,
) -> DiscoveryResult:
    """Cluster the customers in `frame` and return assignments (id, cluster, cluster_label) and the solution."""
    if id_col is None:
        id_col = detect_id_column(frame)
    segmenter = ClusterSegmenter(
        features=features,
        k=k,
        method=method,
        k_range=k_range,
        sample_size=sample_size,
        n_bootstrap=n_bootstrap,
        random_state=seed,
    ).fit(frame, id_col=id_col)
    assignments = pd.DataFrame(
        {
            "cluster": segmenter.labels_.astype(int),
            "cluster_label": segmenter.label_of(segmenter.labels_),
        },
        index=frame.index,
    )
    if id_col is not None:
        assignments.insert(0, id_col, frame[id_col].to_numpy())
    return DiscoveryResult(assignments.reset_index(drop=True), segmenter, id_col)
