"""BG/NBD model (Fader, Hardie & Lee 2005): Poisson purchases, drop-out after each purchase."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import hyp2f1

from segmint.scores.clv._base import FloatArray
from segmint.scores.clv._likelihood import bgnbd_loglik, bgnbd_loglik_grad
from segmint.scores.clv._optimize import MLEResult
from segmint.scores.clv._transaction_model import Params, TransactionModel


def _rate_starts(x: FloatArray, T: FloatArray, w: FloatArray, r: float) -> float:
    """Return alpha so that r/alpha matches the mean repeat purchase rate (per week)."""
    rate = max(float(np.dot(w, x) / max(np.dot(w, T), 1e-9)), 1e-4)
    return r / rate


def no_dropout_diagnosis(a: float, b: float) -> str | None:
    """Return a diagnosis when the beta drop-out distribution collapses to 'never drop out'."""
    if a < 1e-4 or b > 1e5 or a / (a + b) < 1e-5:
        return (
            f"no detectable dropout: the drop-out chance per purchase a/(a+b) → 0 "
            f"(a={a:.3g}, b={b:.3g}, a/(a+b)={a / (a + b):.2g}); the data show no sign of "
            "customers leaving, so P(alive) would be 1 for everyone"
        )
    return None


class BetaGeoModel(TransactionModel):
    """BG/NBD: purchase rate ~ Gamma(r, alpha), drop-out probability ~ Beta(a, b)."""

    param_names = ("r", "alpha", "a", "b")

    def _starts(self, data: list[FloatArray], weights: FloatArray) -> list[np.ndarray]:
        x, _, T = data
        starts = []
        for r, a, b in ((0.5, 1.0, 2.0), (1.0, 0.5, 5.0), (0.25, 2.0, 1.0)):
            starts.append(np.log([r, _rate_starts(x, T, weights, r), a, b]))
        return starts

    def _diagnose(self, params: dict[str, float], result: MLEResult) -> str | None:
        return no_dropout_diagnosis(params["a"], params["b"])

    def _grad_fn(
        self, data: list[FloatArray], weights: FloatArray
    ) -> Callable[[np.ndarray], np.ndarray]:
        x, t_x, T = data

        def grad(theta: np.ndarray) -> np.ndarray:
            params = np.exp(theta)
            with np.errstate(all="ignore"):
                g = np.dot(
                    weights,
                    bgnbd_loglik_grad(params[0], params[1], params[2], params[3], x, t_x, T),
                )
            return np.asarray(g * params)  # chain rule for log-parameters

        return grad

    @staticmethod
    def _ll(p: Params, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        return bgnbd_loglik(p["r"], p["alpha"], p["a"], p["b"], x, t_x, T)

    @staticmethod
    def _p_alive(p: Params, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
        log_ratio = (
            np.log(a)
            - np.log(np.maximum(b + x - 1.0, 1e-300))
            + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        )
        return np.where(x > 0, 1.0 / (1.0 + np.exp(log_ratio)), 1.0)

    @staticmethod
    def _conditional(
        p: Params, t: float, x: FloatArray, t_x: FloatArray, T: FloatArray
    ) -> FloatArray:
        r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
        z = t / (alpha + T + t)
        hyp = hyp2f1(r + x, b + x, a + b + x - 1.0, z)
        growth = 1.0 - np.exp((r + x) * np.log1p(-z)) * hyp
        numerator = (a + b + x - 1.0) / (a - 1.0) * growth
        return numerator * BetaGeoModel._p_alive(p, x, t_x, T)

    @staticmethod
    def _unconditional(p: Params, t: FloatArray) -> FloatArray:
        r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
        z = t / (alpha + t)
        hyp = hyp2f1(r, b, a + b - 1.0, z)
        return (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * hyp)
