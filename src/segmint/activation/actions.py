"""Action queue services: compute it for a run, list it, record what was done, summarise it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from segmint.activation.action_store import (
    bookkeeping_now,
    has_action_queue,
    load_actions,
    load_history,
    newest_queue_as_of,
    record_status,
    save_queue,
)
from segmint.activation.changes import membership_changes
from segmint.activation.playbook_config import OwnerConfig
from segmint.activation.queue import CLOSED_STATUSES, OPEN_STATUSES, STATUSES, plan_queue
from segmint.activation.triggers import RunState
from segmint.config import SegmintConfig
from segmint.errors import InputError
from segmint.i18n import has_message, t
from segmint.store import Store

SETTABLE_STATUSES = CLOSED_STATUSES
TOP_DUE_SHOWN = 15
LISTED_COLUMNS = [
    "action_id", "customer_id", "playbook", "action", "channel", "owner", "priority", "due_at",
    "status", "reason",
]  # fmt: skip


@dataclass
class QueueSummary:
    """The queue after a run: counts by status, by playbook and each owner's load and capacity."""

    as_of: str | None
    statuses: dict[str, int]
    playbooks: list[dict[str, Any]]
    owners: list[dict[str, Any]]
    top_due: list[dict[str, Any]] = field(default_factory=list)
    skipped_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-ready data."""
        return {
            "as_of": self.as_of,
            "statuses": self.statuses,
            "playbooks": self.playbooks,
            "owners": self.owners,
            "top_due": self.top_due,
            "skipped_reason": self.skipped_reason,
        }


def compute_action_queue(
    store: Store,
    config: SegmintConfig,
    *,
    run_id: int,
    as_of: datetime,
    customers: pd.DataFrame,
    segments: pd.DataFrame,
    now: datetime | None = None,
) -> QueueSummary | None:
    """Update the workspace's action queue for a run; return its summary (None: no playbooks).

    Idempotent for one as_of: a second run for it changes nothing and returns the same summary. A run for an earlier date than the queue's newest leaves the queue
    alone (a backfill must not reopen or cancel today's actions).
    """
    if not config.playbooks and not has_action_queue(store):
        return None
    newest = newest_queue_as_of(store)
    if newest is not None and as_of < newest:
        summary = summarise_queue(load_actions(store), config.owners, as_of=f"{newest:%Y-%m-%d}")
        summary.skipped_reason = f"{newest:%Y-%m-%d}"
        return summary
    previous_run = store.previous_snapshot_run(as_of)
    previous_segments = store.snapshot_segments(previous_run) if previous_run else None
    state = RunState(
        customers=customers,
        segments=segments,
        changes=membership_changes(segments, previous_segments)
        if previous_segments is not None
        else None,
        previous_values=store.snapshot_values(previous_run) if previous_run else None,
    )
    stamp = now or bookkeeping_now()
    plan = plan_queue(
        load_actions(store),
        config.playbooks,
        state,
        run_id=run_id,
        as_of=as_of,
        owners=config.owners,
        now=stamp,
    )
    save_queue(store, plan.actions, plan.history, run_id=run_id, as_of=as_of, now=stamp)
    summary = summarise_queue(plan.actions, config.owners, as_of=f"{as_of:%Y-%m-%d}")
    return summary


def summarise_queue(
    actions: pd.DataFrame, owners: Mapping[str, OwnerConfig], *, as_of: str | None
) -> QueueSummary:
    """Return counts by status, open actions per playbook and each owner's hours and capacity."""
    statuses = {s: int((actions["status"] == s).sum()) for s in STATUSES}
    open_actions = actions[actions["status"].isin(OPEN_STATUSES)]
    playbooks = [
        {
            "playbook": str(name),
            "action": str(group["action"].iloc[0]),
            "channel": str(group["channel"].iloc[0]),
            "due": int((group["status"] == "due").sum()),
            "dropped": int((group["status"] == "dropped").sum()),
        }
        for name, group in open_actions.groupby("playbook", sort=True)
    ]
    hours = pd.to_numeric(open_actions["hours"], errors="coerce").fillna(0.0)
    owner_rows: list[dict[str, Any]] = []
    for owner, group in open_actions.assign(_hours=hours).groupby("owner", sort=True):
        limit = owners.get(str(owner))
        due = group[group["status"] == "due"]
        owner_rows.append(
            {
                "owner": str(owner),
                "due": len(due),
                "dropped": int((group["status"] == "dropped").sum()),
                "hours_due": round(float(due["_hours"].sum()), 2),
                "hours_wanted": round(float(group["_hours"].sum()), 2),
                "hours_per_week": limit.hours_per_week if limit else None,
                "over_capacity": bool(limit and group["_hours"].sum() > limit.hours_per_week),
            }
        )
    owner_rows.sort(key=lambda r: (not r["over_capacity"], -r["hours_wanted"], r["owner"]))
    due = open_actions[open_actions["status"] == "due"].sort_values(
        ["priority", "due_at", "playbook", "customer_id", "action_id"]
    )
    top_due = [
        {
            "action_id": str(row["action_id"]),
            "customer_id": str(row["customer_id"]),
            "playbook": str(row["playbook"]),
            "owner": str(row["owner"]),
            "priority": int(row["priority"]),
            "message": None if pd.isna(row["message"]) else str(row["message"]),
        }
        for row in due.head(TOP_DUE_SHOWN).to_dict("records")
    ]
    return QueueSummary(as_of, statuses, playbooks, owner_rows, top_due)


def queue_summary(store: Store, config: SegmintConfig) -> QueueSummary:
    """Return the summary of the stored queue (as of the newest run that computed it)."""
    newest = newest_queue_as_of(store)
    return summarise_queue(
        load_actions(store), config.owners, as_of=f"{newest:%Y-%m-%d}" if newest else None
    )


def list_actions(
    store: Store,
    *,
    status: str | None = None,
    owner: str | None = None,
    playbook: str | None = None,
    customer_id: str | None = None,
    lang: str = "en",
) -> list[dict[str, Any]]:
    """Return the stored actions (filtered), highest priority and oldest first, reasons in `lang`."""
    if status is not None and status not in (*STATUSES, "open"):
        raise InputError(
            f"--status: unknown status {status!r}; allowed: open, {', '.join(STATUSES)}"
        )
    actions = load_actions(store)
    if status == "open":
        actions = actions[actions["status"].isin(OPEN_STATUSES)]
    elif status is not None:
        actions = actions[actions["status"] == status]
    for column, value in (("owner", owner), ("playbook", playbook), ("customer_id", customer_id)):
        if value is not None:
            actions = actions[actions[column].astype(str) == value]
    actions = actions.sort_values(["priority", "due_at", "playbook", "customer_id", "action_id"])
    return [_listed(row, lang) for row in actions.to_dict("records")]


def set_action_status(
    store: Store,
    action_id: str,
    status: str,
    *,
    note: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Record that an action was done, skipped or sent (at `at`, default now); return it updated."""
    if status not in SETTABLE_STATUSES:
        raise InputError(f"unknown status {status!r}; allowed: {', '.join(SETTABLE_STATUSES)}")
    actions = load_actions(store)
    match = actions[actions["action_id"] == action_id]
    if match.empty:
        raise InputError(
            f"no action {action_id!r} in this workspace; list them with `segmint actions`"
        )
    previous = str(match["status"].iloc[0])
    if previous == "cancelled":
        raise InputError(
            f"action {action_id} was cancelled by a run ({reason_text(match.iloc[0].to_dict(), 'en')}); "
            "it is no longer due"
        )
    if at is None:
        at = bookkeeping_now().replace(microsecond=0)
    # A clock truncated to seconds can fall before the run's own entry; history must stay causal.
    earlier = load_history(store, action_id)["changed_at"]
    if not earlier.empty and pd.notna(earlier.max()):
        at = max(at, pd.Timestamp(earlier.max()).to_pydatetime())
    record_status(store, action_id, status, previous=previous, note=note, at=at)
    updated = load_actions(store)
    return _listed(updated[updated["action_id"] == action_id].iloc[0].to_dict(), "en")


def action_history(store: Store, action_id: str, *, lang: str = "en") -> list[dict[str, Any]]:
    """Return every status change of one action, oldest first (reasons in `lang`)."""
    actions = load_actions(store)
    if not (actions["action_id"] == action_id).any():
        raise InputError(
            f"no action {action_id!r} in this workspace; list them with `segmint actions`"
        )
    rows = load_history(store, action_id)
    out = []
    for row in rows.to_dict("records"):
        out.append(
            {
                "changed_at": _iso(row["changed_at"]),
                "status": row["status"],
                "previous_status": None
                if pd.isna(row["previous_status"])
                else row["previous_status"],
                "by": "user" if row["changed_by"] == "user" else f"run {row['run_id']}",
                "run_id": None if pd.isna(row["run_id"]) else int(row["run_id"]),
                "reason": reason_text(row, lang),
                "note": None if pd.isna(row["note"]) else row["note"],
            }
        )
    return out


def reason_text(row: Mapping[Any, Any], lang: str) -> str:
    """Return why an action has its status, in words ("" when there is nothing to say)."""
    code = row.get("reason_code")
    if code is None or pd.isna(code):
        return ""
    raw = row.get("reason_args")
    args = json.loads(raw) if isinstance(raw, str) and raw else {}
    key = f"actions.reason.{code}"
    if not has_message(key):
        return str(code)
    if "value" in args and args["value"] is None:
        args["value"] = "–"
    return t(key, lang, **{k: _short(v) for k, v in args.items()})


def _short(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:g}"
    return value


def _listed(row: Mapping[Any, Any], lang: str) -> dict[str, Any]:
    out = {c: row.get(c) for c in LISTED_COLUMNS if c != "reason"}
    out["priority"] = None if pd.isna(row.get("priority")) else int(row["priority"])
    out["due_at"] = _iso(row.get("due_at"))[:10]
    out["reason"] = reason_text(row, lang)
    out["reason_code"] = None if pd.isna(row.get("reason_code")) else row.get("reason_code")
    out["hours"] = None if pd.isna(row.get("hours")) else float(row["hours"])
    out["message"] = None if pd.isna(row.get("message")) else row.get("message")
    out["note"] = None if pd.isna(row.get("note")) else row.get("note")
    out["updated_at"] = _iso(row.get("updated_at")) or None
    return out


def _iso(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).isoformat(sep=" ", timespec="seconds")


def action_queue_view(
    store: Store,
    config: SegmintConfig,
    *,
    status: str | None = None,
    owner: str | None = None,
    playbook: str | None = None,
    customer_id: str | None = None,
    limit: int | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """Return what `segmint actions` shows: the queue summary and the matching actions."""
    if not has_action_queue(store):
        return {"as_of": None, "summary": None, "count": 0, "total": 0, "data": []}
    rows = list_actions(
        store, status=status, owner=owner, playbook=playbook, customer_id=customer_id, lang=lang
    )
    summary = queue_summary(store, config)
    return {
        "as_of": summary.as_of,
        "summary": summary.to_dict(),
        "count": len(rows[:limit] if limit else rows),
        "total": len(rows),
        "data": rows[:limit] if limit else rows,
    }
