"""NBD (Ehrenberg 1959): gamma-Poisson purchase rates and nobody drops out — the BTYD forecast
to use when drop-out is not detectable, the common limit of BG/NBD, MBG/NBD and Pareto/NBD."""

from __future__ import annotations

import numpy as np

from segmint.scores.clv._base import FloatArray
from segmint.scores.clv._likelihood import nbd_loglik
from segmint.scores.clv._transaction_model import Params, TransactionModel
from segmint.scores.clv.bgnbd import _rate_starts

P_ALIVE_NOT_IDENTIFIABLE = (
    "P(alive) is not identifiable: the data do not separate customers who left from customers "
    "who buy rarely, so it is left empty (not 1.0)"
)


class NBDModel(TransactionModel):
    """NBD: purchase rate ~ Gamma(r, alpha), no drop-out; P(alive) is not defined (NaN)."""

    param_names = ("r", "alpha")

    def _starts(self, data: list[FloatArray], weights: FloatArray) -> list[np.ndarray]:
        x, _, T = data
        return [np.log([r, _rate_starts(x, T, weights, r)]) for r in (0.5, 1.0, 0.25)]

    def _test_dropout(self, x: FloatArray, T: FloatArray, weights: FloatArray) -> None:
        """The NBD is the no-drop-out model itself: there is nothing to test."""

    @staticmethod
    def _ll(p: Params, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        return nbd_loglik(p["r"], p["alpha"], x, T)

    @staticmethod
    def _p_alive(p: Params, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        return np.full(x.shape, np.nan)

    @staticmethod
    def _conditional(
        p: Params, t: float, x: FloatArray, t_x: FloatArray, T: FloatArray
    ) -> FloatArray:
        # posterior mean rate (r + x) / (alpha + T), constant over the horizon
        return np.asarray((p["r"] + x) / (p["alpha"] + T) * t)

    @staticmethod
    def _unconditional(p: Params, t: FloatArray) -> FloatArray:
        return np.asarray(p["r"] / p["alpha"] * t)
