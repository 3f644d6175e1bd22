"""Plan the action queue of a run: new actions due, open ones kept or cancelled, capacity applied.

Pure: takes the stored actions and the run's state, returns the new table and the history rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from segmint.activation.messages import render_message, template_fields
from segmint.activation.playbook_config import OwnerConfig, PlaybookConfig
from segmint.activation.triggers import RunState, release_reason, select
from segmint.errors import ConfigError

STATUSES = ("due", "dropped", "sent", "done", "skipped", "cancelled")
OPEN_STATUSES = ("due", "dropped")
CLOSED_STATUSES = ("sent", "done", "skipped")  # an occurrence handled: counts for the cadence
ACTION_COLUMNS = [
    "action_id", "customer_id", "playbook", "action", "channel", "owner", "priority", "hours",
    "due_at", "status", "reason_code", "reason_args", "message", "created_run", "updated_run",
    "updated_at", "note",
]  # fmt: skip
_FILLED_COLUMNS = ("action", "channel", "owner", "priority", "hours", "message")
HISTORY_COLUMNS = [
    "action_id", "changed_at", "run_id", "status", "previous_status", "reason_code",
    "reason_args", "note", "changed_by",
]  # fmt: skip


@dataclass
class QueuePlan:
    """The whole actions table after a run, and the history rows of what the run changed."""

    actions: pd.DataFrame
    history: pd.DataFrame


def empty_actions() -> pd.DataFrame:
    """Return an empty actions table with its columns."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in ACTION_COLUMNS})


def action_id(playbook: str, customer_id: str, due_at: datetime, taken: set[str]) -> str:
    """Return a stable id for an action (same playbook, customer and date → same id)."""
    attempt = 0
    while True:
        key = f"{playbook}\x1f{customer_id}\x1f{due_at:%Y-%m-%d}\x1f{attempt}"
        candidate = "A" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
        if candidate not in taken:
            return candidate
        attempt += 1


def plan_queue(
    existing: pd.DataFrame,
    playbooks: Mapping[str, PlaybookConfig],
    state: RunState,
    *,
    run_id: int,
    as_of: datetime,
    owners: Mapping[str, OwnerConfig],
    now: datetime,
) -> QueuePlan:
    """Return the action queue after a run as of `as_of` (idempotent for the same as_of)."""
    actions = _as_objects(existing.reindex(columns=ACTION_COLUMNS))
    actions["_before"] = actions["status"]
    by_id = state.customers.assign(customer_id=state.customers["customer_id"].astype(str))
    rows = {
        cid: row for cid, row in zip(by_id["customer_id"], by_id.to_dict("records"), strict=True)
    }
    selections = {name: select(book.trigger_for(name), state) for name, book in playbooks.items()}
    open_rows = actions["status"].isin(OPEN_STATUSES)

    # 1. Open actions: cancelled when their trigger no longer holds, else refreshed.
    open_index = list(actions.index[open_rows])
    cancelled: list[tuple[Any, str, str]] = []
    refreshed: list[Any] = []
    for i, name, cid in zip(
        open_index,
        actions.loc[open_rows, "playbook"].astype(str),
        actions.loc[open_rows, "customer_id"].astype(str),
        strict=True,
    ):
        code: str | None = None
        args: dict[str, Any] = {}
        if name not in playbooks:
            code, args = "playbook_removed", {"playbook": name}
        elif cid not in rows:
            code = "customer_gone"
        elif not bool(selections[name].holds.get(cid, False)):
            code, args = release_reason(playbooks[name].trigger_for(name), state, cid)
        if code is None:
            refreshed.append(i)
        else:
            cancelled.append((i, code, json.dumps(args, ensure_ascii=False)))
    if cancelled:
        where = [i for i, _, _ in cancelled]
        actions.loc[where, "status"] = "cancelled"
        actions.loc[where, "reason_code"] = pd.Series([c for _, c, _ in cancelled], index=where)
        actions.loc[where, "reason_args"] = pd.Series([a for _, _, a in cancelled], index=where)
    if open_index:
        actions.loc[open_index, "updated_run"] = run_id

    # 2. New actions: the trigger fires, nothing open, and the cadence allows another one.
    is_open = actions["status"].isin(OPEN_STATUSES)
    still_open = set(
        zip(
            actions.loc[is_open, "playbook"].astype(str),
            actions.loc[is_open, "customer_id"].astype(str),
            strict=True,
        )
    )
    last_handled = _last_handled(actions)
    taken = set(actions["action_id"].astype(str))
    new_rows = []
    for name, book in playbooks.items():
        fired = selections[name].fires
        for cid in sorted(fired.index[fired.to_numpy(dtype=bool)]):
            if (name, cid) in still_open:
                continue
            handled = last_handled.get((name, cid))
            if handled is not None and (
                book.cadence_days is None or as_of < handled + timedelta(days=book.cadence_days)
            ):
                continue
            new_id = action_id(name, cid, as_of, taken)
            taken.add(new_id)
            new_rows.append(
                {"action_id": new_id, "customer_id": cid, "playbook": name, "due_at": as_of,
                 "status": "due", "created_run": run_id, "updated_run": run_id, "_before": None}
            )  # fmt: skip
    to_fill = refreshed
    if new_rows:
        added = _as_objects(pd.DataFrame(new_rows).reindex(columns=[*ACTION_COLUMNS, "_before"]))
        start = len(actions)
        added.index = pd.RangeIndex(start, start + len(added))
        actions = pd.concat([actions, added]) if len(actions) else added
        to_fill = refreshed + list(added.index)

    # The playbook's current action, channel, owner, priority, hours and message, set in bulk
    # (one assignment per column: row-wise .loc writes cost milliseconds each).
    if to_fill:
        filled = [
            _filled(name, playbooks[name], rows[cid], as_of)
            for name, cid in zip(
                actions.loc[to_fill, "playbook"].astype(str),
                actions.loc[to_fill, "customer_id"].astype(str),
                strict=True,
            )
        ]
        for k, column in enumerate(_FILLED_COLUMNS):
            actions.loc[to_fill, column] = pd.Series(
                [v[k] for v in filled], index=to_fill, dtype=object
            )

    # 3. Capacity: each owner's open actions, highest priority first, until the hours run out.
    actions = apply_capacity(actions, owners, playbook_order=list(playbooks))

    changed = actions["status"].astype(str) != actions["_before"].astype(str)
    actions.loc[changed, "updated_at"] = now
    history = actions.loc[changed, ["action_id", "status", "_before", "reason_code", "reason_args"]]
    history = history.rename(columns={"_before": "previous_status"}).assign(
        changed_at=now, run_id=run_id, note=None, changed_by="run"
    )
    actions = actions.drop(columns="_before").sort_values(
        ["due_at", "priority", "action_id"], ignore_index=True
    )
    return QueuePlan(actions[ACTION_COLUMNS], history.reindex(columns=HISTORY_COLUMNS))


def apply_capacity(
    actions: pd.DataFrame, owners: Mapping[str, OwnerConfig], *, playbook_order: list[str]
) -> pd.DataFrame:
    """Return `actions` with each owner's open actions beyond their weekly hours marked dropped.

    Highest priority (1) first, then the longest waiting, then config order and customer id; the
    first action that no longer fits and every one after it are dropped.
    """
    out = actions.copy()
    open_rows = out["status"].isin(OPEN_STATUSES)
    out.loc[open_rows, ["status", "reason_code", "reason_args"]] = ["due", None, None]
    order = {name: i for i, name in enumerate(playbook_order)}
    for owner, limit in owners.items():
        mine = out[open_rows & (out["owner"].astype(str) == owner)].copy()
        if mine.empty:
            continue
        mine["_order"] = mine["playbook"].map(order).fillna(len(order))
        mine = mine.sort_values(["priority", "due_at", "_order", "customer_id", "action_id"])
        hours = pd.to_numeric(mine["hours"], errors="coerce").fillna(0.0)
        total = float(hours.sum())
        # Hours are never negative, so once one action does not fit every later one waits too:
        # a small low-priority action never jumps ahead of a big urgent one.
        over = hours.cumsum() > limit.hours_per_week + 1e-9
        args = json.dumps(
            {"owner": owner, "capacity": limit.hours_per_week, "hours": round(total, 2)},
            ensure_ascii=False,
        )
        out.loc[mine.index[over.to_numpy()], ["status", "reason_code", "reason_args"]] = [
            "dropped",
            "over_capacity",
            args,
        ]
    return out


def _as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    # Columns start empty (float NaN) and are filled cell by cell with text, numbers and times.
    return frame.astype(object)


def _last_handled(actions: pd.DataFrame) -> dict[tuple[str, str], datetime]:
    handled = actions[actions["status"].isin(CLOSED_STATUSES)]
    if handled.empty:
        return {}
    latest = handled.groupby(["playbook", "customer_id"])["due_at"].max().reset_index()
    return {
        (str(p), str(c)): pd.Timestamp(v).to_pydatetime()
        for p, c, v in zip(latest["playbook"], latest["customer_id"], latest["due_at"], strict=True)
    }


def _filled(
    name: str, book: PlaybookConfig, customer: Mapping[Any, Any], as_of: datetime
) -> tuple[Any, ...]:
    """Return the playbook's action, channel, owner, priority, hours and message for a customer."""
    owner = book.owner
    if book.owner_column:
        value = customer.get(book.owner_column)
        if value is not None and not pd.isna(value) and str(value).strip():
            owner = str(value).strip()
    message = None
    if book.message is not None:
        fields = {k: (None if _missing(v) else v) for k, v in customer.items()}
        fields.update(playbook=name, action=book.action, owner=owner, as_of=f"{as_of:%Y-%m-%d}")
        # A score an optional step did not produce in this run (no churn model, say) prints as
        # nothing: names are checked by `segmint validate`, not when the message goes out.
        for field in template_fields(book.message):
            fields.setdefault(field, None)
        try:
            message = render_message(book.message, fields)
        except ValueError as exc:
            raise ConfigError(
                f"playbooks.{name}.message: {exc} (customer {customer.get('customer_id')})"
            ) from None
    return (book.action, book.channel, owner, book.priority, book.hours, message)


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are values, not missing
        return False
