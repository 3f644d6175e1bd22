"""The server's in-memory lookups answer exactly what the database queries answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from served_workspace import XSS_CUSTOMER, Served

from segmint.api.lookups import served_customer_detail, served_segment_members
from segmint.workspace.browse import MEMBER_SORTS, NotFoundError, customer_detail, segment_members
from segmint.workspace.lookup_index import RunIndex, WorkspaceIndex, indexed_customer_detail


def _json(value: Any) -> Any:
    """Return the value as the API sends it (JSON), so both paths compare as clients see them."""
    return json.loads(json.dumps(value, default=str))


@pytest.fixture
def store(served: Served) -> Any:
    reader = served.state.reader()
    yield reader
    served.state.release(reader)


def test_every_customer_of_every_run_looks_the_same(served: Served, store: Any) -> None:
    workspace = WorkspaceIndex.read(store)
    ids = store.frame("SELECT DISTINCT customer_id FROM identity_map ORDER BY 1")["customer_id"]
    source_ids = store.frame("SELECT source_id FROM identity_map ORDER BY 1 LIMIT 20")["source_id"]
    for run_id, as_of in store.snapshot_runs().itertuples(index=False):
        run = RunIndex.read(store, int(run_id), as_of.to_pydatetime())
        for any_id in [*ids, *source_ids]:
            expected = customer_detail(store, str(any_id), run_id=int(run_id))
            got = indexed_customer_detail(workspace, run, str(any_id))
            assert _json(got) == _json(expected), any_id
    assert len(ids) == 150


def test_served_lookup_uses_the_newest_run_and_reports_unknowns(served: Served, store: Any) -> None:
    state = served.state
    for any_id in ("ACC-00002", XSS_CUSTOMER):
        got = served_customer_detail(state, store, any_id, None)
        assert _json(got) == _json(customer_detail(store, any_id))
    with pytest.raises(NotFoundError, match="not found in the workspace"):
        served_customer_detail(state, store, "nobody", None)
    with pytest.raises(NotFoundError, match="run 999 has no stored snapshot"):
        served_customer_detail(state, store, "nobody", 999)  # the run is checked first
    with served.client(served.read_token) as c:
        api = c.get("/api/v1/customers/ACC-00002").json()
    assert api == _json(customer_detail(store, "ACC-00002"))


def test_member_pages_sort_filter_and_page_like_the_sql(served: Served, store: Any) -> None:
    state = served.state
    sizes = store.segment_sizes(store.latest_snapshot_run())
    biggest = sizes.sort_values(["customers", "scheme", "segment"], ascending=False).head(3)
    for scheme, segment, customers in biggest.itertuples(index=False):
        for sort in MEMBER_SORTS:
            for descending in (False, True):
                for limit, offset in ((1000, 0), (7, 5), (25, int(customers))):
                    args = dict(sort=sort, descending=descending, limit=limit, offset=offset)
                    got = served_segment_members(state, store, scheme, segment, **args)
                    expected = segment_members(store, scheme, segment, **args)
                    assert got == expected, (scheme, segment, args)
    scheme, segment = biggest.iloc[0]["scheme"], biggest.iloc[0]["segment"]
    for q in ("acc", "ACC-0001", "%", "_CC-0000_", "0%1", "<script", "  acc-00010 ", "no match"):
        for sort in ("name", "health_score"):
            got = served_segment_members(state, store, scheme, segment, q=q, sort=sort)
            expected = segment_members(store, scheme, segment, q=q, sort=sort)
            assert got == expected, (q, sort)
    assert got["count"] == 0


def test_a_run_too_big_for_memory_is_read_from_the_database(
    served: Served, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import segmint.api.lookups as lookups

    def no_index(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the index must not be built above MEMORY_INDEX_LIMIT")

    monkeypatch.setattr(lookups, "MEMORY_INDEX_LIMIT", 10)
    monkeypatch.setattr(lookups.RunIndex, "read", no_index)
    monkeypatch.setattr(lookups.SegmentMembers, "read", no_index)
    got = served_customer_detail(served.state, store, "ACC-00002", None)
    assert _json(got) == _json(customer_detail(store, "ACC-00002"))
    members = served_segment_members(served.state, store, "lifecycle", "established", limit=5)
    assert members == segment_members(store, "lifecycle", "established", limit=5)
