"""KPIs per segment, with evidence: every rate and mean with an interval and a test against the rest.

The engine reduces the per-customer inputs (see `kpi_inputs`) to a few sums per segment; the
statistics are then computed here from those sums (`stats`), so only small results leave the
engine. The rest of a segment is every other customer of the population.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from segmint.analysis.kpi_inputs import FIRST_PURCHASE, KPIOptions, customer_kpi_inputs
from segmint.analysis.memtables import as_text, engine_memtable
from segmint.analysis.stats import (
    Moments,
    RatioMoments,
    benjamini_hochberg,
    bootstrap_mean_interval,
    combine_moments,
    ratio_interval,
    ratio_ztest,
    t_interval,
    two_proportion_ztest,
    welch_ttest,
    wilson_interval,
)
from segmint.features.point_in_time import cutoff

SIGNIFICANCE = 0.05
# Above this many customers a segment's money mean gets the t interval instead of the bootstrap:
# the resampling cost grows with n while the mean's sampling distribution is then close to normal.
BOOTSTRAP_MAX_N = 5000
VALUE_COLUMNS: tuple[str, ...] = ("predicted_clv", "health_score")
_FIELDS = (
    "value",
    "ci_low",
    "ci_high",
    "diff_vs_rest",
    "p_value",
    "p_value_adjusted",
    "significant",
)


@dataclass(frozen=True)
class _Mean:
    name: str
    value: Callable[[ir.Table], ir.NumericValue]
    where: Callable[[ir.Table], ir.BooleanValue]
    money: bool
    needs: tuple[str, ...]


@dataclass(frozen=True)
class _Rate:
    name: str
    numerator: Callable[[ir.Table], ir.BooleanValue]
    denominator: Callable[[ir.Table], ir.BooleanValue]
    needs: tuple[str, ...]


@dataclass(frozen=True)
class _Ratio:
    name: str
    x: Callable[[ir.Table], ir.NumericValue]
    y: Callable[[ir.Table], ir.NumericValue]
    needs: tuple[str, ...]


def _true(t: ir.Table) -> ir.BooleanValue:
    return ibis.literal(True)


def _kpi_definitions(
    columns: Sequence[str], options: KPIOptions, as_of: datetime
) -> tuple[list[_Mean], list[_Rate], list[_Ratio], dict[str, str]]:
    """Return the KPIs computable from these input columns, and a reason for each one that is not."""
    has = set(columns)
    start = cutoff(as_of, days_before=options.window_days)
    means: list[_Mean] = [
        _Mean("revenue_per_customer", lambda t: t.revenue.fill_null(0), _true, True, ("revenue",)),
        _Mean(
            "average_order_value",
            lambda t: t.order_total.cast("float64") / t.orders.cast("float64"),
            lambda t: t.orders > 0,
            True,
            ("order_total",),
        ),
        _Mean("orders_per_customer", lambda t: t.orders, _true, False, ("orders",)),
    ]
    activity_days = "event_days" if "event_days" in has else "order_days"
    means.append(
        _Mean(
            "active_days_per_active_customer",
            lambda t: t[activity_days],
            lambda t: t[activity_days] > 0,
            False,
            (activity_days,),
        )
    )
    means.append(
        _Mean("predicted_clv", lambda t: t.predicted_clv, lambda t: t.predicted_clv.notnull(), True,
              ("predicted_clv",))
    )  # fmt: skip
    means.append(
        _Mean("health_score", lambda t: t.health_score, lambda t: t.health_score.notnull(), False,
              ("health_score",))
    )  # fmt: skip

    rates: list[_Rate] = []
    if "sub_active_start" in has:
        kept = lambda t: t.sub_active_start & t.sub_active_end  # noqa: E731
        lost = lambda t: t.sub_active_start & ~t.sub_active_end  # noqa: E731
        base = lambda t: t.sub_active_start  # noqa: E731
        needs: tuple[str, ...] = ("sub_active_start",)
    else:
        kept = lambda t: t.bought_prev & t.bought_now  # noqa: E731
        lost = lambda t: t.bought_prev & ~t.bought_now  # noqa: E731
        base = lambda t: t.bought_prev  # noqa: E731
        needs = ("bought_prev",)
    rates.append(_Rate("retention_rate", kept, base, needs))
    rates.append(_Rate("churn_rate", lost, base, needs))
    if options.conversion_goal is None:
        pass
    elif options.conversion_goal == FIRST_PURCHASE:
        rates.append(
            _Rate(
                "conversion_rate",
                lambda t: t.first_order_at.notnull() & (t.first_order_at >= start),
                lambda t: t.first_order_at.isnull() | (t.first_order_at >= start),
                ("first_order_at",),
            )
        )
    else:
        rates.append(
            _Rate(
                "conversion_rate",
                lambda t: t.goal_event_in & ~t.goal_event_before,
                lambda t: ~t.goal_event_before,
                ("goal_event_in",),
            )
        )
    active_days = "event_days" if "event_days" in has else "orders"
    rates.append(_Rate("engagement_rate", lambda t: t[active_days] > 0, _true, (active_days,)))
    rates.append(
        _Rate(
            "activation_rate",
            lambda t: t.activated.fill_null(False),
            lambda t: t.activation_eligible.fill_null(False),
            ("activation_eligible",),
        )
    )
    ratios = [
        _Ratio("nrr", lambda t: t.mrr_start, lambda t: t.mrr_end, ("mrr_start",)),
        _Ratio(
            "grr",
            lambda t: t.mrr_start,
            lambda t: ibis.least(t.mrr_end, t.mrr_start),
            ("mrr_start",),
        ),
    ]
    reasons = _missing_reasons(has, options)
    keep = lambda kpi: set(kpi.needs) <= has  # noqa: E731
    return (
        [m for m in means if keep(m)],
        [r for r in rates if keep(r)],
        [r for r in ratios if keep(r)],
        reasons,
    )


def _missing_reasons(has: set[str], options: KPIOptions) -> dict[str, str]:
    reasons = {}
    if "revenue" not in has:
        for name in ("revenue", "revenue_share", "revenue_per_customer", "average_order_value",
                     "orders_per_customer"):  # fmt: skip
            reasons[name] = "no transactions in the workspace"
    if "sub_active_start" not in has and "bought_prev" not in has:
        reasons["retention_rate"] = reasons["churn_rate"] = "no transactions or subscriptions"
    if "mrr_start" not in has:
        reasons["nrr"] = reasons["grr"] = "no subscriptions in the workspace"
    if options.conversion_goal is None:
        reasons["conversion_rate"] = "no conversion goal (every customer here has purchased)"
    elif options.conversion_goal == FIRST_PURCHASE and "first_order_at" not in has:
        reasons["conversion_rate"] = "conversion to a first purchase needs transactions"
    elif options.conversion_goal != FIRST_PURCHASE and "goal_event_in" not in has:
        reasons["conversion_rate"] = (
            f"conversion to event {options.conversion_goal!r} needs an events table"
        )
    if "event_days" not in has and "orders" not in has:
        reasons["engagement_rate"] = "no events or transactions"
        reasons["active_days_per_active_customer"] = "no events or transactions"
    if "activation_eligible" not in has:
        reasons["activation_rate"] = (
            "set kpis.activation_event (and have events and customers.created_at)"
            if options.activation_event is None
            else "activation needs events and customers.created_at"
        )
    for name in VALUE_COLUMNS:
        if name not in has:
            reasons[name] = f"this run did not compute {name.replace('_', ' ')}"
    return reasons


# The KPIs a table shows (CLI and report), in this order; the JSON holds every one.
SHOWN_KPIS: tuple[str, ...] = (
    "revenue_share",
    "revenue_per_customer",
    "average_order_value",
    "orders_per_customer",
    "retention_rate",
    "churn_rate",
    "conversion_rate",
    "engagement_rate",
    "activation_rate",
    "nrr",
    "grr",
    "predicted_clv",
    "health_score",
)

KPI_ORDER: tuple[str, ...] = (
    "revenue",
    "revenue_share",
    "revenue_per_customer",
    "average_order_value",
    "orders_per_customer",
    "retention_rate",
    "churn_rate",
    "conversion_rate",
    "engagement_rate",
    "active_days_per_active_customer",
    "activation_rate",
    "nrr",
    "grr",
    "predicted_clv",
    "health_score",
)


@dataclass
class _Group:
    """The sums of one segment (or of the customers in no segment, for tags)."""

    customers: int
    revenue: float | None
    means: dict[str, Moments]
    rates: dict[str, tuple[int, int]]
    ratios: dict[str, RatioMoments]


def segment_kpis(
    tables: Mapping[str, ir.Table],
    assignments: pd.DataFrame,
    /,
    *,
    as_of: datetime,
    options: KPIOptions | None = None,
    segments: Sequence[str] | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Return {"population": ..., "segments": [...]}: every KPI of each segment against the rest.

    `assignments` holds one row per customer of the population: customer_id, segment (None for a
    customer in no segment, e.g. without a tag) and optionally predicted_clv and health_score.
    `segments` lists segment names to report, in order (empty ones included); default: the
    segments found, largest first.
    """
    options = options or KPIOptions()
    frame = _assignment_frame(assignments)
    inputs = kpi_inputs(tables, frame.drop(columns="segment"), as_of=as_of, options=options)
    return scheme_kpis(
        inputs,
        frame[["customer_id", "segment"]],
        as_of=as_of,
        options=options,
        segments=segments,
        seed=seed,
    )


def kpi_inputs(
    tables: Mapping[str, ir.Table],
    population: pd.DataFrame,
    /,
    *,
    as_of: datetime,
    options: KPIOptions,
) -> ir.Table:
    """Return the per-customer KPI inputs of a population, computed once and cached in the engine.

    `population`: customer_id and optionally predicted_clv, health_score. Every scheme of a run
    is then summarised from the same cached table (`scheme_kpis`).
    """
    if options.window_days < 1:
        raise ValueError("window_days must be at least 1")
    values = _value_frame(population)
    schema = {"customer_id": "string"} | {
        c: "float64" for c in values.columns if c != "customer_id"
    }
    like = next(iter(tables.values()), None)
    table = engine_memtable(values, schema, like, name="segmint_kpi_population")
    return customer_kpi_inputs(tables, table, as_of=as_of, options=options).cache()


def scheme_kpis(
    inputs: ir.Table,
    labels: pd.DataFrame,
    /,
    *,
    as_of: datetime,
    options: KPIOptions,
    segments: Sequence[str] | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Return the KPIs of the segments in `labels` (customer_id, segment) from cached `inputs`."""
    frame = labels[["customer_id", "segment"]].copy()
    frame["customer_id"] = as_text(frame["customer_id"])
    frame = frame[frame["segment"].notna()]
    frame["segment"] = as_text(frame["segment"])
    if frame["customer_id"].duplicated().any():
        raise ValueError("labels must hold each customer at most once")
    memtable = ibis.memtable(frame, schema={"customer_id": "string", "segment": "string"})
    labelled = inputs.left_join(memtable, "customer_id").drop("customer_id_right")
    means, rates, ratios, reasons = _kpi_definitions(inputs.columns, options, as_of)
    groups = _group_sums(labelled, means, rates, ratios)
    found = sorted(
        (name for name in groups if name is not None),
        key=lambda name: (-groups[name].customers, name),
    )
    names = list(segments) if segments is not None else found
    samples = _bootstrap_samples(labelled, means, groups, names)
    empty = _empty_group(means, rates, ratios)
    everyone = _combine(list(groups.values()), empty)
    total_revenue = everyone.revenue
    rows = []
    for name in names:
        group = groups.get(name) or empty
        rest = _combine([g for key, g in groups.items() if key != name], empty)
        rows.append(
            {
                "segment": name,
                "customers": group.customers,
                "share": _share(group.customers, everyone.customers),
                "kpis": _group_kpis(
                    group, rest, total_revenue, means, rates, ratios, reasons,
                    samples.get(name, {}), seed=_seed(seed, name),
                ),
            }
        )  # fmt: skip
    _adjust_p_values(rows)
    population_row = {
        "segment": None,
        "customers": everyone.customers,
        "share": 1.0 if everyone.customers else None,
        "kpis": _group_kpis(
            everyone, None, total_revenue, means, rates, ratios, reasons, {}, seed=seed
        ),
    }
    return {"population": population_row, "segments": rows}


def _value_frame(population: pd.DataFrame) -> pd.DataFrame:
    keep = ["customer_id", *[c for c in VALUE_COLUMNS if c in population.columns]]
    frame = population[keep].copy()
    frame["customer_id"] = as_text(frame["customer_id"])
    for column in keep[1:]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        if frame[column].isna().all():
            frame = frame.drop(columns=column)
    if frame["customer_id"].duplicated().any():
        raise ValueError("the population must hold each customer once")
    return frame.sort_values("customer_id", ignore_index=True)


def _assignment_frame(assignments: pd.DataFrame) -> pd.DataFrame:
    missing = {"customer_id", "segment"} - set(assignments.columns)
    if missing:
        raise ValueError(f"assignments lack column(s) {sorted(missing)}")
    frame = assignments.copy()
    frame["customer_id"] = as_text(frame["customer_id"])
    return frame


def _group_sums(
    inputs: ir.Table, means: list[_Mean], rates: list[_Rate], ratios: list[_Ratio]
) -> dict[str | None, _Group]:
    """Reduce the per-customer inputs to sums per segment in the engine."""
    metrics: dict[str, ir.Scalar] = {"customers": inputs.count()}
    has_revenue = "revenue" in inputs.columns
    if has_revenue:
        metrics["revenue"] = inputs.revenue.sum()
    for m in means:
        value, where = m.value(inputs), m.where(inputs)
        metrics[f"{m.name}__n"] = value.count(where=where)
        metrics[f"{m.name}__sum"] = value.sum(where=where)
        metrics[f"{m.name}__var"] = value.cast("float64").var(how="sample", where=where)
    for r in rates:
        num, den = r.numerator(inputs), r.denominator(inputs)
        metrics[f"{r.name}__num"] = inputs.count(where=num & den)
        metrics[f"{r.name}__den"] = inputs.count(where=den)
    for q in ratios:
        x, y = q.x(inputs), q.y(inputs)
        where = x > 0
        xf, yf = x.cast("float64"), y.cast("float64")
        metrics[f"{q.name}__n"] = inputs.count(where=where)
        metrics[f"{q.name}__sx"] = x.sum(where=where)
        metrics[f"{q.name}__sy"] = y.sum(where=where)
        metrics[f"{q.name}__sxx"] = (xf * xf).sum(where=where)
        metrics[f"{q.name}__syy"] = (yf * yf).sum(where=where)
        metrics[f"{q.name}__sxy"] = (xf * yf).sum(where=where)
    result = inputs.group_by("segment").aggregate(**metrics).to_pandas()
    groups: dict[str | None, _Group] = {}
    for row in result.to_dict(orient="records"):
        key = row["segment"] if isinstance(row["segment"], str) else None
        group_means = {}
        for m in means:
            n = int(row[f"{m.name}__n"] or 0)
            total = _num(row[f"{m.name}__sum"])
            group_means[m.name] = Moments(
                n,
                total / n if n else math.nan,
                _num(row[f"{m.name}__var"]) if n > 1 else math.nan,
            )
        groups[key] = _Group(
            customers=int(row["customers"]),
            revenue=_num(row["revenue"]) if has_revenue else None,
            means=group_means,
            rates={
                r.name: (int(row[f"{r.name}__num"] or 0), int(row[f"{r.name}__den"] or 0))
                for r in rates
            },
            ratios={
                q.name: RatioMoments(
                    int(row[f"{q.name}__n"] or 0),
                    *(_num(row[f"{q.name}__{s}"]) for s in ("sx", "sy", "sxx", "syy", "sxy")),
                )
                for q in ratios
            },
        )
    return groups


def _num(value: Any) -> float:
    """Return a float from an engine value (Decimal, numpy, None/NaN → 0.0 for sums)."""
    if value is None:
        return 0.0
    number = float(value)
    return 0.0 if math.isnan(number) else number


def _empty_group(means: list[_Mean], rates: list[_Rate], ratios: list[_Ratio]) -> _Group:
    return _Group(
        0,
        0.0 if any(m.name == "revenue_per_customer" for m in means) else None,
        {m.name: Moments(0, math.nan, math.nan) for m in means},
        {r.name: (0, 0) for r in rates},
        {q.name: RatioMoments(0, 0, 0, 0, 0, 0) for q in ratios},
    )


def _combine(groups: list[_Group], empty: _Group) -> _Group:
    if not groups:
        return empty
    first = groups[0]
    # Money: the engine's sums are exact to the cent; keep the total on the cent grid.
    revenue = None if first.revenue is None else round(sum(g.revenue or 0.0 for g in groups), 2)
    return _Group(
        customers=sum(g.customers for g in groups),
        revenue=revenue,
        means={name: combine_moments(g.means[name] for g in groups) for name in first.means},
        rates={
            name: (sum(g.rates[name][0] for g in groups), sum(g.rates[name][1] for g in groups))
            for name in first.rates
        },
        ratios={
            name: sum((g.ratios[name] for g in groups[1:]), first.ratios[name])
            for name in first.ratios
        },
    )


def _bootstrap_samples(
    inputs: ir.Table,
    means: list[_Mean],
    groups: Mapping[str | None, _Group],
    names: Sequence[str],
) -> dict[str, dict[str, list[float]]]:
    """Fetch the values of money means for segments small enough to bootstrap."""
    samples: dict[str, dict[str, list[float]]] = {}
    for m in (m for m in means if m.money):
        small = [
            n for n in names if n in groups and 1 < groups[n].means[m.name].n <= BOOTSTRAP_MAX_N
        ]
        if not small:
            continue
        where = m.where(inputs) & inputs.segment.isin(small)
        values = (
            inputs.filter(where)
            .select(segment=inputs.segment, value=m.value(inputs).cast("float64"))
            .to_pandas()
        )
        for segment, group in values.groupby("segment"):
            samples.setdefault(str(segment), {})[m.name] = group["value"].tolist()
    return samples


def _group_kpis(
    group: _Group,
    rest: _Group | None,
    total_revenue: float | None,
    means: list[_Mean],
    rates: list[_Rate],
    ratios: list[_Ratio],
    reasons: Mapping[str, str],
    samples: Mapping[str, list[float]],
    *,
    seed: int,
) -> dict[str, dict[str, Any] | None]:
    out: dict[str, dict[str, Any] | None] = {}
    if group.revenue is not None:
        out["revenue"] = _kpi(group.revenue, n=group.customers)
        out["revenue_share"] = (
            _kpi(group.revenue / total_revenue, numerator=group.revenue, denominator=total_revenue)
            if total_revenue and total_revenue > 0
            else _unavailable("no positive revenue in the window")
        )
    for m in means:
        out[m.name] = _mean_kpi(m, group, rest, samples.get(m.name), seed=seed)
    for r in rates:
        out[r.name] = _rate_kpi(r.name, group, rest)
    for q in ratios:
        out[q.name] = _ratio_kpi(q.name, group, rest)
    ordered: dict[str, dict[str, Any] | None] = {}
    for name in KPI_ORDER:
        if name in out:
            ordered[name] = out[name]
        elif name in reasons:
            ordered[name] = _unavailable(reasons[name])
    return ordered


def _kpi(value: float, **extra: Any) -> dict[str, Any]:
    """A KPI without an interval or test (totals and shares of totals are descriptive)."""
    return {"value": _clean(value), **{k: _clean(v) for k, v in extra.items()}} | {
        key: None for key in _FIELDS if key != "value"
    }


def _unavailable(reason: str) -> dict[str, Any]:
    return dict.fromkeys(_FIELDS) | {"reason": reason}


def _mean_kpi(
    m: _Mean, group: _Group, rest: _Group | None, sample: list[float] | None, *, seed: int
) -> dict[str, Any]:
    moments = group.means[m.name]
    if moments.n == 0:
        return _unavailable("no customer in this segment has a value")
    if m.money and sample is not None and len(sample) == moments.n:
        low, high = bootstrap_mean_interval(sample, seed=zlib.crc32(m.name.encode()) ^ seed)
    else:
        low, high = t_interval(moments)
    test = welch_ttest(moments, rest.means[m.name]) if rest is not None else None
    return _evidence(moments.mean, low, high, test, n=moments.n)


def _rate_kpi(name: str, group: _Group, rest: _Group | None) -> dict[str, Any]:
    numerator, denominator = group.rates[name]
    if denominator == 0:
        return _unavailable(_EMPTY_DENOMINATOR.get(name, "no customers in the denominator"))
    low, high = wilson_interval(numerator, denominator)
    test = None
    if rest is not None:
        rest_num, rest_den = rest.rates[name]
        test = two_proportion_ztest(numerator, denominator, rest_num, rest_den)
    return _evidence(
        numerator / denominator, low, high, test, numerator=numerator, denominator=denominator
    )


_EMPTY_DENOMINATOR = {
    "retention_rate": "no customer was retained-eligible at the window start",
    "churn_rate": "no customer was retained-eligible at the window start",
    "conversion_rate": "every customer had converted before the window",
    "activation_rate": "no signups whose activation period ended in the window",
}


def _ratio_kpi(name: str, group: _Group, rest: _Group | None) -> dict[str, Any]:
    moments = group.ratios[name]
    if moments.n == 0 or moments.sum_x <= 0:
        return _unavailable("no customer had MRR at the window start")
    low, high = ratio_interval(moments)
    test = ratio_ztest(moments, rest.ratios[name]) if rest is not None else None
    return _evidence(moments.ratio, low, high, test, n=moments.n)


def _evidence(value: float, low: float, high: float, test: Any, **extra: Any) -> dict[str, Any]:
    return {
        "value": _clean(value),
        **{k: _clean(v) for k, v in extra.items()},
        "ci_low": _clean(low),
        "ci_high": _clean(high),
        "diff_vs_rest": _clean(test.diff) if test is not None else None,
        "p_value": _clean(test.p_value) if test is not None else None,
        "p_value_adjusted": None,
        "significant": None,
    }


def _clean(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN and inf to None."""
    if value is None:
        return None
    if isinstance(value, bool | int):
        return int(value) if not isinstance(value, bool) else value
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        return None
    return number


def _adjust_p_values(rows: list[dict[str, Any]]) -> None:
    """Benjamini-Hochberg across the segments of the scheme, separately for each KPI."""
    for name in KPI_ORDER:
        entries = [row["kpis"].get(name) for row in rows]
        present = [e for e in entries if e is not None and "reason" not in e]
        adjusted = benjamini_hochberg([e["p_value"] for e in present])
        for entry, p in zip(present, adjusted, strict=True):
            entry["p_value_adjusted"] = p
            entry["significant"] = None if p is None else bool(p < SIGNIFICANCE)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _seed(seed: int, segment: str) -> int:
    return (seed * 1_000_003) ^ zlib.crc32(segment.encode("utf-8"))


__all__ = [
    "BOOTSTRAP_MAX_N",
    "KPI_ORDER",
    "KPIOptions",
    "kpi_inputs",
    "scheme_kpis",
    "segment_kpis",
]
