"""Shifted-beta-geometric retention model for contractual customers (Fader & Hardie 2007)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import hyp2f1
from scipy.stats import chi2

from segmint.errors import InputError, MissingColumnError, ModelFitError
from segmint.scores.clv._base import FittedModel, FloatArray
from segmint.scores.clv._likelihood import sbg_log_churn, sbg_log_survival
from segmint.scores.clv._optimize import MLEResult

DAYS_PER_MONTH = 365.25 / 12.0
# heterogeneity test level: sBG must beat its geometric limit at this level to be used
HETEROGENEITY_TEST_LEVEL = 0.05


class _ContractualValue:
    """CLV from a retention model's DERL; subclasses give discounted_expected_residual_lifetime."""

    def discounted_expected_residual_lifetime(
        self, renewals: FloatArray | int, /, *, discount_rate: float
    ) -> FloatArray:
        """Return the discounted expected residual lifetime (in periods)."""
        raise NotImplementedError

    def contractual_clv(
        self,
        renewals: FloatArray | int,
        /,
        *,
        mrr: FloatArray | float,
        margin: float = 1.0,
        discount_rate: float,
        period_months: float = 1.0,
    ) -> FloatArray:
        """Return CLV = MRR × months per period × margin × DERL (per-period discount rate)."""
        if not 0.0 <= margin <= 1.0:
            raise ValueError("margin must be between 0 and 1")
        derl = self.discounted_expected_residual_lifetime(renewals, discount_rate=discount_rate)
        return np.asarray(np.asarray(mrr, dtype=np.float64) * period_months * margin * derl)


class ShiftedBetaGeometricModel(_ContractualValue, FittedModel):
    """Churn probability per period ~ Beta(alpha, beta), constant for each customer (sBG)."""

    param_names = ("alpha", "beta")

    def fit(self, survivors: FloatArray | list[float], /) -> ShiftedBetaGeometricModel:
        """Fit on one cohort's survivor counts per period (survivors[0] = cohort size); return self."""
        counts = np.asarray(survivors, dtype=np.float64)
        if counts.ndim != 1 or counts.size < 2:
            raise InputError("survivors: need counts for period 0 and at least one more period")
        if np.any(np.diff(counts) > 0) or np.any(counts < 0):
            raise InputError("survivors: counts must be non-negative and never increase")
        periods = np.arange(1, counts.size, dtype=np.float64)
        churned = -np.diff(counts)
        return self.fit_durations(
            np.concatenate([periods, [counts.size - 1.0]]),
            np.concatenate([np.ones(periods.size), [0.0]]),
            weights=np.concatenate([churned, [counts[-1]]]),
        )

    def fit_durations(
        self,
        periods: FloatArray,
        churned: FloatArray,
        /,
        *,
        weights: FloatArray | None = None,
    ) -> ShiftedBetaGeometricModel:
        """Fit on (periods observed, churned flag) per customer or group; return self.

        A churned customer with `periods = t` left in period t (t >= 1, P(T = t)); an active
        one has survived t renewals so far (censored, S(t)).
        """
        t = np.asarray(periods, dtype=np.float64)
        c = np.asarray(churned, dtype=np.float64)
        w = np.ones_like(t) if weights is None else np.asarray(weights, dtype=np.float64)
        if np.any(t[c > 0] < 1):
            raise InputError("a churned customer needs periods >= 1")
        self.geometric_log_likelihood_ = _geometric_log_likelihood(t, c, w)
        self._fit_arrays([t, c, w])
        self.n_customers_ = int(round(float(w.sum())))
        return self

    def _starts(self, data: list[FloatArray], weights: FloatArray) -> list[np.ndarray]:
        return [np.log([1.0, 1.0]), np.log([0.5, 3.0]), np.log([2.0, 0.5])]

    def _loglik_fn(
        self, data: list[FloatArray], weights: FloatArray
    ) -> Callable[[np.ndarray], float]:
        t, c, w = data
        total = weights * w
        churn = c > 0

        def loglik(theta: np.ndarray) -> float:
            alpha, beta = np.exp(theta)
            with np.errstate(all="ignore"):
                ll = np.where(
                    churn, sbg_log_churn(alpha, beta, t), sbg_log_survival(alpha, beta, t)
                )
                return float(np.dot(total, ll))

        return loglik

    def _diagnose(self, params: dict[str, float], result: MLEResult) -> str | None:
        # Scale-free: where the optimiser stops along the alpha, beta → ∞ ridge (1e4 or 1e7)
        # changes the log-likelihood by far less than the test's critical value. The geometric
        # model is the boundary case, so the statistic follows ½χ²₀ + ½χ²₁ (Self & Liang 1987).
        statistic = max(2.0 * (result.log_likelihood - self.geometric_log_likelihood_), 0.0)
        self.heterogeneity_p_value_ = float(0.5 * chi2.sf(statistic, 1)) if statistic > 0 else 0.5
        if self.heterogeneity_p_value_ > HETEROGENEITY_TEST_LEVEL:
            return (
                "churn is the same for every customer: sBG is not better than a geometric model "
                f"(likelihood-ratio p={self.heterogeneity_p_value_:.2g}); use a geometric model"
            )
        return None

    def survival(self, periods: FloatArray | int) -> FloatArray:
        """Return the share of a new cohort still active after `periods` renewals."""
        self._check_usable()
        t = np.asarray(periods, dtype=np.float64)
        return np.exp(sbg_log_survival(self.params_["alpha"], self.params_["beta"], t))

    def retention_rate(self, periods: FloatArray | int) -> FloatArray:
        """Return the retention rate r_t = S(t)/S(t−1) = (beta + t − 1)/(alpha + beta + t − 1)."""
        self._check_usable()
        t = np.asarray(periods, dtype=np.float64)
        a, b = self.params_["alpha"], self.params_["beta"]
        return np.asarray((b + t - 1.0) / (a + b + t - 1.0))

    def discounted_expected_lifetime(self, *, discount_rate: float) -> float:
        """Return DEL: expected discounted number of payments of a new customer (incl. the first)."""
        self._check_usable()
        d = _check_rate(discount_rate)
        a, b = self.params_["alpha"], self.params_["beta"]
        return float(hyp2f1(1.0, b, a + b, 1.0 / (1.0 + d)))

    def discounted_expected_residual_lifetime(
        self, renewals: FloatArray | int, /, *, discount_rate: float
    ) -> FloatArray:
        """Return DERL of an active customer who has made `renewals` renewals so far.

        Fader & Hardie (2010): the expected number of future payments, the next one (renewal
        `renewals + 1`, due now) undiscounted and each later one discounted per period.
        """
        self._check_usable()
        d = _check_rate(discount_rate)
        n = np.asarray(renewals, dtype=np.float64)
        if np.any(n < 0):
            raise ValueError("renewals must be >= 0")
        a, b = self.params_["alpha"], self.params_["beta"]
        return np.asarray(
            (b + n) / (a + b + n) * hyp2f1(1.0, b + n + 1.0, a + b + n + 1.0, 1.0 / (1.0 + d))
        )


class GeometricRetentionModel(_ContractualValue):
    """Constant churn probability per period: the limit of sBG when every customer churns alike.

    Used per plan when the sBG fit finds no heterogeneity (alpha, beta → ∞); churn_probability_
    is the maximum-likelihood estimate churned subscriptions / periods observed.
    """

    def fit_durations(
        self, periods: FloatArray, churned: FloatArray, *, weights: FloatArray | None = None
    ) -> GeometricRetentionModel:
        """Estimate the per-period churn probability from durations (censored when not churned)."""
        w = np.ones_like(periods, dtype=np.float64) if weights is None else np.asarray(weights)
        exposure = float(np.sum(np.asarray(periods, dtype=np.float64) * w))
        if exposure <= 0:
            raise ModelFitError("geometric retention: no periods observed")
        self.churn_probability_ = (
            float(np.sum(np.asarray(churned, dtype=np.float64) * w)) / exposure
        )
        return self

    def discounted_expected_residual_lifetime(
        self, renewals: FloatArray | int, /, *, discount_rate: float
    ) -> FloatArray:
        """Return DERL: (1-p)(1+d)/(d+p), the same for every tenure (no survivor effect)."""
        d = _check_rate(discount_rate)
        p = self.churn_probability_
        n = np.asarray(renewals, dtype=np.float64)
        return np.full(n.shape, (1.0 - p) * (1.0 + d) / (d + p))


def _geometric_log_likelihood(
    periods: FloatArray, churned: FloatArray, weights: FloatArray
) -> float:
    """Return the maximised log-likelihood of a constant churn probability (sBG's limit)."""
    exposure = float(np.dot(weights, periods))
    leavers = float(np.dot(weights, churned > 0))
    if leavers <= 0 or leavers >= exposure:
        return 0.0  # p = 0 or p = 1: every observation has probability one
    p = leavers / exposure
    return float(leavers * np.log(p) + (exposure - leavers) * np.log1p(-p))


def _check_rate(discount_rate: float) -> float:
    if not discount_rate > 0:
        raise ValueError("discount_rate must be > 0 (per period)")
    return float(discount_rate)


def annual_to_period_rate(annual_rate: float, *, period_months: float = 1.0) -> float:
    """Return the per-period discount rate equivalent to an annual one."""
    return float((1.0 + annual_rate) ** (period_months / 12.0) - 1.0)


def subscription_durations(
    subscriptions: pd.DataFrame,
    /,
    *,
    as_of: date | datetime | str,
    period_months: float = 1.0,
) -> pd.DataFrame:
    """Return per subscription: plan, renewals survived (whole periods) and whether it ended.

    Subscriptions started after `as_of` are dropped; an end after `as_of` counts as active.
    An ended subscription has periods = the number of periods it paid for (it left at that
    renewal; ended within the first period → 1); an active one the renewals it survived.
    """
    for column in ("customer_id", "started_at", "mrr"):
        if column not in subscriptions.columns:
            raise MissingColumnError("subscriptions", column, list(subscriptions.columns))
    cutoff = pd.Timestamp(as_of)
    started = pd.to_datetime(subscriptions["started_at"], errors="coerce")
    ended = (
        pd.to_datetime(subscriptions["ended_at"], errors="coerce")
        if "ended_at" in subscriptions.columns
        else pd.Series(pd.NaT, index=subscriptions.index)
    )
    keep = started.notna() & (started <= cutoff)
    if not keep.any():
        raise InputError(f"subscriptions: none started on or before {cutoff.date()}")
    started, ended = started[keep], ended[keep]
    churned = ended.notna() & (ended <= cutoff)
    stop = ended.where(churned, cutoff)
    days = (stop - started).dt.total_seconds().to_numpy() / 86_400.0
    elapsed = np.maximum(days, 0.0) / (DAYS_PER_MONTH * period_months)
    # an ended subscription paid ceil(elapsed) periods and then did not renew (T = that
    # count, at least 1); an active one has survived floor(elapsed) renewals so far
    periods = np.where(
        churned.to_numpy(), np.maximum(np.ceil(elapsed - 1e-9), 1.0), np.floor(elapsed)
    )
    plan = (
        subscriptions.loc[keep, "plan"].astype(str).to_numpy()
        if "plan" in subscriptions.columns
        else np.full(int(keep.sum()), "all")
    )
    return pd.DataFrame(
        {
            "customer_id": subscriptions.loc[keep, "customer_id"].astype(str).to_numpy(),
            "plan": plan,
            "mrr": pd.to_numeric(subscriptions.loc[keep, "mrr"], errors="coerce").to_numpy(float),
            "periods": periods,
            "churned": churned.to_numpy(),
        }
    )


RetentionModel = ShiftedBetaGeometricModel | GeometricRetentionModel


def fit_sbg_by_plan(
    subscriptions: pd.DataFrame,
    /,
    *,
    as_of: date | datetime | str,
    period_months: float = 1.0,
    min_customers: int = 20,
    random_state: int = 0,
) -> dict[str, RetentionModel | str]:
    """Return an sBG model per plan fitted on period survival counts (or the reason it failed).

    A plan whose customers all churn alike gets the geometric model sBG reduces to.
    """
    durations = subscription_durations(subscriptions, as_of=as_of, period_months=period_months)
    out: dict[str, RetentionModel | str] = {}
    for plan, group in durations.groupby("plan", sort=True):
        if len(group) < min_customers:
            out[str(plan)] = f"only {len(group)} subscriptions (< {min_customers})"
            continue
        counts = group.groupby(["periods", "churned"]).size().reset_index(name="n")
        model = ShiftedBetaGeometricModel(random_state=random_state)
        try:
            model.fit_durations(
                counts["periods"].to_numpy(float),
                counts["churned"].to_numpy(float),
                weights=counts["n"].to_numpy(float),
            )
        except (ModelFitError, InputError) as exc:
            out[str(plan)] = str(exc)
            continue
        if model.diagnosis_ is not None and "geometric" in str(model.diagnosis_):
            out[str(plan)] = GeometricRetentionModel().fit_durations(
                counts["periods"].to_numpy(float),
                counts["churned"].to_numpy(float),
                weights=counts["n"].to_numpy(float),
            )
            continue
        out[str(plan)] = model if model.diagnosis_ is None else str(model.diagnosis_)
    return out


def contractual_clv_frame(
    subscriptions: pd.DataFrame,
    /,
    *,
    as_of: date | datetime | str,
    margin: float = 1.0,
    discount_rate: float = 0.1,
    period_months: float = 1.0,
    min_customers: int = 20,
) -> pd.DataFrame:
    """Return per active subscription: plan, renewals, DERL and contractual CLV (annual rate)."""
    models = fit_sbg_by_plan(
        subscriptions, as_of=as_of, period_months=period_months, min_customers=min_customers
    )
    durations = subscription_durations(subscriptions, as_of=as_of, period_months=period_months)
    active = durations[~durations["churned"]].copy()
    rate = annual_to_period_rate(discount_rate, period_months=period_months)
    derl = np.full(len(active), np.nan)
    clv = np.full(len(active), np.nan)
    notes: list[Any] = [None] * len(active)
    for plan, idx in active.groupby("plan").indices.items():
        model = models.get(str(plan), "no model for this plan")
        if isinstance(model, str):
            for i in idx:
                notes[i] = model
            continue
        renewals = active["periods"].to_numpy()[idx]
        derl[idx] = model.discounted_expected_residual_lifetime(renewals, discount_rate=rate)
        clv[idx] = model.contractual_clv(
            renewals,
            mrr=active["mrr"].to_numpy()[idx],
            margin=margin,
            discount_rate=rate,
            period_months=period_months,
        )
    active["derl_periods"] = derl
    active["contractual_clv"] = clv
    active["note"] = notes
    return active.drop(columns=["churned"]).reset_index(drop=True)
