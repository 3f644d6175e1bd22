"""Customer lookups and member pages as the server answers them: from in-memory indexes of the
stored runs when the workspace is small enough, else from the database (same answers)."""

from __future__ import annotations

from typing import Any

from segmint.api.state import ServerState
from segmint.store import Store
from segmint.workspace.browse import (
    check_segment,
    chosen_run,
    customer_detail,
    segment_members,
)
from segmint.workspace.lookup_index import (
    MEMORY_INDEX_LIMIT,
    RunIndex,
    SegmentMembers,
    WorkspaceIndex,
    indexed_customer_detail,
    members_page,
)


def _run_customers(store: Store, run_id: int) -> int:
    """Return the number of customers in a run (the largest scheme's total)."""
    sizes = store.segment_sizes(run_id)
    return int(sizes.groupby("scheme")["customers"].sum().max()) if len(sizes) else 0


def served_customer_detail(
    state: ServerState, store: Store, any_id: str, run: int | None
) -> dict[str, Any]:
    """Return `browse.customer_detail(store, any_id, run_id=run)`, from memory when it fits."""
    if run is None and store.snapshot_runs().empty:
        return customer_detail(store, any_id, run_id=run)
    run_id, as_of = chosen_run(store, run)  # a wrong run is reported whatever the customer
    if _run_customers(store, run_id) > MEMORY_INDEX_LIMIT:
        return customer_detail(store, any_id, run_id=run_id)
    workspace = state.catalogue_once(("workspace_index",), lambda: WorkspaceIndex.read(store))
    run_index = state.catalogue_once(
        ("run_index", run_id), lambda: RunIndex.read(store, run_id, as_of)
    )
    return indexed_customer_detail(workspace, run_index, any_id)


def served_segment_members(
    state: ServerState,
    store: Store,
    scheme: str,
    segment: str,
    *,
    run: int | None = None,
    q: str | None = None,
    sort: str = "customer_id",
    descending: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Return `browse.segment_members(...)`, paged from the segment's members kept in memory."""
    run_id, _ = chosen_run(store, run)
    size = check_segment(store, run_id, scheme, segment)
    if size > MEMORY_INDEX_LIMIT or not 1 <= limit <= 1000 or offset < 0:
        return segment_members(
            store,
            scheme,
            segment,
            run_id=run_id,
            q=q,
            sort=sort,
            descending=descending,
            limit=limit,
            offset=offset,
        )
    members = state.catalogue_once(
        ("segment_members", run_id, scheme, segment),
        lambda: SegmentMembers.read(store, run_id, scheme, segment),
    )
    return members_page(
        members,
        run=run_id,
        scheme=scheme,
        segment=segment,
        q=q,
        sort=sort,
        descending=descending,
        limit=limit,
        offset=offset,
    )
