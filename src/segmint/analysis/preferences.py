"""What each segment buys: category shares and lift, per-customer preferences, basket affinities."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from ibis.expr import types as ir

from segmint.analysis.memtables import engine_memtable
from segmint.analysis.stats import RatioMoments, benjamini_hochberg, ratio_ztest
from segmint.engine import trimmed
from segmint.errors import InputError
from segmint.features.transactions import visible_transactions

LEVELS: tuple[str, ...] = ("category", "product", "department")
# Segments with more customers than this get their bootstrap sums from the normal limit.
EXACT_RESAMPLING_MAX = 2000


@dataclass(frozen=True)
class PreferenceOptions:
    """Settings of the preference analysis (window, ranking floor, bootstrap, basket limits)."""

    level: str = "category"
    window_days: int = 365
    min_buyers: int = 20  # fewer buyers in a segment: shown, not ranked
    resamples: int = 400
    top: int | None = None  # keep this many categories per segment (None: all)
    min_support: float = 0.01
    max_basket_size: int = 50  # baskets with more distinct items are left out of pairs
    max_pairs: int = 50


def check_level(level: str, transactions: ir.Table) -> str:
    """Return `level` if the transactions carry that column; InputError names the fix otherwise."""
    if level not in LEVELS:
        raise InputError(f"--level: unknown value {level!r}; allowed: {', '.join(LEVELS)}")
    if level not in transactions.columns:
        raise InputError(
            f"--level {level}: the transactions have no {level} column; map one with "
            f"columns: {{{level}: <header>}} (analyze: --{level}-col) or choose another --level"
        )
    return level


def customer_item_revenue(
    transactions: ir.Table, *, as_of: datetime, level: str, window_days: int
) -> pd.DataFrame:
    """Return customer_id, item, revenue (net, cents-exact), lines within the window before as_of."""
    t = visible_transactions(transactions, as_of=as_of)
    start = as_of - timedelta(days=window_days)
    t = t.filter((t.occurred_at >= start) & t[level].notnull())
    item = trimmed(t[level].cast("string"))
    t = t.mutate(item=item).filter(item != "")
    # summed exactly as DECIMAL, handed to Python as float (Decimal objects are slow to convert)
    agg = t.group_by(["customer_id", "item"]).aggregate(
        revenue=t.net_amount.sum().cast("float64"), lines=t.count(where=t.is_order_row)
    )
    frame = agg.to_pandas()
    frame["revenue"] = frame["revenue"].astype(float).clip(lower=0.0)
    frame = frame[frame["revenue"] > 0]
    return frame.sort_values(["customer_id", "item"], ignore_index=True)


def customer_preferences(revenue: pd.DataFrame) -> pd.DataFrame:
    """Return customer_id, top_category, category_breadth, top_category_share per customer."""
    if revenue.empty:
        return pd.DataFrame(
            columns=["customer_id", "top_category", "category_breadth", "top_category_share"]
        )
    ordered = revenue.sort_values(
        ["customer_id", "revenue", "item"], ascending=[True, False, True], kind="stable"
    )
    grouped = ordered.groupby("customer_id", sort=True)
    out = pd.DataFrame(
        {
            "top_category": grouped["item"].first(),
            "category_breadth": grouped["item"].nunique().astype("int64"),
            "top_category_share": grouped["revenue"].first() / grouped["revenue"].sum(),
        }
    )
    out["top_category_share"] = out["top_category_share"].round(6)
    return out.reset_index()


def segment_preferences(
    revenue: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    segments: list[str],
    options: PreferenceOptions,
    seed: int,
) -> list[dict[str, Any]]:
    """Return per segment each item's revenue share, population share, lift (bootstrap CI), BH p."""
    from scipy import sparse  # imported here: only files with categories or products need it

    data = revenue.merge(labels[["customer_id", "segment"]], on="customer_id", how="inner")
    item_codes, item_names = pd.factorize(data["item"], sort=True)
    customer_codes, customer_names = pd.factorize(data["customer_id"], sort=True)
    items = [str(name) for name in item_names]
    customers = list(customer_names)
    matrix = sparse.csr_matrix(
        (data["revenue"].to_numpy(float), (customer_codes, item_codes)),
        shape=(len(customers), len(items)),
    )
    segment_of = (
        labels.drop_duplicates("customer_id")
        .set_index("customer_id")["segment"]
        .reindex(customers)
        .astype(str)
        .to_numpy()
    )
    totals = np.asarray(matrix.sum(axis=1)).ravel()
    population = np.asarray(matrix.sum(axis=0)).ravel()
    population_share = population / population.sum() if population.sum() else population
    sizes = labels["segment"].astype(str).value_counts()

    rng = np.random.default_rng(seed)
    boot_item: dict[str, np.ndarray] = {}
    boot_total: dict[str, np.ndarray] = {}
    rows_of = {s: np.flatnonzero(segment_of == s) for s in segments}
    for s in segments:
        rows = rows_of[s]
        if len(rows) == 0:
            continue
        boot_item[s], boot_total[s] = bootstrap_sums(
            matrix[rows], totals[rows], resamples=options.resamples, rng=rng
        )
    pop_item = np.zeros((options.resamples, len(items)))
    pop_total = np.zeros(options.resamples)
    for s in boot_item:
        pop_item += boot_item[s]
        pop_total += boot_total[s]

    results: list[dict[str, Any]] = []
    tests: list[tuple[int, int, float]] = []
    for s in segments:
        rows = rows_of.get(s, np.array([], dtype=int))
        sub = matrix[rows]
        seg_revenue = np.asarray(sub.sum(axis=0)).ravel()
        seg_total = float(seg_revenue.sum())
        buyers = np.asarray((sub > 0).sum(axis=0)).ravel()
        rest = np.setdiff1d(np.arange(len(customers)), rows)
        seg_moments = _column_moments(sub, totals[rows])
        rest_moments = _column_moments(matrix[rest], totals[rest])
        bounds = _lift_bounds(boot_item.get(s), boot_total.get(s), pop_item, pop_total, len(items))
        cats: list[dict[str, Any]] = []
        for j, name in enumerate(items):
            if buyers[j] == 0:
                continue
            share = seg_revenue[j] / seg_total if seg_total else math.nan
            lift = share / population_share[j] if population_share[j] else math.nan
            low, high = bounds[0][j], bounds[1][j]
            ranked = bool(buyers[j] >= options.min_buyers)
            if ranked and len(rest):
                p = ratio_ztest(seg_moments(j), rest_moments(j)).p_value
                if math.isfinite(p):
                    tests.append((len(results), len(cats), p))
            cats.append(
                {
                    "category": name,
                    "buyers": int(buyers[j]),
                    "revenue_share": _round(share),
                    "population_share": _round(population_share[j]),
                    "lift": _round(lift),
                    "lift_ci_low": _round(low),
                    "lift_ci_high": _round(high),
                    "p_value_adjusted": None,
                    "ranked": ranked,
                }
            )
        results.append({"segment": s, "customers": int(sizes.get(s, 0)), "categories": cats})
    adjusted = benjamini_hochberg([p for _s, _c, p in tests])
    for (si, ci, _p), adj in zip(tests, adjusted, strict=True):
        results[si]["categories"][ci]["p_value_adjusted"] = _round(adj)
    for seg in results:
        seg["categories"] = _ordered(seg["categories"], options.top)
        seg["top_categories"] = [c["category"] for c in seg["categories"] if _stands_out(c)][:3]
    return results


def bootstrap_sums(
    matrix: Any, totals: np.ndarray, *, resamples: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return resampled item sums (resamples x items) and total sums of one segment's customers.

    Up to EXACT_RESAMPLING_MAX customers: multinomial resampling of the customers. Above it the
    resampled sums are drawn from their normal limit, which has the same mean and covariance
    (n times the customers' covariance) and is indistinguishable at that size, at a cost that no
    longer grows with customers x resamples. Only each item's marginal interval is reported, so
    every item shares the two normal draws of a resample: (item sum, total) of every item and the
    population sums over segments then have exactly the joint law the lift interval needs.
    """
    n = len(totals)
    if n <= EXACT_RESAMPLING_MAX:
        counts = rng.multinomial(n, np.full(n, 1 / n), resamples)
        item = np.asarray(matrix.T @ counts.T.astype(float)).T
        return item, counts @ totals
    sum_y = np.asarray(matrix.sum(axis=0)).ravel()
    sum_yy = np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel()
    sum_xy = np.asarray(matrix.T @ totals).ravel()
    sum_x, sum_xx = float(totals.sum()), float(totals @ totals)
    var_x = max(sum_xx - sum_x * sum_x / n, 0.0)
    var_y = np.maximum(sum_yy - sum_y * sum_y / n, 0.0)
    cov_xy = sum_xy - sum_y * sum_x / n
    sd_x = math.sqrt(var_x)
    # Cholesky factor of each item's 2x2 covariance [[var_x, cov_xy], [cov_xy, var_y]]
    along = cov_xy / sd_x if sd_x > 0 else np.zeros_like(cov_xy)
    apart = np.sqrt(np.maximum(var_y - along * along, 0.0))
    z = rng.standard_normal((resamples, 2))
    total = sum_x + sd_x * z[:, 0]
    item = sum_y[None, :] + along[None, :] * z[:, [0]] + apart[None, :] * z[:, [1]]
    return np.maximum(item, 0.0), np.maximum(total, 0.0)


def _stands_out(category: dict[str, Any]) -> bool:
    """A top category: ranked, lift interval above 1 and BH-adjusted p below 0.05."""
    low, p = category["lift_ci_low"], category["p_value_adjusted"]
    return bool(category["ranked"] and low is not None and low > 1 and p is not None and p < 0.05)


def _lift_bounds(
    item: np.ndarray | None,
    total: np.ndarray | None,
    pop_item: np.ndarray,
    pop_total: np.ndarray,
    n_items: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the 2.5% and 97.5% percentiles of the bootstrap lift of every item."""
    if item is None or total is None:
        return np.full(n_items, np.nan), np.full(n_items, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = (item / total[:, None]) / (pop_item / pop_total[:, None])
    lift[~np.isfinite(lift)] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an item no resample held: all-NaN
        low, high = np.nanquantile(lift, [0.025, 0.975], axis=0)
    return low, high


def _column_moments(matrix: Any, totals: np.ndarray) -> Any:
    """Return j -> RatioMoments of (customer's revenue in item j) / (customer's revenue)."""
    sum_y = np.asarray(matrix.sum(axis=0)).ravel()
    sum_yy = np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel()
    sum_xy = np.asarray(matrix.T @ totals).ravel()
    n, sum_x, sum_xx = len(totals), float(totals.sum()), float(totals @ totals)

    def moments(j: int) -> RatioMoments:
        # The share of revenue in an item is sum(y) / sum(x) over customers: a ratio of sums.
        return RatioMoments(n, sum_x, float(sum_y[j]), sum_xx, float(sum_yy[j]), float(sum_xy[j]))

    return moments


def _ordered(categories: list[dict[str, Any]], top: int | None) -> list[dict[str, Any]]:
    """Ranked items by lift (highest first), then unranked ones by revenue share."""
    ranked = sorted(
        (c for c in categories if c["ranked"]),
        key=lambda c: (-(c["lift"] or 0), -(c["revenue_share"] or 0), c["category"]),
    )
    rest = sorted(
        (c for c in categories if not c["ranked"]),
        key=lambda c: (-(c["revenue_share"] or 0), c["category"]),
    )
    both = ranked + rest
    return both if top is None else both[:top]


def basket_items(
    transactions: ir.Table, *, as_of: datetime, level: str, window_days: int
) -> ir.Table:
    """Return distinct (basket, item) rows of orders in the window: an invoice, else customer-day."""
    t = visible_transactions(transactions, as_of=as_of)
    start = as_of - timedelta(days=window_days)
    t = t.filter((t.occurred_at >= start) & t.is_order_row & t[level].notnull())
    if "invoice_id" in t.columns:
        basket = t.customer_id.concat("\x1f", t.invoice_id.cast("string"))
    else:
        basket = t.customer_id.concat("\x1f", t.occurred_at.date().cast("string"))
    t = t.mutate(basket=basket, item=trimmed(t[level].cast("string")))
    return t.filter(t.item != "").select("basket", "item").distinct()


def basket_pairs(baskets: ir.Table, *, options: PreferenceOptions) -> dict[str, Any]:
    """Return item pairs bought in the same basket with support, confidence, lift, Fisher p (BH)."""
    # Each basket's size travels with its rows (a window, not a join), and the kept rows are
    # computed once: every figure below reads them instead of re-reading the transactions.
    sized = baskets.mutate(size=baskets.count().over(group_by=baskets.basket))
    kept_rows = sized.filter(sized.size <= options.max_basket_size).select("basket", "item")
    kept_rows = kept_rows.cache()
    size_counts = (
        sized.group_by(kept=sized.size <= options.max_basket_size)
        .aggregate(baskets=sized.basket.nunique())
        .to_pandas()
    )
    by_kept = dict(zip(size_counts["kept"].astype(bool), size_counts["baskets"], strict=True))
    n_baskets, left_out = int(by_kept.get(True, 0)), int(by_kept.get(False, 0))
    empty = {"baskets": n_baskets, "baskets_left_out": left_out, "pairs": []}
    if n_baskets == 0:
        return empty
    min_count = max(1, math.ceil(options.min_support * n_baskets - 1e-9))
    item_counts = kept_rows.group_by("item").aggregate(n=kept_rows.count()).to_pandas()
    counts = item_counts[item_counts["n"] >= min_count].set_index("item")["n"]
    if len(counts) < 2:
        return empty
    frequent = engine_memtable(
        pd.DataFrame({"item": counts.index.astype(str)}),
        {"item": "string"},
        kept_rows,
        name="segmint_frequent_items",
    )
    rows = kept_rows.semi_join(frequent, "item")
    a = rows.rename(item_a="item")
    b = rows.rename(item_b="item", basket_b="basket")
    joined = a.join(b, (a.basket == b.basket_b) & (a.item_a < b.item_b))
    pairs = joined.group_by(["item_a", "item_b"]).aggregate(n_ab=joined.count())
    pairs = pairs.filter(pairs.n_ab >= min_count).to_pandas()
    if pairs.empty:
        return empty
    pairs["n_a"] = pairs["item_a"].map(counts).astype("int64")
    pairs["n_b"] = pairs["item_b"].map(counts).astype("int64")
    pairs = pairs.sort_values(["item_a", "item_b"], ignore_index=True)
    n = n_baskets
    # One-sided Fisher exact test (bought together more often than by chance): hypergeometric tail.
    from scipy.stats import hypergeom  # only files with baskets need it

    pairs["p_value"] = hypergeom.sf(pairs["n_ab"] - 1, n, pairs["n_a"], pairs["n_b"])
    pairs["p_value_adjusted"] = benjamini_hochberg(pairs["p_value"].tolist())
    out = []
    for r in pairs.itertuples(index=False):
        lift = r.n_ab * n / (r.n_a * r.n_b)
        for ante, cons, n_ante in ((r.item_a, r.item_b, r.n_a), (r.item_b, r.item_a, r.n_b)):
            out.append(
                {
                    "antecedent": ante,
                    "consequent": cons,
                    "baskets": int(r.n_ab),
                    "support": r.n_ab / n,
                    "confidence": r.n_ab / n_ante,
                    "lift": lift,
                    "p_value": float(r.p_value),
                    "p_value_adjusted": float(r.p_value_adjusted),
                }
            )
    out.sort(key=lambda p: (-p["lift"], -p["support"], p["antecedent"], p["consequent"]))
    return {"baskets": n_baskets, "baskets_left_out": left_out, "pairs": out[: options.max_pairs]}


def preferences(
    transactions: ir.Table,
    labels: pd.DataFrame,
    *,
    as_of: datetime,
    segments: list[str],
    options: PreferenceOptions,
    seed: int,
) -> dict[str, Any]:
    """Return the preference payload (segments with item shares and lift, basket pairs) and features."""
    level = check_level(options.level, transactions)
    revenue = customer_item_revenue(
        transactions, as_of=as_of, level=level, window_days=options.window_days
    )
    segs = segment_preferences(revenue, labels, segments=segments, options=options, seed=seed)
    baskets = basket_items(transactions, as_of=as_of, level=level, window_days=options.window_days)
    pairs = basket_pairs(baskets, options=options)
    return {
        "level": level,
        "window_days": options.window_days,
        "min_buyers": options.min_buyers,
        "segments": segs,
        "baskets": pairs["baskets"],
        "baskets_left_out": pairs["baskets_left_out"],
        "max_basket_size": options.max_basket_size,
        "min_support": options.min_support,
        "pairs": [_rounded_pair(p) for p in pairs["pairs"]],
        "customer_features": customer_preferences(revenue),
    }


def _rounded_pair(pair: dict[str, Any]) -> dict[str, Any]:
    return {k: (_round(v) if isinstance(v, float) else v) for k, v in pair.items()}


def _round(value: Any, digits: int = 6) -> float | None:
    if value is None:
        return None
    number = float(value)
    return round(number, digits) if math.isfinite(number) else None


__all__ = [
    "LEVELS",
    "PreferenceOptions",
    "basket_items",
    "basket_pairs",
    "bootstrap_sums",
    "check_level",
    "customer_item_revenue",
    "customer_preferences",
    "preferences",
    "segment_preferences",
]
