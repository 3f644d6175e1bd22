"""Modified BG/NBD (Batislam, Denizel & Filiztekin 2007): customers may drop out at time 0."""

from __future__ import annotations

import numpy as np
from scipy.special import hyp2f1

from segmint.scores.clv._base import FloatArray
from segmint.scores.clv._likelihood import mbgnbd_loglik
from segmint.scores.clv._optimize import MLEResult
from segmint.scores.clv._transaction_model import Params, TransactionModel
from segmint.scores.clv.bgnbd import _rate_starts, no_dropout_diagnosis


class ModifiedBetaGeoModel(TransactionModel):
    """MBG/NBD: like BG/NBD, but one-time buyers can also have dropped out after their purchase."""

    param_names = ("r", "alpha", "a", "b")

    def _starts(self, data: list[FloatArray], weights: FloatArray) -> list[np.ndarray]:
        x, _, T = data
        return [
            np.log([r, _rate_starts(x, T, weights, r), a, b])
            for r, a, b in ((0.5, 1.0, 2.0), (1.0, 0.5, 5.0), (0.25, 2.0, 1.0))
        ]

    def _diagnose(self, params: dict[str, float], result: MLEResult) -> str | None:
        return no_dropout_diagnosis(params["a"], params["b"])

    @staticmethod
    def _ll(p: Params, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        return mbgnbd_loglik(p["r"], p["alpha"], p["a"], p["b"], x, t_x, T)

    @staticmethod
    def _p_alive(p: Params, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
        log_ratio = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        return np.asarray(1.0 / (1.0 + np.exp(log_ratio)))

    @staticmethod
    def _conditional(
        p: Params, t: float, x: FloatArray, t_x: FloatArray, T: FloatArray
    ) -> FloatArray:
        r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
        z = t / (alpha + T + t)
        hyp = hyp2f1(r + x, b + x + 1.0, a + b + x, z)
        growth = 1.0 - np.exp((r + x) * np.log1p(-z)) * hyp
        return (a + b + x) / (a - 1.0) * growth * ModifiedBetaGeoModel._p_alive(p, x, t_x, T)

    @staticmethod
    def _unconditional(p: Params, t: FloatArray) -> FloatArray:
        r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
        hyp = hyp2f1(r, b + 1.0, a + b - 1.0, t / (alpha + t))
        return (b + a - 1.0) / (a - 1.0) * (1.0 - hyp * (alpha / (alpha + t)) ** r)
