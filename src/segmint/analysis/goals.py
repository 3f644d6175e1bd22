"""Goals per segment: the latest value of a KPI with its interval, its trend, and whether on track.

On track means the least-squares line through the KPI's values at every stored run (value
against as_of) reaches the target by the goal's date. With one run there is no trend yet; after
the date, the latest value decides.

Each run's KPIs are the ones it stored (`snapshot_kpis`). A run from before KPIs were stored, or
stored with other KPI options, has them recomputed from today's data; the payload lists those
runs (`recomputed_runs`) so that the output can say so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from segmint.analysis.kpis import KPI_ORDER
from segmint.config import GoalConfig, SegmintConfig
from segmint.errors import ConfigError, InputError

# KPIs where less is better: a goal on them defaults to "below".
LOWER_IS_BETTER = frozenset({"churn_rate"})


def goal_direction(goal: GoalConfig) -> str:
    """Return "below" or "above": the configured direction, else below for churn, above otherwise."""
    if goal.direction is not None:
        return goal.direction
    return "below" if goal.kpi in LOWER_IS_BETTER else "above"


def linear_projection(points: list[tuple[datetime, float]], when: datetime) -> tuple[float, float]:
    """Return (slope per day, value at `when`) of the least-squares line through the points."""
    days = np.array([(p[0] - points[0][0]).total_seconds() / 86400 for p in points])
    values = np.array([p[1] for p in points], dtype=float)
    slope, intercept = np.polyfit(days, values, 1)
    target_day = (when - points[0][0]).total_seconds() / 86400
    return float(slope), float(intercept + slope * target_day)


def goal_status(
    goal: GoalConfig, trend: list[dict[str, Any]], latest: dict[str, Any] | None
) -> dict[str, Any]:
    """Return the judgement of one goal from its KPI values per run (oldest first)."""
    direction = goal_direction(goal)
    meets: Callable[[float], bool] = (
        (lambda v: v <= goal.target) if direction == "below" else (lambda v: v >= goal.target)
    )
    points = [
        (pd.Timestamp(p["as_of"]).to_pydatetime(), float(p["value"]))
        for p in trend
        if p["value"] is not None
    ]
    deadline = datetime.combine(goal.by, datetime.min.time())
    out: dict[str, Any] = {
        "met": None if latest is None or latest["value"] is None else meets(latest["value"]),
        "slope_per_day": None,
        "projected": None,
        "on_track": None,
        "reason": None,
        "reason_code": None,
    }
    if not points:
        return out | _reason("no_value", "the KPI has no value for this segment in any run")
    if points[-1][0] >= deadline:
        out["on_track"] = out["met"]
        return out | _reason(
            "date_passed", f"the date {goal.by.isoformat()} has passed: the latest value decides"
        )
    if len({p[0] for p in points}) < 2:
        return out | _reason(
            "one_run", "one run only: `segmint backfill` earlier dates to see a trend"
        )
    slope, projected = linear_projection(points, deadline)
    out.update(slope_per_day=slope, projected=projected, on_track=meets(projected))
    return out


def workspace_goals(
    config: SegmintConfig, history_of: Callable[[str], dict[str, Any]]
) -> dict[str, Any]:
    """Return every configured goal with its latest value, trend and whether it is on track.

    `history_of(scheme)` returns the `workspace_history` payload (with KPIs) of a scheme.
    """
    if not config.goals:
        raise InputError("segmint.yaml has no `goals:`; see the goals section of the docs")
    histories: dict[str, dict[str, Any]] = {}
    results = []
    for index, goal in enumerate(config.goals):
        where = f"goals[{index}]"
        if goal.kpi not in KPI_ORDER:
            raise ConfigError(
                f"{where}.kpi: unknown KPI {goal.kpi!r}; KPIs: {', '.join(KPI_ORDER)}"
            )
        if goal.scheme not in histories:
            try:
                histories[goal.scheme] = history_of(goal.scheme)
            except InputError as exc:
                raise ConfigError(f"{where}.scheme: {exc}") from None
        history = histories[goal.scheme]
        segments = sorted({s["segment"] for r in history["runs"] for s in r["segments"]})
        if goal.segment not in segments:
            raise ConfigError(
                f"{where}.segment: unknown segment {goal.segment!r} in scheme {goal.scheme!r}; "
                f"segments: {', '.join(segments)}"
            )
        trend = [_point(run, goal) for run in history["runs"]]
        latest = trend[-1] if trend else None
        results.append(
            {
                "name": goal.name or f"{goal.kpi} of {goal.segment}",
                "kpi": goal.kpi,
                "scheme": goal.scheme,
                "segment": goal.segment,
                "target": goal.target,
                "by": goal.by.isoformat(),
                "direction": goal_direction(goal),
                "latest": latest,
                "trend": [
                    {k: p[k] for k in ("run_id", "as_of", "value", "kpis_source")} for p in trend
                ],
                **goal_status(goal, trend, latest),
            }
        )
    window = next(iter(histories.values()))["window_days"] if histories else None
    return {
        "window_days": window,
        "goals": results,
        "recomputed_runs": recomputed_runs(histories.values()),
    }


def recomputed_runs(histories: Iterable[dict[str, Any]]) -> list[int]:
    """Return the runs whose KPIs were recomputed now instead of read from the run (oldest first)."""
    runs = {
        int(run["run_id"])
        for history in histories
        for run in history["runs"]
        if run.get("kpis_source") == "recomputed"
    }
    return sorted(runs)


def _reason(code: str, text: str) -> dict[str, str]:
    return {"reason_code": code, "reason": text}


def _point(run: dict[str, Any], goal: GoalConfig) -> dict[str, Any]:
    segment = next((s for s in run["segments"] if s["segment"] == goal.segment), None)
    kpi = None if segment is None else segment["kpis"].get(goal.kpi)
    value = None if kpi is None else kpi.get("value")
    return {
        "run_id": run["run_id"],
        "as_of": run["as_of"],
        "value": _finite(value),
        "ci_low": _finite(None if kpi is None else kpi.get("ci_low")),
        "ci_high": _finite(None if kpi is None else kpi.get("ci_high")),
        "kpis_source": run.get("kpis_source", "stored"),
    }


def _finite(value: Any) -> float | None:
    return None if value is None or not math.isfinite(float(value)) else float(value)
