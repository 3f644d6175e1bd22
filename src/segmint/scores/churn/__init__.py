"""Churn: leak-free labels, point-in-time training sets, calibrated models, metrics and explanations."""

from segmint.scores.churn.bands import RISK_BANDS, risk_band
from segmint.scores.churn.evaluate import evaluate_churn_table
from segmint.scores.churn.explain import explain_rows
from segmint.scores.churn.labels import (
    LabelError,
    map_churn_labels,
    purchase_churn_labels,
    subscription_churn_labels,
)
from segmint.scores.churn.metrics import calibration_table, churn_metrics, top_decile_lift
from segmint.scores.churn.model import ChurnModel
from segmint.scores.churn.training import build_churn_training_set
from segmint.scores.churn.workflow import churn_cutoffs, score_churn, train_churn_model

__all__ = [
    "RISK_BANDS",
    "ChurnModel",
    "LabelError",
    "build_churn_training_set",
    "calibration_table",
    "churn_cutoffs",
    "churn_metrics",
    "evaluate_churn_table",
    "explain_rows",
    "map_churn_labels",
    "purchase_churn_labels",
    "risk_band",
    "score_churn",
    "subscription_churn_labels",
    "top_decile_lift",
    "train_churn_model",
]
