"""Who entered or left which segment since the previous snapshot (what entered/left triggers read).

The track work's `segment_changes` table will hold the same rows; `segment_changes_for_run` is the
one place to point at it when it lands.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from segmint.store import Store

CHANGE_COLUMNS = ["customer_id", "scheme", "segment", "change"]


def membership_changes(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Return customer_id, scheme, segment, change ("entered" | "left") between two snapshots.

    Tags count as schemes named "tag:<name>". A customer absent from the previous snapshot enters
    each of their segments; a customer absent from the current one leaves nothing (they are gone,
    not moved).
    """
    key = ["customer_id", "scheme", "segment"]
    now = current[key].astype(str).drop_duplicates()
    before = previous[key].astype(str).drop_duplicates()
    both = now.merge(before, on=key, how="outer", indicator=True)
    entered = both[both["_merge"] == "left_only"][key].assign(change="entered")
    present = set(now["customer_id"])
    left = both[(both["_merge"] == "right_only") & both["customer_id"].isin(present)][key]
    changes = pd.concat([entered, left.assign(change="left")], ignore_index=True)
    return changes.sort_values(["scheme", "segment", "change", "customer_id"], ignore_index=True)[
        CHANGE_COLUMNS
    ]


def previous_run_state(store: Store, as_of: datetime) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Return (segments, values) of the newest snapshot before `as_of`, or None on a first run."""
    previous = store.previous_snapshot_run(as_of)
    if previous is None:
        return None
    return store.snapshot_segments(previous), store.snapshot_values(previous)


def segment_changes_for_run(
    store: Store, current: pd.DataFrame, *, as_of: datetime
) -> pd.DataFrame | None:
    """Return the entered/left rows of a run (its `current` segments) against the previous snapshot.

    None when there is no earlier snapshot: a first run has nothing to compare with.
    """
    previous = store.previous_snapshot_run(as_of)
    if previous is None:
        return None
    return membership_changes(current, store.snapshot_segments(previous))
