"""Plotly figure specs (plain dicts) for the dashboard; the browser draws them with Plotly.js."""

from __future__ import annotations

from typing import Any

from segmint.i18n import segment_label, t

_BAND_COLOURS = {"red": "#d64545", "yellow": "#e6b422", "green": "#2f9e44"}
_PALETTE = ("#3b5bdb", "#0ca678", "#f08c00", "#ae3ec9", "#1098ad", "#e8590c", "#5c940d", "#c2255c")
_LAYOUT: dict[str, Any] = {
    "margin": {"l": 50, "r": 20, "t": 30, "b": 40},
    "height": 300,
    "font": {"family": "system-ui, 'NanumGothic', 'Noto Sans KR', sans-serif", "size": 12},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
}


def _layout(**extra: Any) -> dict[str, Any]:
    return {**_LAYOUT, **extra}


def _interval_dots(
    labels: list[str],
    values: list[float],
    lows: list[float | None],
    highs: list[float | None],
    *,
    horizontal: bool,
    **extra: Any,
) -> dict[str, Any]:
    """Return a scatter trace of dots with asymmetric interval bars (no bar where a bound is missing)."""
    bars = {
        "type": "data",
        "symmetric": False,
        "array": [
            None if h is None else max(0.0, h - v) for v, h in zip(values, highs, strict=True)
        ],
        "arrayminus": [
            None if lo is None else max(0.0, v - lo) for v, lo in zip(values, lows, strict=True)
        ],
    }
    value_axis, label_axis = ("x", "y") if horizontal else ("y", "x")
    return {
        "type": "scatter",
        "mode": "markers",
        label_axis: labels,
        value_axis: values,
        f"error_{value_axis}": bars,
        **extra,
    }


def _category_rows_layout(
    rows: int, min_height: int, row_height: int, **extra: Any
) -> dict[str, Any]:
    """Return a layout with one category row per dot, top to bottom, tall enough for every label."""
    return _layout(
        height=max(min_height, 60 + row_height * rows),
        margin={"l": 150, "r": 20, "t": 10, "b": 40},
        yaxis={"type": "category", "autorange": "reversed"},
        **extra,
    )


def _colour(segment: str, i: int) -> str:
    return _BAND_COLOURS.get(segment, _PALETTE[i % len(_PALETTE)])


def segment_sizes(scheme: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return a horizontal bar chart of a scheme's segment sizes."""
    segments = list(reversed(scheme["segments"]))
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [segment_label(s["segment"], lang) for s in segments],
                "x": [s["customers"] for s in segments],
                "marker": {"color": [_colour(s["segment"], i) for i, s in enumerate(segments)]},
                "hovertemplate": "%{y}: %{x:,}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(160, 40 + 26 * len(segments)),
            margin={"l": 130, "r": 20, "t": 10, "b": 30},
        ),
    }


def cluster_sizes(clusters: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Return a horizontal bar chart of discovered clusters' sizes, labelled in words."""
    shown = list(reversed(clusters))
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [f"{c['cluster']}" for c in shown],
                "x": [c["size"] for c in shown],
                "text": [c["label"] for c in shown],
                "textposition": "auto",
                "marker": {"color": [_PALETTE[c["cluster"] % len(_PALETTE)] for c in shown]},
                "hovertemplate": "%{text}: %{x:,}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(160, 40 + 34 * len(shown)),
            margin={"l": 40, "r": 20, "t": 10, "b": 30},
            yaxis={"type": "category"},
        ),
    }


def sizes_over_time(history: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Return one line per segment: its size in every run."""
    names = list(dict.fromkeys(h["segment"] for h in history))
    traces = []
    for i, name in enumerate(names):
        rows = [h for h in history if h["segment"] == name]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": segment_label(name, lang),
                "x": [r["as_of"] for r in rows],
                "y": [r["customers"] for r in rows],
                "line": {"color": _colour(name, i)},
            }
        )
    return {"data": traces, "layout": _layout(yaxis={"title": t("web.customers", lang)})}


def kpi_intervals(
    segments: list[dict[str, Any]], kpi: str, population: dict[str, Any], lang: str
) -> dict[str, Any]:
    """Return a dot per segment with its 95% interval, and the population value as a line."""
    rows = [s for s in segments if s["kpis"].get(kpi, {}).get("value") is not None]
    values = [s["kpis"][kpi] for s in rows]
    whole = population.get("kpis", {}).get(kpi, {}).get("value")
    shapes = []
    if whole is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": whole,
                "y1": whole,
                "line": {"dash": "dot", "color": "#868e96"},
            }
        )
    return {
        "data": [
            _interval_dots(
                [segment_label(str(s["segment"]), lang) for s in rows],
                [v["value"] for v in values],
                [v.get("ci_low") for v in values],
                [v.get("ci_high") for v in values],
                horizontal=False,
                marker={"size": 10, "color": "#3b5bdb"},
            )
        ],
        "layout": _layout(shapes=shapes, yaxis={"title": t(f"kpi.{kpi}", lang)}),
    }


def cohort_heatmap(cohorts: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return the retention heatmap: cohorts down, periods since the first purchase across."""
    rows = cohorts.get("cohorts", [])
    width = max((len(r["retention"]) for r in rows), default=0)
    z = [[*r["retention"], *([None] * (width - len(r["retention"])))] for r in rows]
    return {
        "data": [
            {
                "type": "heatmap",
                "z": z,
                "x": list(range(width)),
                "y": [f"{r['cohort']} ({r['size']})" for r in rows],
                "zmin": 0,
                "zmax": 1,
                "colorscale": [[0, "#f8f9fa"], [0.5, "#91a7ff"], [1, "#1c3faa"]],
                "hovertemplate": "%{y} +%{x}: %{z:.0%}<extra></extra>",
                "colorbar": {"tickformat": ".0%"},
            }
        ],
        "layout": _layout(
            height=max(300, 60 + 18 * len(rows)),
            margin={"l": 110, "r": 20, "t": 10, "b": 40},
            yaxis={"autorange": "reversed", "type": "category"},
            xaxis={"title": t(f"web.cohorts.periods_{cohorts.get('by', 'month')}", lang)},
        ),
    }


def health_histogram(health: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return the health score distribution in 10-point bins, coloured by the usual bands."""
    bins = health["bins"]
    return {
        "data": [
            {
                "type": "bar",
                "x": [f"{b['low']}–{b['high']}" for b in bins],
                "y": [b["customers"] for b in bins],
                "marker": {"color": "#3b5bdb"},
            }
        ],
        "layout": _layout(
            xaxis={"title": t("web.health.score", lang)},
            yaxis={"title": t("web.customers", lang)},
        ),
    }


def health_bands(health: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return a bar per health band."""
    bands = health["bands"]
    return {
        "data": [
            {
                "type": "bar",
                "x": [segment_label(b["band"], lang) for b in bands],
                "y": [b["customers"] for b in bands],
                "marker": {"color": [_colour(b["band"], i) for i, b in enumerate(bands)]},
            }
        ],
        "layout": _layout(yaxis={"title": t("web.customers", lang)}),
    }


def health_trend(health: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return the mean and median health score per run."""
    trend = health["trend"]
    x = [r["as_of"] for r in trend]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": t("web.health.mean", lang),
                "x": x,
                "y": [r["mean"] for r in trend],
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": t("web.health.median", lang),
                "x": x,
                "y": [r["median"] for r in trend],
            },
        ],
        "layout": _layout(yaxis={"title": t("web.health.score", lang), "range": [0, 100]}),
    }


def customer_timeline(history: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Return the customer's segment in each scheme over runs (one row of markers per scheme)."""
    schemes = list(
        dict.fromkeys(h["scheme"] for h in history if not h["scheme"].startswith("tag:"))
    )
    traces = []
    for i, scheme in enumerate(schemes):
        rows = [h for h in history if h["scheme"] == scheme]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": scheme,
                "x": [r["as_of"] for r in rows],
                "y": [scheme] * len(rows),
                "text": [segment_label(r["segment"], lang) for r in rows],
                "textposition": "top center",
                "marker": {"size": 12, "color": _PALETTE[i % len(_PALETTE)]},
                "hovertemplate": "%{y}: %{text}<extra></extra>",
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            height=max(200, 70 + 45 * len(schemes)),
            showlegend=False,
            margin={"l": 100, "r": 20, "t": 20, "b": 40},
            yaxis={"type": "category"},
        ),
    }


def migration_sankey(migration: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return a Sankey of customers flowing from the earlier run's segments to the later run's."""
    cells = [c for c in migration["matrix"] if c["customers"]]
    new, gone = t("history.new", lang), t("history.gone", lang)
    sources = list(dict.fromkeys(c["from"] for c in cells))
    targets = list(dict.fromkeys(c["to"] for c in cells))
    labels = [segment_label(s, lang) if s is not None else new for s in sources] + [
        segment_label(s, lang) if s is not None else gone for s in targets
    ]
    names = list(dict.fromkeys(sources + targets))  # one colour per segment on both sides
    colours = [_colour(str(s), names.index(s)) for s in sources + targets]
    return {
        "data": [
            {
                "type": "sankey",
                "arrangement": "snap",
                "node": {"label": labels, "color": colours, "pad": 14, "thickness": 16},
                "link": {
                    "source": [sources.index(c["from"]) for c in cells],
                    "target": [len(sources) + targets.index(c["to"]) for c in cells],
                    "value": [c["customers"] for c in cells],
                    "color": "rgba(59, 91, 219, 0.25)",
                },
            }
        ],
        "layout": _layout(
            height=max(320, 40 * len(sources)), margin={"l": 10, "r": 10, "t": 10, "b": 10}
        ),
    }


def experiment_uplifts(results: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Return each treated variant's absolute uplift per segment with its interval (dots and bars)."""
    rows = [r for r in results if r.get("uplift_abs") is not None]
    variants = list(dict.fromkeys(r["variant"] for r in rows))
    traces = []
    for i, variant in enumerate(variants):
        mine = [r for r in rows if r["variant"] == variant]
        traces.append(
            _interval_dots(
                [
                    t("web.experiments.all", lang)
                    if r["segment"] == "all"
                    else segment_label(str(r["segment"]), lang)
                    for r in mine
                ],
                [r["uplift_abs"] for r in mine],
                [r["ci_low"] for r in mine],
                [r["ci_high"] for r in mine],
                horizontal=True,
                name=str(variant),
                marker={"size": 10, "color": _PALETTE[i % len(_PALETTE)]},
            )
        )
    return {
        "data": traces,
        "layout": _category_rows_layout(
            len(rows),
            220,
            36,
            xaxis={"title": t("web.experiments.uplift", lang), "zeroline": True},
        ),
    }


def validity_rates(entry: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return the churn rate of each segment over the horizon after one as_of, with intervals."""
    rows = [r for r in entry["segments"] if r["churn_rate"] is not None]
    return {
        "data": [
            _interval_dots(
                [segment_label(str(r["segment"]), lang) for r in rows],
                [r["churn_rate"] for r in rows],
                [r["ci_low"] for r in rows],
                [r["ci_high"] for r in rows],
                horizontal=True,
                marker={
                    "size": 10,
                    "color": [_colour(str(r["segment"]), i) for i, r in enumerate(rows)],
                },
                hovertemplate="%{y}: %{x:.1%}<extra></extra>",
            )
        ],
        "layout": _category_rows_layout(
            len(rows),
            200,
            32,
            xaxis={
                "title": t("web.validity.churn_rate", lang),
                "tickformat": ".0%",
                "rangemode": "tozero",
            },
        ),
    }
