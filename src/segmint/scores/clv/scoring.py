"""Per-customer CLV scores as of a date: P(alive), expected purchases, average value, CLV."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from segmint.errors import InputError, ModelFitError
from segmint.scores.clv._transaction_model import TransactionModel
from segmint.scores.clv.evaluate import BTYD_MODELS
from segmint.scores.clv.gamma_gamma import GammaGammaModel
from segmint.scores.clv.nbd import P_ALIVE_NOT_IDENTIFIABLE, NBDModel
from segmint.scores.clv.summary import check_transactions, rfm_summary

MODEL_CHOICES = ("auto", *BTYD_MODELS)
INTERVAL_CELLS = 10_000_000
# below this estimated share of customers gone by as_of, a drop-out model's P(alive) is ~1 for all
MIN_DROPOUT_SHARE = 0.01
NON_POSITIVE_NOTE = "net spend <= 0 (refunds cancel purchases): CLV set to 0"


def select_model(
    summary: pd.DataFrame, /, *, model: str = "auto", seed: int = 0
) -> tuple[str, TransactionModel, dict[str, str]]:
    """Return (name, fitted model, diagnoses of rejected candidates).

    "auto" fits BG/NBD, Pareto/NBD and MBG/NBD and keeps the usable fit with the highest
    in-sample log-likelihood (all have four parameters and the same data, so this equals
    choosing by AIC or BIC). A degenerate fit is never chosen, nor one whose drop-out is
    negligible (fewer than MIN_DROPOUT_SHARE of customers estimated to have left): its P(alive)
    would be ~1 for everyone, including customers silent for a year. Then the forecast comes
    from the NBD, the no-drop-out limit of all three models ("nbd"), and P(alive) is NaN: it
    is never refused for lack of drop-out.
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
            continue
        dropped = 1.0 - float(np.nanmean(candidate.p_alive(summary)))
        if dropped < MIN_DROPOUT_SHARE:
            rejected[name] = (
                f"negligible dropout: only {dropped:.2%} of customers are estimated to have "
                f"left (< {MIN_DROPOUT_SHARE:.0%}), so P(alive) would be ~1 for everyone"
            )
        elif best is None or candidate.log_likelihood_ > best[1].log_likelihood_:
            best = (name, candidate)
    if best is not None:
        return best[0], best[1], rejected
    fallback = NBDModel(random_state=seed)
    try:
        fallback.fit(summary)
    except ModelFitError as exc:
        rejected["nbd"] = str(exc)
    usable = "nbd" not in rejected and all(np.isfinite(list(fallback.params_.values())))
    if not usable:
        reasons = "; ".join(f"{n}: {d}" for n, d in rejected.items())
        raise ModelFitError(f"no usable CLV model ({reasons})")
    if fallback.diagnosis_ is not None:
        # r or alpha at a bound is the Poisson limit (no rate heterogeneity): still a forecast
        rejected["nbd"] = f"used despite: {fallback.diagnosis_}"
        fallback.diagnosis_ = None
    return "nbd", fallback, rejected


def fallback_note(rejected: dict[str, str]) -> str:
    """Return the one-line explanation shown when the NBD replaced the drop-out models."""
    reasons = {d.split(":")[0] for d in rejected.values()}
    why = (
        "no drop-out is detectable in this data"
        if reasons <= {"no detectable dropout", "negligible dropout"}
        else "no drop-out model could be fitted"
    )
    return (
        f"CLV forecast from the NBD model (purchase rates without drop-out) because {why}; "
        f"{P_ALIVE_NOT_IDENTIFIABLE}."
    )


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

    Transactions after `as_of` are ignored; amounts >= 0 are purchases, while refunds
    (negative amounts) scale CLV by the customer's kept share of spend (`kept_share`): net
    spend <= 0 gives a CLV of 0, with the reason in `clv_note`. When drop-out is not
    detectable the NBD forecasts and `p_alive` is NaN (see `select_model`). The spend model
    is Gamma-Gamma; when it cannot be fitted, a customer's observed mean spend per purchase
    day is used instead. With
    `intervals`, `*_low`/`*_high` columns give a `level` interval from `n_draws` seeded draws
    of the parameters from their asymptotic normal (inverse Hessian) distribution: the
    uncertainty of the expected value, not the spread of the realised purchases.
    """
    if not 0.0 < level < 1.0:
        raise ValueError("level must be between 0 and 1")
    if horizon_days <= 0 or clv_horizon_days <= 0:
        raise ValueError("horizon_days and clv_horizon_days must be positive")
    check_transactions(transactions)
    amounts = pd.to_numeric(transactions["amount"], errors="coerce")
    # refunds (negative amounts) are not purchases; they only lower the kept share below
    purchase_rows = transactions[amounts >= 0]
    summary = rfm_summary(purchase_rows, calibration_end=as_of)
    if summary.empty:
        raise InputError(f"no purchases on or before {pd.Timestamp(as_of).date()}")
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
        avg_value = _observed_mean_spend(purchase_rows, summary, as_of)
    weeks = horizon_days / 7.0
    purchase_col, clv_col = f"expected_purchases_{horizon_days}d", f"clv_{clv_horizon_days}d"
    out = pd.DataFrame({"customer_id": summary["customer_id"].astype(str)})
    out["p_alive"] = fitted.p_alive(summary)
    out[purchase_col] = fitted.expected_purchases(summary, t=weeks)
    out["expected_avg_value"] = avg_value
    discounted = fitted.discounted_purchases(
        summary, horizon_days=clv_horizon_days, discount_rate=discount_rate
    )
    kept = kept_share(transactions, summary["customer_id"], as_of)
    out[clv_col] = discounted * avg_value * margin * kept
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
                    * kept[start : start + len(part)]
                    for p, v in zip(draws, values, strict=True)
                ]
            )
            chunk = slice(start, start + len(part))
            bounds[0:2, chunk] = np.quantile(purchases, [tail, 1.0 - tail], axis=0)
            bounds[2:4, chunk] = np.quantile(clv, [tail, 1.0 - tail], axis=0)
        out[f"{purchase_col}_low"], out[f"{purchase_col}_high"] = bounds[0], bounds[1]
        out[f"{clv_col}_low"], out[f"{clv_col}_high"] = bounds[2], bounds[3]
    alive_note = "p_alive not identifiable (NBD forecast)" if name == "nbd" else ""
    out["clv_note"] = [
        "; ".join(n for n in (alive_note, NON_POSITIVE_NOTE if k <= 0 else "") if n) or None
        for k in kept
    ]
    out.attrs["clv_model"] = name
    out.attrs["clv_note"] = fallback_note(rejected) if name == "nbd" else ""
    out.attrs["clv_non_positive_spend"] = int((kept <= 0).sum())
    out.attrs["clv_params"] = dict(fitted.params_)
    out.attrs["clv_rejected"] = rejected
    out.attrs["spend_model"] = "gamma_gamma" if spend_ok else f"observed mean ({spend_note})"
    return out


def kept_share(
    transactions: pd.DataFrame, customer_ids: pd.Series, as_of: date | datetime | str
) -> np.ndarray:
    """Return per customer net spend / gross purchases up to as_of, clipped to [0, 1].

    Refunds lower the value a customer is expected to keep: CLV is scaled by this share, and a
    customer whose refunds cancel all purchases (net spend <= 0) gets a CLV of 0.
    """
    stamp = pd.to_datetime(transactions["occurred_at"])
    amount = pd.to_numeric(transactions["amount"], errors="coerce").fillna(0.0)
    sel = stamp < pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    ids = transactions.loc[sel, "customer_id"].astype(str)
    net = amount[sel].groupby(ids).sum()
    gross = amount[sel].clip(lower=0).groupby(ids).sum()
    keys = customer_ids.astype(str)
    # rounded to cents: float sums of refunds that cancel purchases leave ±1e-14, not 0
    net_v = net.reindex(keys).fillna(0.0).round(2).to_numpy(float)
    gross_v = gross.reindex(keys).fillna(0.0).round(2).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(gross_v > 0, net_v / gross_v, 0.0)
    return np.asarray(np.clip(share, 0.0, 1.0) + 0.0)  # + 0.0 turns -0.0 into 0.0


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
