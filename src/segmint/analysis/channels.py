"""Response to marketing touches per segment and channel (or campaign), and each customer's best channel.

A touch converts when converted_at falls on a day in [sent day, sent day + window]; without a
converted_at column, when the customer buys (amount > 0) in that window. Touches whose window is
still open at as_of are `pending`: left out of every rate, never counted as failures. All rates are
observational: who is sent what is chosen by marketers, so differences are not effects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from segmint.analysis.stats import benjamini_hochberg, two_proportion_ztest, wilson_interval
from segmint.engine import trimmed
from segmint.errors import InputError

BY: tuple[str, ...] = ("channel", "campaign")
NO_OFFER: tuple[str, ...] = ("", "0", "false", "no", "n", "none", "null", "nan", "없음")
UNDETERMINED = "undetermined"
TOO_FEW_TOUCHES = "too_few_touches"  # the key counting customers whose preferred_channel is null
MONTE_CARLO_DRAWS = 4000
OBSERVATIONAL_NOTE = (
    "observational rates: who received which touch was chosen, not randomised, so differences "
    "between channels or segments are not effects; run an experiment to learn what works"
)


@dataclass(frozen=True)
class ChannelOptions:
    """The conversion window and the preferred-channel rule."""

    window_days: int = 7
    min_touches: int = 5
    preferred_probability: float = 0.8
    fatigue_days: int = 30


def touch_outcomes(
    tables: dict[str, ir.Table], *, as_of: datetime, options: ChannelOptions
) -> pd.DataFrame:
    """Return one row per touch: customer_id, sent_at, channel, campaign, opened, clicked, converted,
    revenue (purchases in the window), pending, and earlier_touches (in the fatigue window)."""
    touches = tables.get("touches")
    if touches is None:
        raise InputError(
            "the workspace has no touches: add a source with `table: touches` (customer_id, "
            "sent_at, channel) and run `segmint ingest`"
        )
    as_of_ts = pd.Timestamp(as_of)
    window = ibis.interval(days=options.window_days + 1)  # the last window day counts whole
    base = touches.filter(touches.sent_at < as_of_ts)
    sent_day = base.sent_at.truncate("D")
    columns = set(base.columns)
    base = base.mutate(
        _touch_id=ibis.row_number().over(
            ibis.window(
                order_by=[base.customer_id, base.sent_at, base.channel]
                + ([base._line] if "_line" in columns else [])
            )
        ),
        _sent_day=sent_day,
        _window_end=sent_day + window,
        campaign=base.campaign if "campaign" in columns else ibis.null("string"),
        opened=base.opened_at.notnull() if "opened_at" in columns else ibis.null("boolean"),
        clicked=base.clicked_at.notnull() if "clicked_at" in columns else ibis.null("boolean"),
        offer=_carries_offer(base.offer) if "offer" in columns else ibis.null("boolean"),
    )
    base = base.mutate(pending=base._window_end > as_of_ts)
    transactions = tables.get("transactions")
    revenue = None
    if transactions is not None:
        joined = base.select("_touch_id", "customer_id", "_sent_day", "_window_end").join(
            transactions, "customer_id"
        )
        bought = joined.filter(
            (joined.occurred_at >= joined._sent_day)
            & (joined.occurred_at < joined._window_end)
            & (joined.amount > 0)
        )
        revenue = bought.group_by("_touch_id").aggregate(
            revenue=bought.amount.cast("decimal(18, 2)").sum(), bought=ibis.literal(True)
        )
    if "converted_at" in columns:
        converted = base.converted_at.notnull() & (base.converted_at < base._window_end)
        base = base.mutate(converted=converted)
    elif transactions is None:
        raise InputError(
            "touches have no converted_at and the workspace has no transactions: "
            "nothing tells whether a touch converted"
        )
    if revenue is not None:
        base = base.left_join(revenue, "_touch_id").drop("_touch_id_right")
        if "converted" not in base.columns:
            base = base.mutate(converted=base.bought.fill_null(False))
        base = base.mutate(revenue=base.revenue.fill_null(0))
    else:
        base = base.mutate(revenue=ibis.null("decimal(18, 2)"))
    # Touches the customer received in the fatigue window before this one.
    earlier = ibis.window(
        group_by=base.customer_id,
        order_by=base.sent_at,
        range=(-ibis.interval(days=options.fatigue_days), 0),
    )
    base = base.mutate(earlier_touches=base._touch_id.count().over(earlier) - 1)
    frame = base.select(
        "customer_id", "sent_at", "channel", "campaign", "opened", "clicked", "converted",
        "revenue", "pending", "earlier_touches", "offer",
    ).execute()  # fmt: skip
    frame["customer_id"] = frame["customer_id"].astype(str)
    frame["revenue"] = frame["revenue"].astype(float)
    return frame.sort_values(["customer_id", "sent_at", "channel"], ignore_index=True)


def _carries_offer(offer: ir.Value) -> ir.BooleanValue:
    """Return whether a touch's `offer` names one (a code or a flag; blank, 0, no, none: not)."""
    code = trimmed(offer.cast("string")).lower().fill_null("")
    return ~code.isin(NO_OFFER)


def _rate(
    numerator: int, denominator: int, p_adjusted: float | None = None
) -> dict[str, Any] | None:
    if denominator == 0:
        return None
    low, high = wilson_interval(numerator, denominator)
    return {
        "value": numerator / denominator,
        "numerator": int(numerator),
        "denominator": int(denominator),
        "ci_low": low,
        "ci_high": high,
        "p_value_adjusted": p_adjusted,
    }


RATES: tuple[tuple[str, str], ...] = (
    ("open_rate", "opened"),
    ("click_rate", "clicked"),
    ("conversion_rate", "converted"),
)


def channel_rates(
    outcomes: pd.DataFrame, labels: pd.DataFrame, *, by: str, segments: list[str]
) -> list[dict[str, Any]]:
    """Return per segment the rows of rates per channel (or campaign), tested against other segments."""
    if by not in BY:
        raise InputError(f"--by: unknown value {by!r}; allowed: {', '.join(BY)}")
    done = outcomes[~outcomes["pending"]].merge(labels, on="customer_id", how="inner")
    done = done[done[by].notna()]
    keys = sorted(done[by].astype(str).unique())
    rows: list[tuple[str, dict[str, Any]]] = []
    tests: dict[str, list[float | None]] = {name: [] for name, _ in RATES}
    for segment in segments:
        mine = done[done["segment"] == segment]
        for key in keys:
            here = mine[mine[by].astype(str) == key]
            rest = done[(done["segment"] != segment) & (done[by].astype(str) == key)]
            if here.empty:
                continue
            row: dict[str, Any] = {
                by: key,
                "touches": len(here),
                "customers_reached": int(here["customer_id"].nunique()),
                "revenue_per_touch": float(here["revenue"].sum() / len(here))
                if here["revenue"].notna().any()
                else None,
            }
            for name, column in RATES:
                known, rest_known = here[column].notna(), rest[column].notna()
                k, n = int(here.loc[known, column].sum()), int(known.sum())
                rk, rn = int(rest.loc[rest_known, column].sum()), int(rest_known.sum())
                row[name] = _rate(k, n)
                p = two_proportion_ztest(k, n, rk, rn).p_value if n and rn else math.nan
                tests[name].append(p if math.isfinite(p) else None)  # untestable: not counted
            rows.append((segment, row))
    for name, _ in RATES:
        adjusted = benjamini_hochberg(tests[name])
        for (_segment, row), p_adjusted in zip(rows, adjusted, strict=True):
            if row[name] is not None:
                row[name]["p_value_adjusted"] = p_adjusted
    out = []
    for segment in segments:
        out.append(
            {
                "segment": segment,
                "customers": int((labels["segment"] == segment).sum()),
                "rows": [row for s, row in rows if s == segment],
            }
        )
    return out


def fatigue_table(outcomes: pd.DataFrame, *, fatigue_days: int) -> list[dict[str, Any]]:
    """Return the conversion rate by the number of touches received in the previous days."""
    done = outcomes[~outcomes["pending"] & outcomes["converted"].notna()]
    bands = [(0, 0, "0"), (1, 1, "1"), (2, 3, "2–3"), (4, 6, "4–6"), (7, 10**9, "7+")]
    out = []
    for low, high, label in bands:
        here = done[(done["earlier_touches"] >= low) & (done["earlier_touches"] <= high)]
        if here.empty:
            continue
        rate = _rate(int(here["converted"].sum()), len(here))
        out.append({"earlier_touches": label, "days": fatigue_days, "conversion_rate": rate})
    return out


def preferred_channels(
    outcomes: pd.DataFrame, labels: pd.DataFrame, *, options: ChannelOptions, seed: int
) -> pd.DataFrame:
    """Return customer_id, preferred_channel, probability_best: empirical-Bayes shrunk conversion.

    For each segment and channel a beta prior is fitted to the customers' conversion counts (method
    of moments, beta-binomial); each customer's posterior per channel is drawn (seeded Monte Carlo)
    and the channel that is best in at least `preferred_probability` of draws is named. Customers
    with fewer than `min_touches` decided touches get null; the others without a clear winner get
    `undetermined`.
    """
    done = outcomes[~outcomes["pending"] & outcomes["converted"].notna()]
    done = done.merge(labels, on="customer_id", how="left")
    done["segment"] = done["segment"].fillna("(none)")
    counts = (
        done.groupby(["customer_id", "segment", "channel"], sort=True)["converted"]
        .agg(["sum", "count"])
        .reset_index()
    )
    segment_rates = done.groupby("segment")["converted"].agg(["sum", "count"])
    priors = {
        (seg, ch): _beta_prior(
            group["sum"].to_numpy(float),
            group["count"].to_numpy(float),
            fallback=_segment_rate(segment_rates, str(seg)),
        )
        for (seg, ch), group in counts.groupby(["segment", "channel"], sort=True)
    }
    totals = counts.groupby("customer_id")["count"].sum()
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str | None, float | None]] = []
    for customer_key, group in counts.groupby("customer_id", sort=True):
        customer_id = str(customer_key)
        if totals[customer_id] < options.min_touches:
            rows.append((customer_id, None, None))
            continue
        channels = group["channel"].astype(str).tolist()
        if len(channels) == 1:
            rows.append((customer_id, UNDETERMINED, None))  # nothing to compare it with
            continue
        draws = np.column_stack(
            [
                rng.beta(
                    priors[(seg, ch)][0] + float(k),
                    priors[(seg, ch)][1] + float(n) - float(k),
                    MONTE_CARLO_DRAWS,
                )
                for seg, ch, k, n in group[["segment", "channel", "sum", "count"]].itertuples(
                    index=False
                )
            ]
        )
        share = np.bincount(draws.argmax(axis=1), minlength=len(channels)) / MONTE_CARLO_DRAWS
        best = int(share.argmax())
        name = channels[best] if share[best] >= options.preferred_probability else UNDETERMINED
        rows.append((customer_id, name, float(share[best])))
    return pd.DataFrame(rows, columns=["customer_id", "preferred_channel", "probability_best"])


# When a segment × channel has too few customers (or no spread beyond chance) to fit a prior,
# the segment's overall rate is used, worth this many touches: one lucky touch cannot outweigh it.
FALLBACK_PRIOR_TOUCHES = 20.0


def _segment_rate(rates: pd.DataFrame, segment: str) -> float:
    k = float(rates["sum"].to_dict()[segment])
    n = float(rates["count"].to_dict()[segment])
    return (k + 0.5) / (n + 1.0)


def _beta_prior(
    successes: np.ndarray, trials: np.ndarray, *, fallback: float
) -> tuple[float, float]:
    """Return (alpha, beta) fitted by moments to per-customer rates (beta-binomial).

    Falls back to the segment's rate with FALLBACK_PRIOR_TOUCHES of weight when it cannot be fitted.
    """
    rates = successes / trials
    weights = trials / trials.sum()
    mean = float((weights * rates).sum())
    var = float((weights * (rates - mean) ** 2).sum())
    binomial = mean * (1 - mean) * float((weights / trials).sum())
    excess = var - binomial
    if len(rates) < 3 or excess <= 0 or not 0 < mean < 1:
        return FALLBACK_PRIOR_TOUCHES * fallback, FALLBACK_PRIOR_TOUCHES * (1 - fallback)
    strength = max(mean * (1 - mean) / excess - 1, 0.5)
    return mean * strength, (1 - mean) * strength


BACKTEST_DAYS = 30
BACKTEST_RESAMPLES = 1000


def preferred_channel_backtest(
    outcomes: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    as_of: datetime,
    options: ChannelOptions,
    seed: int,
    days: int = BACKTEST_DAYS,
) -> dict[str, Any] | None:
    """Return how touches on the preferred channel converted in the `days` after a cut-off,
    against touches on each customer's most-sent channel, with a seeded bootstrap interval.

    The cut-off leaves room for the test touches' windows to close before as_of; preferences are
    learned only from touches whose window closed before the cut-off. None without test touches.
    """
    cut = pd.Timestamp(as_of) - pd.Timedelta(days=days + options.window_days + 1)
    window_end = outcomes["sent_at"].dt.normalize() + pd.Timedelta(days=options.window_days + 1)
    train = outcomes[(window_end <= cut) & outcomes["converted"].notna()]
    test = outcomes[
        (outcomes["sent_at"] >= cut)
        & (outcomes["sent_at"] < cut + pd.Timedelta(days=days))
        & ~outcomes["pending"]
        & outcomes["converted"].notna()
    ]
    if train.empty or test.empty:
        return None
    preferred = preferred_channels(train.assign(pending=False), labels, options=options, seed=seed)
    named = preferred[
        ~preferred["preferred_channel"].isin([UNDETERMINED])
        & preferred["preferred_channel"].notna()
    ]
    counts = train.groupby(["customer_id", "channel"]).size().rename("n").reset_index()
    counts = counts.sort_values(["customer_id", "n", "channel"], ascending=[True, False, True])
    most_sent = counts.drop_duplicates("customer_id").set_index("customer_id")["channel"]
    rules = named.set_index("customer_id")["preferred_channel"].to_frame("model")
    rules["most_sent"] = most_sent.reindex(rules.index)
    test = test[test["customer_id"].isin(rules.index)]
    per_customer = []
    for rule in ("model", "most_sent"):
        chosen = test.merge(rules[[rule]], left_on="customer_id", right_index=True)
        chosen = chosen[chosen["channel"].astype(str) == chosen[rule].astype(str)]
        sums = chosen.groupby("customer_id")["converted"].agg(["sum", "count"])
        per_customer.append(sums.reindex(rules.index, fill_value=0))
    model, naive = per_customer
    if model["count"].sum() == 0 or naive["count"].sum() == 0:
        return None
    rng = np.random.default_rng(seed)
    n = len(rules)
    idx = rng.integers(0, n, size=(BACKTEST_RESAMPLES, n))
    mk, mn = model["sum"].to_numpy(float), model["count"].to_numpy(float)
    nk, nn = naive["sum"].to_numpy(float), naive["count"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        diffs = mk[idx].sum(1) / mn[idx].sum(1) - nk[idx].sum(1) / nn[idx].sum(1)
    diffs = diffs[np.isfinite(diffs)]
    low, high = np.quantile(diffs, [0.025, 0.975]) if len(diffs) else (math.nan, math.nan)
    model_rate = _rate(int(mk.sum()), int(mn.sum()))
    naive_rate = _rate(int(nk.sum()), int(nn.sum()))
    assert model_rate is not None and naive_rate is not None
    return {
        "cut_off": cut.isoformat(),
        "days": days,
        "customers": n,
        "preferred_channel": model_rate,
        "most_sent_channel": naive_rate,
        "difference": model_rate["value"] - naive_rate["value"],
        "ci_low": float(low),
        "ci_high": float(high),
    }


def channels_analysis(
    tables: dict[str, ir.Table],
    labels: pd.DataFrame,
    *,
    as_of: datetime,
    by: str,
    segments: list[str],
    options: ChannelOptions,
    seed: int,
) -> dict[str, Any]:
    """Return the channels payload: rates per segment × channel, pending, fatigue, preferred channels."""
    if by not in BY:
        raise InputError(f"--by: unknown value {by!r}; allowed: {', '.join(BY)}")
    outcomes = touch_outcomes(tables, as_of=as_of, options=options)
    preferred = preferred_channels(outcomes, labels, options=options, seed=seed)
    counts = preferred["preferred_channel"].fillna(TOO_FEW_TOUCHES).value_counts()
    return {
        "by": by,
        "window_days": options.window_days,
        "touches": int(len(outcomes)),
        "pending_touches": int(outcomes["pending"].sum()),
        "note": OBSERVATIONAL_NOTE,
        "segments": channel_rates(outcomes, labels, by=by, segments=segments),
        "fatigue": fatigue_table(outcomes, fatigue_days=options.fatigue_days),
        "backtest": preferred_channel_backtest(
            outcomes, labels, as_of=as_of, options=options, seed=seed
        ),
        "preferred_channel": {str(k): int(v) for k, v in sorted(counts.items())},
        "preferred_probability": options.preferred_probability,
        "min_touches": options.min_touches,
        "customers": preferred.to_dict(orient="records"),
    }


__all__ = [
    "BY",
    "OBSERVATIONAL_NOTE",
    "TOO_FEW_TOUCHES",
    "UNDETERMINED",
    "ChannelOptions",
    "channel_rates",
    "channels_analysis",
    "fatigue_table",
    "preferred_channel_backtest",
    "preferred_channels",
    "touch_outcomes",
]
