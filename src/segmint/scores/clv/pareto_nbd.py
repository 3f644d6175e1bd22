"""Pareto/NBD model (Schmittlein, Morrison & Colombo 1987) with a stable likelihood."""

from __future__ import annotations

import numpy as np

from segmint.scores.clv._base import FloatArray
from segmint.scores.clv._likelihood import pareto_log_a0, pareto_nbd_loglik
from segmint.scores.clv._optimize import MLEResult
from segmint.scores.clv._transaction_model import Params, TransactionModel
from segmint.scores.clv.bgnbd import _rate_starts


def _growth(s: float, t: float | FloatArray, base: FloatArray) -> FloatArray:
    """Return [1 - (base/(base+t))^(s-1)] / (s-1), continuous at s = 1 (log limit)."""
    log_ratio = np.log1p(t / base)
    if abs(s - 1.0) < 1e-8:
        return np.asarray(log_ratio)
    return np.asarray(-np.expm1(-(s - 1.0) * log_ratio) / (s - 1.0))


class ParetoNBDModel(TransactionModel):
    """Pareto/NBD: purchase rate ~ Gamma(r, alpha), exponential lifetime with rate ~ Gamma(s, beta)."""

    param_names = ("r", "alpha", "s", "beta")

    def _starts(self, data: list[FloatArray], weights: FloatArray) -> list[np.ndarray]:
        x, _, T = data
        mean_t = float(np.dot(weights, T) / weights.sum())
        return [
            np.log([r, _rate_starts(x, T, weights, r), s, beta * max(mean_t, 1.0)])
            for r, s, beta in ((0.5, 0.5, 0.5), (1.0, 1.0, 1.0), (0.25, 2.0, 4.0))
        ]

    def _diagnose(self, params: dict[str, float], result: MLEResult) -> str | None:
        s, beta = params["s"], params["beta"]
        if s / beta < 1e-7 or s < 1e-4:
            return (
                f"no detectable dropout: s/beta→0 (s={s:.3g}, beta={beta:.3g}); the data show no "
                "sign of customers leaving"
            )
        return None

    @staticmethod
    def _ll(p: Params, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        return pareto_nbd_loglik(p["r"], p["alpha"], p["s"], p["beta"], x, t_x, T)

    @staticmethod
    def _p_alive(p: Params, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        r, alpha, s, beta = p["r"], p["alpha"], p["s"], p["beta"]
        log_a0 = pareto_log_a0(r, alpha, s, beta, x, t_x, T)
        log_ratio = (
            np.log(s)
            - np.log(r + s + x)
            + (r + x) * np.log(alpha + T)
            + s * np.log(beta + T)
            + log_a0
        )
        return np.asarray(1.0 / (1.0 + np.exp(log_ratio)))

    @staticmethod
    def _conditional(
        p: Params, t: float, x: FloatArray, t_x: FloatArray, T: FloatArray
    ) -> FloatArray:
        r, alpha, s, beta = p["r"], p["alpha"], p["s"], p["beta"]
        rate = (r + x) * (beta + T) / (alpha + T)
        return np.asarray(rate * _growth(s, t, beta + T) * ParetoNBDModel._p_alive(p, x, t_x, T))

    @staticmethod
    def _unconditional(p: Params, t: FloatArray) -> FloatArray:
        r, alpha, s, beta = p["r"], p["alpha"], p["s"], p["beta"]
        return np.asarray(r / alpha * beta * _growth(s, t, np.asarray(beta)))
