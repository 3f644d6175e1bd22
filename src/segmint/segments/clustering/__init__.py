"""Discovery by clustering: preprocessing, k selection, stability, labels and the discover() service."""

from __future__ import annotations

from segmint.segments.clustering.labels import Trait, human_name
from segmint.segments.clustering.model import ClusterSegmenter
from segmint.segments.clustering.preprocess import Preprocessor
from segmint.segments.clustering.service import DiscoveryResult, detect_id_column, discover

__all__ = [
    "ClusterSegmenter",
    "DiscoveryResult",
    "Preprocessor",
    "Trait",
    "detect_id_column",
    "discover",
    "human_name",
]
