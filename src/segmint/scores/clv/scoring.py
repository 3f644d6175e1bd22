"""Per-customer CLV scores as of a date: P(alive), expected purchases, average value, CLV."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from segmint.errors import InputError, ModelFitError
from segmint.scores.clv._transaction_model import TransactionModel
from segmint.scores.clv.evaluate import BTYD_MODELS
from segmint.scores.clv.gamma_gamma import GammaGammaModel
from segmint.scores.clv.summary import rfm_summary

MODEL_CHOICES = ("auto", *BTYD_MODELS)
INTERVAL_CELLS = 10_000_000


def select_model(
    summary: pd.DataFrame, /, *, model: str = "auto", seed: int = 0
) -> tuple[str, TransactionModel, dict[str, str]]:
    """Return (name, fitted model, diagnoses of rejected candidates).

    "auto" fits BG/NBD, Pareto/NBD and MBG/NBD and keeps the usable fit with the highest
    in-sample log-likelihood (all have four parameters and the same data, so this equals
    choosing by AIC or BIC). A degenerate fit is never chosen.
    """
    if model not in MODEL_CHOICES:
        raise ValueError(f"model must be one of {', '.join(MODEL_CHOICES)}; got {model!r}")
    names = list(BTYD_MODELS) if model == "auto" else [model]
    best: tuple[str, TransactionModel] | None = None
    rejected: dict[str, str] = {}
    for name in names:
        candidate = BTYD_MODELS[name](random_state=seed)
        try:
            candidate.fit(summary)
        except ModelFitError as exc:
            rejected[name] = str(exc)
            continue
        if candidate.diagnosis_ is not None:
            rejected[name] = candidate.diagnosis_
        elif best is None or candidate.log_likelihood_ > best[1].log_likelihood_:
            best = (name, candidate)
    if best is None:
        reasons = "; ".join(f"{n}: {d}" for n, d in rejected.items())
        raise ModelFitError(f"no usable CLV model ({reasons})")
    return best[0], best[1], rejected


def score_customers(
    transactions: pd.DataFrame,
    /,
    *,
    as_of: date | datetime | str,
    horizon_days: int = 90,
    clv_horizon_days: int = 365,
    discount_rate: float = 0.1,
    margin: float = 1.0,
    model: str = "auto",
    intervals: bool = True,
    level: float = 0.9,
    n_draws: int = 50,
    seed: int = 0,
) -> pd.DataFrame:
    """Return per customer: p_alive, expected_purchases_{h}d, expected_avg_value, clv_{H}d.

    Transactions after `as_of` are ignored. The spend model is Gamma-Gamma; when it cannot
    be fitted, a customer's observed mean spend per purchase day is used instead. With
    `intervals`, `*_low`/`*_high` columns give a `level` interval from `n_draws` seeded draws
    of the parameters from their asymptotic normal (inverse Hessian) distribution: the
    uncertainty of the expected value, not the spread of the realised purchases.
    """
    if not 0.0 < level < 1.0:
        raise ValueError("level must be between 0 and 1")
    if horizon_days <= 0 or clv_horizon_days <= 0:
        raise ValueError("horizon_days and clv_horizon_days must be positive")
    summary = rfm_summary(transactions, calibration_end=as_of)
    if summary.empty:
        raise InputError(f"no transactions on or before {pd.Timestamp(as_of).date()}")
    name, fitted, rejected = select_model(summary, model=model, seed=seed)
    spend = GammaGammaModel(random_state=seed)
    spend_note = ""
    try:
        spend.fit(summary)
        spend_ok = spend.diagnosis_ is None
        spend_note = spend.diagnosis_ or ""
    except ModelFitError as exc:
        spend_ok, spend_note = False, str(exc)
    if spend_ok:
        avg_value = spend.expected_average_value(summary)
    else:
        avg_value = _observed_mean_spend(transactions, summary, as_of)
    weeks = horizon_days / 7.0
    purchase_col, clv_col = f"expected_purchases_{horizon_days}d", f"clv_{clv_horizon_days}d"
    out = pd.DataFrame({"customer_id": summary["customer_id"].astype(str)})
    out["p_alive"] = fitted.p_alive(summary)
    out[purchase_col] = fitted.expected_purchases(summary, t=weeks)
    out["expected_avg_value"] = avg_value
    discounted = fitted.discounted_purchases(
        summary, horizon_days=clv_horizon_days, discount_rate=discount_rate
    )
    out[clv_col] = discounted * avg_value * margin
    if intervals and fitted.covariance_ is not None:
        draws = fitted.param_draws(n_draws, seed=seed)
        spend_draws = (
            spend.param_draws(n_draws, seed=seed + 1)
            if spend_ok and spend.covariance_ is not None
            else None
        )
        tail = (1.0 - level) / 2.0
        bounds = np.empty((4, len(summary)))
        # chunks keep n_draws × rows of draws in memory at most (~INTERVAL_CELLS floats)
        step = max(1, INTERVAL_CELLS // max(n_draws, 1))
        for start in range(0, len(summary), step):
            part = summary.iloc[start : start + step]
            values = (
                spend.expected_average_value_draws(part, spend_draws)
                if spend_draws is not None
                else [avg_value[start : start + step]] * n_draws
            )
            purchases = np.stack(
                [fitted.expected_purchases_at(part, t=weeks, params=p) for p in draws]
            )
            clv = np.stack(
                [
                    fitted.discounted_purchases(
                        part, horizon_days=clv_horizon_days, discount_rate=discount_rate, params=p
                    )
                    * v
                    * margin
                    for p, v in zip(draws, values, strict=True)
                ]
            )
            chunk = slice(start, start + len(part))
            bounds[0:2, chunk] = np.quantile(purchases, [tail, 1.0 - tail], axis=0)
            bounds[2:4, chunk] = np.quantile(clv, [tail, 1.0 - tail], axis=0)
        out[f"{purchase_col}_low"], out[f"{purchase_col}_high"] = bounds[0], bounds[1]
        out[f"{clv_col}_low"], out[f"{clv_col}_high"] = bounds[2], bounds[3]
    out.attrs["clv_model"] = name
    out.attrs["clv_params"] = dict(fitted.params_)
    out.attrs["clv_rejected"] = rejected
    out.attrs["spend_model"] = "gamma_gamma" if spend_ok else f"observed mean ({spend_note})"
    return out


def _observed_mean_spend(
    transactions: pd.DataFrame, summary: pd.DataFrame, as_of: date | datetime | str
) -> np.ndarray:
    """Return each customer's mean spend per purchase day up to as_of."""
    stamp = pd.to_datetime(transactions["occurred_at"])
    amount = pd.to_numeric(transactions["amount"], errors="coerce")
    sel = (stamp < pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)) & ~(amount < 0)
    frame = pd.DataFrame(
        {
            "customer_id": transactions.loc[sel, "customer_id"].astype(str),
            "day": stamp[sel].dt.normalize(),
            "amount": pd.to_numeric(transactions.loc[sel, "amount"], errors="coerce"),
        }
    )
    per_day = frame.groupby(["customer_id", "day"], sort=False)["amount"].sum()
    mean = per_day.groupby(level=0).mean()
    return mean.reindex(summary["customer_id"].astype(str)).fillna(0.0).to_numpy(float)
