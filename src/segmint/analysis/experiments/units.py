"""One row per assigned customer: variant, segment, the metric and its pre-period value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from segmint.analysis.experiments.analysis import AnalysisOptions, analyze_units
from segmint.analysis.experiments.metrics import metric_values
from segmint.errors import InputError


@dataclass(frozen=True)
class Window:
    """The measurement window [start, end) and the pre-period [pre_start, start) for CUPED."""

    start: datetime
    end: datetime
    pre_start: datetime

    def to_dict(self) -> dict[str, str]:
        """Return the window as ISO dates."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "pre_start": self.pre_start.isoformat(),
        }


def measurement_window(start: datetime, end: datetime, pre_start: datetime | None = None) -> Window:
    """Return the window; the pre-period is as long as the window unless `pre_start` is given."""
    if not start < end:
        raise InputError(
            f"the measurement window is empty: start {start:%Y-%m-%d %H:%M} is not before end "
            f"{end:%Y-%m-%d %H:%M}; pass --start and --end"
        )
    pre = pre_start if pre_start is not None else start - (end - start)
    if not pre < start:
        raise InputError(f"--pre-start {pre:%Y-%m-%d} must be before --start {start:%Y-%m-%d}")
    return Window(start, end, pre)


def experiment_units(
    assignments: pd.DataFrame,
    outcomes: ir.Table,
    metric: str,
    window: Window,
    *,
    pre_values: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, int]:
    """Return (units, customers with outcomes in the window who were never assigned).

    Every assigned customer gets a value; no outcome rows means 0, not missing.
    """
    values = metric_values(outcomes, metric, start=window.start, end=window.end)
    assigned = assignments[["customer_id", "variant", "segment"]].copy()
    assigned["customer_id"] = assigned["customer_id"].astype(str)
    units = assigned.merge(values, on="customer_id", how="left")
    units["value"] = units["value"].fillna(0.0)
    if pre_values is None:
        pre_values = metric_values(outcomes, metric, start=window.pre_start, end=window.start)
        pre_values = pre_values.rename(columns={"value": "pre"})
    units = units.merge(pre_values[["customer_id", "pre"]], on="customer_id", how="left")
    units["pre"] = units["pre"].fillna(0.0)
    unassigned = int((~values["customer_id"].isin(set(assigned["customer_id"]))).sum())
    return units.sort_values("customer_id", ignore_index=True), unassigned


def analyze(
    experiment: str,
    metric: str,
    units: pd.DataFrame,
    options: AnalysisOptions,
    window: Window,
    *,
    unassigned: int = 0,
    notes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return the experiment payload with its window and warnings (unassigned outcomes counted)."""
    payload = analyze_units(experiment, metric, units, options)
    payload["window"] = window.to_dict()
    extra = list(notes or [])
    if unassigned:
        extra.append(
            {
                "code": "unassigned_outcomes",
                "message": f"{unassigned:,} customers have outcome rows in the window but were "
                "never assigned; they are not in the results",
                "customers": unassigned,
            }
        )
    payload["warnings"] = payload["warnings"] + extra
    return payload


def default_end(last: datetime | None) -> datetime:
    """Return midnight after the newest outcome row (every row is then inside the window)."""
    if last is None:
        raise InputError("the outcomes hold no rows; nothing to measure")
    return (pd.Timestamp(last).normalize() + timedelta(days=1)).to_pydatetime()
