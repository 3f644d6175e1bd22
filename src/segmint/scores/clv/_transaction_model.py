"""Base class of the non-contractual transaction models (BG/NBD, Pareto/NBD, MBG/NBD)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.stats import chi2

from segmint.errors import InputError, ModelFitError
from segmint.scores.clv._base import (
    WEEKS_PER_YEAR,
    FittedModel,
    FloatArray,
    batches,
    compress_rows,
    interval_from_draws,
    rfm_arrays,
    unique_rows,
)
from segmint.scores.clv._likelihood import nbd_loglik
from segmint.scores.clv._optimize import maximize_loglik

RFM_COLUMNS = ("frequency", "recency", "T")
# significance level of the likelihood-ratio test "is there any drop-out at all?"
DROPOUT_TEST_LEVEL = 0.05
Params = dict[str, float]


def _fmt(params: Params) -> str:
    return ", ".join(f"{k}={v:.3g}" for k, v in params.items())


def horizon_in_weeks(horizon_weeks: float | None, horizon_days: float | None) -> float:
    """Return a horizon given in weeks or days (exactly one) as weeks."""
    if (horizon_weeks is None) == (horizon_days is None):
        raise ValueError("give exactly one of horizon_weeks or horizon_days")
    weeks = float(horizon_weeks) if horizon_weeks is not None else float(horizon_days or 0) / 7.0
    if not weeks > 0:
        raise ValueError("the horizon must be positive")
    return weeks


class TransactionModel(FittedModel):
    """A BTYD purchase-count model fitted on an RFM summary (frequency, recency, T in weeks)."""

    # -- formulas supplied by each model ---------------------------------------------------
    @staticmethod
    def _ll(p: Params, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        raise NotImplementedError

    @staticmethod
    def _p_alive(p: Params, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        raise NotImplementedError

    @staticmethod
    def _conditional(
        p: Params, t: float, x: FloatArray, t_x: FloatArray, T: FloatArray
    ) -> FloatArray:
        raise NotImplementedError

    @staticmethod
    def _unconditional(p: Params, t: FloatArray) -> FloatArray:
        raise NotImplementedError

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, summary: pd.DataFrame, /) -> TransactionModel:
        """Fit by maximum likelihood on an RFM summary; return self."""
        x, t_x, T = rfm_arrays(summary, RFM_COLUMNS)
        if np.any(t_x > T + 1e-9):
            raise InputError("rfm summary: recency must not exceed T")
        if np.any(np.abs(x - np.round(x)) > 1e-9):
            raise InputError("rfm summary: frequency must be whole numbers of repeat purchases")
        if x.size == 0:
            raise ModelFitError(f"{type(self).__name__}: no customers to fit")
        # one pass over the customers: the fit and the drop-out test share the distinct rows
        (ux, utx, uT), weights = compress_rows(x, t_x, T)
        self._fit_weighted([ux, utx, uT], weights)
        self._test_dropout(ux, uT, weights)
        return self

    def _test_dropout(self, x: FloatArray, T: FloatArray, weights: FloatArray) -> None:
        """Compare with the no-drop-out NBD limit; flag the fit when drop-out is not detectable.

        The NBD is the boundary case (a→0, or s→0) of these models, so the likelihood-ratio
        statistic follows ½χ²₀ + ½χ²₁ under "nobody drops out" (Self & Liang 1987).
        """
        (ux, uT), _, group = unique_rows(x, T)
        w = np.bincount(group, weights=weights, minlength=ux.size)

        def loglik(theta: np.ndarray) -> float:
            r, alpha = np.exp(theta)
            with np.errstate(all="ignore"):
                return float(np.dot(w, nbd_loglik(r, alpha, ux, uT)))

        start = np.log([1.0, max(float(np.dot(w, uT) / max(np.dot(w, ux), 1e-9)), 1e-3)])
        nbd = maximize_loglik(loglik, [start], scale=float(w.sum()))
        statistic = max(2.0 * (self.log_likelihood_ - nbd.log_likelihood), 0.0)
        self.nbd_log_likelihood_ = nbd.log_likelihood
        self.dropout_p_value_ = float(0.5 * chi2.sf(statistic, 1)) if statistic > 0 else 0.5
        already = self.diagnosis_ is not None and "no detectable dropout" in self.diagnosis_
        if not already and self.dropout_p_value_ > DROPOUT_TEST_LEVEL:
            # the most useful explanation of a boundary or flat fit when drop-out is undetectable
            self.diagnosis_ = (
                "no detectable dropout: the fit is not better than one where nobody ever drops "
                f"out (likelihood-ratio p={self.dropout_p_value_:.2g} > {DROPOUT_TEST_LEVEL}; "
                f"params {_fmt(self.params_)}); P(alive) is not identified from this data"
            )
            self.converged_ = False
            if self.on_degenerate == "raise":
                raise ModelFitError(f"{type(self).__name__}: {self.diagnosis_}")

    def _loglik_fn(
        self, data: list[FloatArray], weights: FloatArray
    ) -> Callable[[np.ndarray], float]:
        x, t_x, T = data
        names = self.param_names
        ll = self._ll

        def loglik(theta: np.ndarray) -> float:
            params = dict(zip(names, np.exp(theta).tolist(), strict=True))
            with np.errstate(all="ignore"):
                return float(np.dot(weights, ll(params, x, t_x, T)))

        return loglik

    # -- predictions -------------------------------------------------------------------------
    def _apply(
        self,
        summary: pd.DataFrame,
        fn: Callable[[Params, FloatArray, FloatArray, FloatArray], FloatArray],
        params: Params | None = None,
    ) -> FloatArray:
        x, t_x, T = rfm_arrays(summary, RFM_COLUMNS)
        p = self.params_ if params is None else params
        # predictions depend on (x, t_x, T) only: compute once per distinct row
        (ux, utx, uT), _, inverse = unique_rows(x, t_x, T)
        out = np.empty(ux.size)
        for part in batches(ux.size):
            with np.errstate(all="ignore"):
                out[part] = fn(p, ux[part], utx[part], uT[part])
        return out[inverse]

    def p_alive(self, summary: pd.DataFrame, /) -> FloatArray:
        """Return each customer's probability of still being active at the end of T."""
        self._check_usable()
        return self._apply(summary, self._p_alive)

    def expected_purchases(self, summary: pd.DataFrame, /, *, t: float) -> FloatArray:
        """Return each customer's expected number of purchases in the next `t` weeks."""
        self._check_usable()
        horizon = float(t)
        return self._apply(summary, lambda p, x, tx, T: self._conditional(p, horizon, x, tx, T))

    def expected_purchases_at(
        self, summary: pd.DataFrame, /, *, t: float, params: Params
    ) -> FloatArray:
        """Return expected purchases in the next `t` weeks under given parameters (for draws)."""
        self._check_usable()
        horizon = float(t)
        return self._apply(
            summary, lambda q, x, tx, T: self._conditional(q, horizon, x, tx, T), params
        )

    def expected_purchases_new(self, t: float | FloatArray) -> FloatArray:
        """Return the expected purchases of a new customer within `t` weeks of the first."""
        self._check_usable()
        return np.asarray(self._unconditional(self.params_, np.asarray(t, dtype=np.float64)))

    def expected_purchases_interval(
        self,
        summary: pd.DataFrame,
        /,
        *,
        t: float,
        level: float = 0.9,
        n_draws: int = 100,
        seed: int = 0,
    ) -> tuple[FloatArray, FloatArray]:
        """Return (lower, upper) of expected purchases over parameter draws from the covariance."""
        draws = self.param_draws(n_draws, seed=seed)
        horizon = float(t)
        return interval_from_draws(
            lambda p: self._apply(
                summary, lambda q, x, tx, T: self._conditional(q, horizon, x, tx, T), p
            ),
            draws,
            level,
        )

    def discounted_purchases(
        self,
        summary: pd.DataFrame,
        /,
        *,
        horizon_weeks: float | None = None,
        horizon_days: float | None = None,
        discount_rate: float = 0.1,
        params: Params | None = None,
    ) -> FloatArray:
        """Return expected purchases over the horizon, each discounted at an annual rate.

        The horizon is cut in monthly steps (at least one); purchases expected in a step are
        discounted to today from the step's end: (1 + discount_rate) ** -(weeks / 52.18).
        """
        self._check_usable()
        if discount_rate < 0:
            raise ValueError("discount_rate must be >= 0")
        weeks = horizon_in_weeks(horizon_weeks, horizon_days)
        steps = max(1, int(np.ceil(weeks / (WEEKS_PER_YEAR / 12.0) - 1e-9)))
        grid = weeks * np.arange(1, steps + 1) / steps
        factors = (1.0 + discount_rate) ** (-grid / WEEKS_PER_YEAR)
        conditional = self._conditional

        def fn(p: Params, x: FloatArray, tx: FloatArray, T: FloatArray) -> FloatArray:
            total = np.zeros(x.size)
            previous = np.zeros(x.size)
            for g, factor in zip(grid, factors, strict=True):
                current = conditional(p, float(g), x, tx, T)
                total += (current - previous) * factor
                previous = current
            return total

        return self._apply(summary, fn, params)

    def clv(
        self,
        summary: pd.DataFrame,
        /,
        *,
        average_value: FloatArray | float,
        horizon_weeks: float | None = None,
        horizon_days: float | None = None,
        discount_rate: float = 0.1,
        margin: float = 1.0,
    ) -> FloatArray:
        """Return CLV = margin × expected average value × discounted expected purchases."""
        if not 0.0 <= margin <= 1.0:
            raise ValueError("margin must be between 0 and 1")
        purchases = self.discounted_purchases(
            summary,
            horizon_weeks=horizon_weeks,
            horizon_days=horizon_days,
            discount_rate=discount_rate,
        )
        return np.asarray(purchases * np.asarray(average_value, dtype=np.float64) * margin)
