"""Customer lifetime value: BTYD models (BG/NBD, Pareto/NBD, MBG/NBD, NBD, Gamma-Gamma), sBG, backtests."""

from segmint.scores.clv.bgnbd import BetaGeoModel
from segmint.scores.clv.evaluate import evaluate_clv, forecast_errors
from segmint.scores.clv.gamma_gamma import GammaGammaModel
from segmint.scores.clv.mbgnbd import ModifiedBetaGeoModel
from segmint.scores.clv.nbd import NBDModel
from segmint.scores.clv.pareto_nbd import ParetoNBDModel
from segmint.scores.clv.sbg import (
    ShiftedBetaGeometricModel,
    annual_to_period_rate,
    contractual_clv_frame,
    fit_sbg_by_plan,
    subscription_durations,
)
from segmint.scores.clv.scoring import score_customers, select_model
from segmint.scores.clv.summary import rfm_summary
from segmint.scores.clv.supervised import SupervisedPurchaseModel

__all__ = [
    "BetaGeoModel",
    "GammaGammaModel",
    "ModifiedBetaGeoModel",
    "NBDModel",
    "ParetoNBDModel",
    "ShiftedBetaGeometricModel",
    "SupervisedPurchaseModel",
    "annual_to_period_rate",
    "contractual_clv_frame",
    "evaluate_clv",
    "fit_sbg_by_plan",
    "forecast_errors",
    "rfm_summary",
    "score_customers",
    "select_model",
    "subscription_durations",
]
