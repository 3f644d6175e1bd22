"""Entered/exited: which customers changed segment between a run and the snapshot before it.

A change is a customer whose segment in a scheme differs between two snapshots, including
customers new to the scheme (`from_segment` null) and customers gone from it (`to_segment` null).
Only schemes both runs know are compared (a scheme added to the config produces no flood of
"entered" rows); tags (`tag:NAME`) are compared whenever either run tagged anyone, because an
untagged customer is simply absent from the tag's rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from segmint.store import SEGMENT_CHANGE_COLUMNS, Store

CHANGE_COLUMNS: tuple[str, ...] = ("scheme", "customer_id", "from_segment", "to_segment")


def assignment_changes(before: ir.Table, after: ir.Table) -> ir.Table:
    """Return scheme, customer_id, from_segment, to_segment where the segment differs.

    `before` and `after` hold customer_id, scheme, segment (one row per customer and scheme).
    """
    left = before.select(
        before.customer_id, before.scheme, from_segment=before.segment.cast("string")
    )
    right = after.select(
        after.customer_id.name("customer_id_after"),
        after.scheme.name("scheme_after"),
        to_segment=after.segment.cast("string"),
    )
    joined = left.outer_join(
        right,
        [left.customer_id == right.customer_id_after, left.scheme == right.scheme_after],
    )
    both = joined.select(
        scheme=ibis.coalesce(joined.scheme, joined.scheme_after),
        customer_id=ibis.coalesce(joined.customer_id, joined.customer_id_after),
        from_segment=joined.from_segment,
        to_segment=joined.to_segment,
    )
    return both.filter(~both.from_segment.identical_to(both.to_segment))


def compared_schemes(before: list[str], after: list[str]) -> list[str]:
    """Return the schemes whose changes are recorded: in both runs, or tags in either."""
    in_both = [s for s in after if s in before and not s.startswith("tag:")]
    tags = sorted({s for s in [*before, *after] if s.startswith("tag:")})
    return [*in_both, *tags]


def run_segment_changes(store: Store, run_id: int) -> pd.DataFrame:
    """Return the segment changes of `run_id` against the newest earlier snapshot (may be empty).

    Columns: SEGMENT_CHANGE_COLUMNS. The first snapshot (nothing earlier) has no changes.
    """
    as_of = _run_as_of(store, run_id)
    previous = store.previous_snapshot_run(as_of)
    if previous is None:
        return pd.DataFrame(columns=list(SEGMENT_CHANGE_COLUMNS))
    return changes_between(store, previous, run_id).assign(run_id=run_id, as_of=as_of)[
        list(SEGMENT_CHANGE_COLUMNS)
    ]


def changes_between(store: Store, from_run: int, to_run: int) -> pd.DataFrame:
    """Return scheme, customer_id, from_segment, to_segment between two stored snapshots."""
    snapshots = store.ibis().table("snapshot_segments")
    before = snapshots.filter(snapshots.run_id == from_run)
    after = snapshots.filter(snapshots.run_id == to_run)
    schemes = compared_schemes(_schemes(store, from_run), _schemes(store, to_run))
    if not schemes:
        return pd.DataFrame(columns=list(CHANGE_COLUMNS))
    changes = assignment_changes(before, after)
    changes = changes.filter(changes.scheme.isin(schemes))
    frame = changes.to_pandas()
    return frame.sort_values(["scheme", "customer_id"], ignore_index=True)[list(CHANGE_COLUMNS)]


def record_segment_changes(store: Store, run_id: int) -> int:
    """Compute and store the segment changes of `run_id`; return how many rows were stored."""
    changes = run_segment_changes(store, run_id)
    store.save_segment_changes(run_id, changes)
    return len(changes)


def refresh_segment_changes(store: Store, *, since: datetime) -> dict[int, int]:
    """Recompute the stored changes of every snapshot as of `since` or later; return row counts.

    A snapshot inserted into the history (a backfill of an earlier date) changes what the runs
    after it are compared with; this keeps their stored changes true.
    """
    runs = store.snapshot_runs()
    later = runs[pd.to_datetime(runs["as_of"]) >= pd.Timestamp(since)]
    return {int(r): record_segment_changes(store, int(r)) for r in later["run_id"][::-1]}


def change_summary(changes: pd.DataFrame) -> list[dict[str, Any]]:
    """Return per segment how many customers entered and exited it (new/gone count as such)."""
    entered = changes["to_segment"].dropna().astype(str).value_counts()
    exited = changes["from_segment"].dropna().astype(str).value_counts()
    names = sorted(set(entered.index) | set(exited.index))
    return [
        {
            "segment": name,
            "entered": int(entered.get(name, 0)),
            "exited": int(exited.get(name, 0)),
            "net": int(entered.get(name, 0)) - int(exited.get(name, 0)),
        }
        for name in names
    ]


def _schemes(store: Store, run_id: int) -> list[str]:
    rows = store.frame(
        "SELECT DISTINCT scheme FROM snapshot_segments WHERE run_id = ? ORDER BY scheme", [run_id]
    )
    return [str(s) for s in rows["scheme"]]


def _run_as_of(store: Store, run_id: int) -> datetime:
    row = store.con.execute("SELECT as_of FROM runs WHERE run_id = ?", [run_id]).fetchone()
    if row is None or row[0] is None:
        raise ValueError(f"run {run_id} has no as_of")
    return pd.Timestamp(row[0]).to_pydatetime()
