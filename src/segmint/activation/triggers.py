"""Which customers a playbook's trigger selects in a run, and why an open action no longer applies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from segmint.activation.playbook_config import TriggerConfig


@dataclass(frozen=True)
class RunState:
    """What triggers read: this run's values and segments, and what changed since the last run.

    `segments` has customer_id, scheme, segment (tags as scheme "tag:<name>"); `changes` comes
    from `membership_changes` (None on a first run); `previous_values` is the previous snapshot's
    wide value table (None on a first run).
    """

    customers: pd.DataFrame
    segments: pd.DataFrame
    changes: pd.DataFrame | None = None
    previous_values: pd.DataFrame | None = None


@dataclass(frozen=True)
class Selection:
    """Per customer of the run: does the trigger fire now, and does it still hold (keeps an
    open action open)? Both are boolean Series indexed by customer_id."""

    fires: pd.Series
    holds: pd.Series


def _rows_of(frame: pd.DataFrame, trigger: TriggerConfig, name: str) -> pd.DataFrame:
    if trigger.kind == "tag":
        return frame[frame["scheme"].astype(str) == f"tag:{name}"]
    rows = frame[frame["segment"].astype(str) == name]
    if trigger.scheme:
        rows = rows[rows["scheme"].astype(str) == trigger.scheme]
    return rows


def _members(state: RunState, trigger: TriggerConfig, name: str) -> pd.Series:
    ids = set(_rows_of(state.segments, trigger, name)["customer_id"].astype(str))
    index = state.customers["customer_id"].astype(str)
    return pd.Series(index.isin(ids).to_numpy(), index=index.to_numpy())


def _changed(state: RunState, trigger: TriggerConfig, name: str, change: str) -> pd.Series:
    index = state.customers["customer_id"].astype(str)
    if state.changes is None:
        return pd.Series(False, index=index.to_numpy())
    rows = _rows_of(state.changes, trigger, name)
    ids = set(rows.loc[rows["change"] == change, "customer_id"].astype(str))
    return pd.Series(index.isin(ids).to_numpy(), index=index.to_numpy())


def _scores(frame: pd.DataFrame | None, column: str, index: pd.Index) -> pd.Series:
    if frame is None or column not in frame.columns:
        return pd.Series(float("nan"), index=index)
    values = pd.to_numeric(frame[column], errors="coerce")
    values.index = frame["customer_id"].astype(str).to_numpy()
    return values.reindex(index)


def select(trigger: TriggerConfig, state: RunState) -> Selection:
    """Return which customers the trigger fires for and for which it still holds."""
    kind = trigger.kind
    if kind in ("segment", "tag"):
        members = _members(state, trigger, str(getattr(trigger, kind)))
        return Selection(fires=members, holds=members)
    if kind == "entered":
        name = str(trigger.entered)
        return Selection(
            fires=_changed(state, trigger, name, "entered"), holds=_members(state, trigger, name)
        )
    if kind == "left":
        name = str(trigger.left)
        return Selection(
            fires=_changed(state, trigger, name, "left"), holds=~_members(state, trigger, name)
        )
    index = pd.Index(state.customers["customer_id"].astype(str))
    now = _scores(state.customers, str(trigger.score), index)
    before = _scores(state.previous_values, str(trigger.score), index)
    test, threshold = trigger.score_test
    beyond = now > threshold if test in ("above", "crosses_above") else now < threshold
    if test in ("above", "below"):
        return Selection(fires=beyond, holds=beyond)
    # Crossing: on the other side (or exactly at the threshold) in the previous snapshot.
    was_before = before <= threshold if test == "crosses_above" else before >= threshold
    return Selection(fires=beyond & was_before, holds=beyond)


def release_reason(
    trigger: TriggerConfig, state: RunState, customer_id: str
) -> tuple[str, dict[str, Any]]:
    """Return (reason code, arguments) saying why an open action of this trigger was cancelled."""
    if trigger.kind in ("segment", "tag", "entered"):
        name = str(getattr(trigger, trigger.kind))
        return ("left_tag" if trigger.kind == "tag" else "left_segment"), {"segment": name}
    if trigger.kind == "left":
        return "back_in_segment", {"segment": str(trigger.left)}
    _, threshold = trigger.score_test
    value = _scores(state.customers, str(trigger.score), pd.Index([customer_id])).iloc[0]
    return "score_back", {
        "score": str(trigger.score),
        "threshold": threshold,
        "value": None if pd.isna(value) else round(float(value), 4),
    }
