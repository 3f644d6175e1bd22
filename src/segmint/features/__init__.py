"""Point-in-time customer features, written once as Ibis expressions (DuckDB or Spark)."""

from segmint.features.build import FEATURE_TABLES, build_features, compute_features
from segmint.features.catalogue import FEATURE_CATALOGUE, FeatureSpec, feature_catalogue

__all__ = [
    "FEATURE_CATALOGUE",
    "FEATURE_TABLES",
    "FeatureSpec",
    "build_features",
    "compute_features",
    "feature_catalogue",
]
