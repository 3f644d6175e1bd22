"""Gamma-Gamma model of average transaction value (Fader, Hardie & Lee 2005; Colombo & Jiang 1999)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from segmint.errors import InputError, ModelFitError
from segmint.scores.clv._base import FittedModel, FloatArray, batches, rfm_arrays
from segmint.scores.clv._likelihood import gamma_gamma_loglik, gamma_gamma_loglik_grad
from segmint.scores.clv._optimize import MLEResult

SPEND_COLUMNS = ("frequency", "monetary_value")


class GammaGammaModel(FittedModel):
    """Spend per transaction ~ Gamma(p, nu), nu ~ Gamma(q, gamma); fitted on repeat customers."""

    param_names = ("p", "q", "gamma")

    def fit(self, summary: pd.DataFrame, /) -> GammaGammaModel:
        """Fit on customers with frequency > 0 and monetary_value > 0; return self."""
        x, m = rfm_arrays(summary, SPEND_COLUMNS)
        keep = (x > 0) & (m > 0)
        if keep.sum() < 2:
            raise ModelFitError("GammaGammaModel: fewer than 2 repeat customers with spend > 0")
        self._fit_arrays([x[keep], m[keep]])
        self.n_excluded_ = int((~keep).sum())
        return self

    def _starts(self, data: list[FloatArray], weights: FloatArray) -> list[np.ndarray]:
        _, m = data
        mean = float(np.dot(weights, m) / weights.sum())
        return [
            np.log([p, q, (q - 1.0) * mean / p]) for p, q in ((2.0, 3.0), (6.0, 4.0), (1.0, 2.0))
        ]

    def _loglik_fn(
        self, data: list[FloatArray], weights: FloatArray
    ) -> Callable[[np.ndarray], float]:
        x, m = data

        def loglik(theta: np.ndarray) -> float:
            p, q, g = np.exp(theta)
            with np.errstate(all="ignore"):
                return float(np.dot(weights, gamma_gamma_loglik(p, q, g, x, m)))

        return loglik

    def _grad_fn(
        self, data: list[FloatArray], weights: FloatArray
    ) -> Callable[[np.ndarray], np.ndarray]:
        x, m = data

        def grad(theta: np.ndarray) -> np.ndarray:
            params = np.exp(theta)
            with np.errstate(all="ignore"):
                g = np.dot(weights, gamma_gamma_loglik_grad(params[0], params[1], params[2], x, m))
            return np.asarray(g * params)

        return grad

    def _diagnose(self, params: dict[str, float], result: MLEResult) -> str | None:
        if params["q"] <= 1.0:
            return (
                f"q={params['q']:.3g} <= 1: the mean spend per customer is not finite under this "
                "fit (very heavy-tailed spend); use the observed average instead"
            )
        return None

    def expected_average_value(self, summary: pd.DataFrame, /) -> FloatArray:
        """Return each customer's expected spend per transaction (population mean if x = 0)."""
        self._check_usable()
        x, m = rfm_arrays(summary, SPEND_COLUMNS)
        return self._expected(self.params_, x, m)

    def _expected(self, params: dict[str, float], x: FloatArray, m: FloatArray) -> FloatArray:
        p, q, g = params["p"], params["q"], params["gamma"]
        out = np.empty(x.size)
        for part in batches(x.size):
            xs, ms = x[part], m[part]
            has = (xs > 0) & (ms > 0)
            out[part] = np.where(has, p * (g + xs * ms) / (p * xs + q - 1.0), p * g / (q - 1.0))
        return out

    def expected_average_value_draws(
        self, summary: pd.DataFrame, draws: list[dict[str, float]]
    ) -> list[FloatArray]:
        """Return expected average values under each parameter draw (for intervals)."""
        x, m = rfm_arrays(summary, SPEND_COLUMNS)
        return [self._expected(d, x, m) for d in draws]

    def population_mean(self) -> float:
        """Return the expected spend per transaction of a new customer, p·gamma/(q−1)."""
        self._check_usable()
        p, q, g = self.params_["p"], self.params_["q"], self.params_["gamma"]
        if q <= 1:
            raise InputError("population mean undefined for q <= 1")
        return p * g / (q - 1.0)
