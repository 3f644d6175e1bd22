"""Experiments inside segments: deterministic assignment and GrowthBook-compatible analysis."""

from segmint.analysis.experiments.analysis import AnalysisOptions, analyze_units
from segmint.analysis.experiments.assignment import (
    Variants,
    assign_variants,
    bucket,
    parse_variants,
)
from segmint.analysis.experiments.from_files import analyze_files
from segmint.analysis.experiments.power import minimum_detectable_effect, power_of
from segmint.analysis.experiments.srm import SRM_THRESHOLD, srm_p_value
from segmint.analysis.experiments.workspace import (
    analyze_experiment,
    assign_experiment,
    list_experiments,
)

__all__ = [
    "SRM_THRESHOLD",
    "AnalysisOptions",
    "Variants",
    "analyze_experiment",
    "analyze_files",
    "analyze_units",
    "assign_experiment",
    "assign_variants",
    "bucket",
    "list_experiments",
    "minimum_detectable_effect",
    "parse_variants",
    "power_of",
    "srm_p_value",
]
