"""segmint: customer segmentation you can act on.

The public Python API is `__all__`; names load lazily so that `import segmint` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # one export in, everything out
    "analyze_file": "segmint.analyze",
    # ingestion
    "ReadOptions": "segmint.sources",
    "IngestResult": "segmint.sources",
    "read_source": "segmint.sources",
    "read_table": "segmint.sources",
    "read_database_table": "segmint.sources",
    "quality_report": "segmint.sources",
    # features
    "build_features": "segmint.features",
    "compute_features": "segmint.features",
    "feature_catalogue": "segmint.features",
    # scores
    "RFMSegmenter": "segmint.segments.rfm",
    "rfm_table": "segmint.segments.rfm",
    "BetaGeoModel": "segmint.scores.clv",
    "ParetoNBDModel": "segmint.scores.clv",
    "ModifiedBetaGeoModel": "segmint.scores.clv",
    "GammaGammaModel": "segmint.scores.clv",
    "ShiftedBetaGeometricModel": "segmint.scores.clv",
    "rfm_summary": "segmint.scores.clv",
    "score_customers": "segmint.scores.clv",
    "evaluate_clv": "segmint.scores.clv",
    "ChurnModel": "segmint.scores.churn",
    "evaluate_churn_table": "segmint.scores.churn",
    "HealthScorer": "segmint.scores.health",
    "health_backtest": "segmint.scores.health_backtest",
    "ICPScorer": "segmint.scores.icp",
    "ICPSimilarityModel": "segmint.scores.icp_similarity",
    "CrossSellRecommender": "segmint.scores.propensity",
    "next_plan_propensity": "segmint.scores.propensity",
    # segments
    "Scheme": "segmint.segments.schemes",
    "SegmentRule": "segmint.segments.schemes",
    "Tag": "segmint.segments.schemes",
    "RuleSegmenter": "segmint.segments.schemes",
    "assign_scheme": "segmint.segments.schemes",
    "assign_tags": "segmint.segments.schemes",
    "parse_rule": "segmint.segments.rules",
    "compile_rule": "segmint.segments.rules",
    "TierAssigner": "segmint.segments.tiers",
    "ClusterSegmenter": "segmint.segments.clustering",
    "discover": "segmint.segments.clustering",
    "persona_cards": "segmint.segments.personas",
    "validate_segments": "segmint.segments.validation",
    # workspace
    "load_config": "segmint.config",
    "open_store": "segmint.store",
    "load_latest_features": "segmint.workspace",
    # errors
    "SegmintError": "segmint.errors",
    "ConfigError": "segmint.errors",
    "InputError": "segmint.errors",
    "NotFittedError": "segmint.errors",
    "ModelFitError": "segmint.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'segmint' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
