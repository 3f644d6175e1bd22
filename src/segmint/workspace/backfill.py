"""`segmint backfill`: the run pipeline as of each date of a range, building the history.

Point-in-time features make a run as of a past date see only the data before it. Re-running a
date whose snapshot was made with the same config replaces that snapshot (the old run is marked
`replaced`), so a backfill can be repeated without duplicating history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from segmint.config import SegmintConfig, config_hash
from segmint.errors import InputError
from segmint.progress import OnStage, StagePlan
from segmint.store import Store

_EVERY = re.compile(r"^\s*(\d+)\s*(mo|w|d)\s*$", re.IGNORECASE)
EVERY_UNITS = ("mo", "w", "d")


@dataclass(frozen=True)
class Step:
    """A backfill step: a count of months, weeks or days."""

    count: int
    unit: str

    def after(self, start: datetime, k: int) -> datetime:
        """Return the k-th date after `start` (months keep the day, clamped to the month's end)."""
        if self.unit == "mo":
            stamp = pd.Timestamp(start)
            moved = stamp + pd.DateOffset(months=self.count * k)
            return moved.to_pydatetime()
        days = self.count * k * (7 if self.unit == "w" else 1)
        return start + timedelta(days=days)


def parse_every(text: str) -> Step:
    """Return the step of `--every` written like 1mo, 2w or 7d; raise InputError otherwise."""
    match = _EVERY.match(text or "")
    if not match or int(match.group(1)) < 1:
        raise InputError(f"--every: expected a step like 1mo, 1w or 7d, got {text!r}")
    return Step(int(match.group(1)), match.group(2).lower())


def backfill_dates(start: datetime, end: datetime, every: Step) -> list[datetime]:
    """Return the dates from `start` to `end` (both included when on the step) every `every`."""
    if start > end:
        raise InputError(f"--from {start:%Y-%m-%d} is after --to {end:%Y-%m-%d}")
    dates = []
    k = 0
    while (date := every.after(start, k)) <= end:
        dates.append(date)
        k += 1
    return dates


@dataclass
class BackfillResult:
    """What a backfill did: one entry per date (run id, replaced runs, customers, changes)."""

    dates: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary."""
        return {"runs": self.dates}


def backfill_workspace(
    root: Path,
    config: SegmintConfig,
    store: Store,
    *,
    start: datetime,
    end: datetime,
    every: Step,
    on_step: OnStage | None = None,
) -> BackfillResult:
    """Run the pipeline as of every date of the range; replace same-config snapshots of a date."""
    from segmint.analysis.changes import refresh_segment_changes
    from segmint.workspace.run import run_workspace
    from segmint.workspace_data import data_end

    dates = backfill_dates(start, end, every)
    newest = data_end(store)
    late = [d for d in dates if d > newest + timedelta(days=1)]
    if late:
        raise InputError(
            f"--to {end:%Y-%m-%d} is after the data ends ({newest:%Y-%m-%d}); "
            "a snapshot there would see no new data"
        )
    plan = StagePlan("backfill", ["backfill_date"] * len(dates), on_step)
    digest = config_hash(config)
    result = BackfillResult()
    for date in dates:
        plan.start("backfill_date", subject=f"{date:%Y-%m-%d}")
        earlier = store.same_snapshot_runs(date, digest)
        run = run_workspace(root, config, store, as_of=date, on_step=plan.nested(),
                            write_report=False)  # fmt: skip
        for old in earlier:
            store.replace_snapshot(old, by_run_id=run.run_id)
        changes = len(store.segment_changes(run.run_id))  # recorded by the run's history stage
        result.dates.append(
            {
                "as_of": date.isoformat(),
                "run_id": run.run_id,
                "replaced_runs": earlier,
                "customers": len(run.customers),
                "segment_changes": changes,
            }
        )
    if dates:
        # Later snapshots now have a different predecessor: their stored changes are recomputed.
        refresh_segment_changes(store, since=dates[0])
    return result
