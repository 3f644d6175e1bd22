"""The server's read path: pooled cursors and the catalogue it caches between writes."""

from __future__ import annotations

import pandas as pd
from served_workspace import Served

from segmint.api.state import ServedStore
from segmint.store import Store
from segmint.workspace.browse import customer_detail


def test_a_released_cursor_is_reused(served: Served) -> None:
    first = served.state.reader()
    second = served.state.reader()
    assert isinstance(first, ServedStore) and first is not second
    served.state.release(first)
    again = served.state.reader()
    assert again is first
    served.state.release(again)
    served.state.release(second)


def test_cached_catalogue_equals_the_database_and_is_a_copy(served: Served) -> None:
    store = served.state.reader()
    plain = served.state.store.cursor()
    try:
        pd.testing.assert_frame_equal(store.snapshot_runs(), Store.snapshot_runs(plain))
        assert store.table_names() == Store.table_names(plain)
        assert store.source_tables() == Store.source_tables(plain)
        run = int(plain.snapshot_runs()["run_id"].iloc[0])
        sizes = store.segment_sizes(run).sort_values(["scheme", "segment"], ignore_index=True)
        pd.testing.assert_frame_equal(
            sizes,
            Store.segment_sizes(plain, run).sort_values(["scheme", "segment"], ignore_index=True),
        )
        store.snapshot_runs().drop(index=0, inplace=True)  # a caller changing its copy ...
        assert len(store.snapshot_runs()) == len(Store.snapshot_runs(plain))  # ... changes nothing
        # The customer page reads the same through the cache as through a plain cursor.
        customer = str(plain.snapshot_segments(run)["customer_id"].iloc[0])
        assert customer_detail(store, customer) == customer_detail(plain, customer)
    finally:
        served.state.release(store)
        plain.close()


def test_forgetting_the_catalogue_shows_a_new_table(served: Served) -> None:
    store = served.state.reader()
    try:
        assert "zz_written_later" not in store.table_names()
        served.state.store.con.execute("CREATE TABLE zz_written_later (x INTEGER)")
        assert "zz_written_later" not in store.table_names()  # cached until a write ends
        served.state.forget_catalogue()
        assert "zz_written_later" in store.table_names()
    finally:
        served.state.store.con.execute("DROP TABLE IF EXISTS zz_written_later")
        served.state.forget_catalogue()
        served.state.release(store)


def test_signing_in_and_exporting_keep_the_catalogue_and_a_write_forgets_it(
    served: Served,
) -> None:
    key = ("test-marker",)
    served.state.forget_catalogue()
    assert served.state.catalogue(key, lambda: "cached") == "cached"
    with served.client() as anonymous:
        anonymous.post("/login", data={"token": "wrong"})
    with served.client(served.read_token) as reader:
        reader.post("/api/v1/exports", json={"scheme": "lifecycle", "format": "csv"})
    assert served.state.catalogue(key, lambda: "recomputed") == "cached"
    with served.client(served.admin_token) as admin:
        admin.patch("/api/v1/actions/no-such-action", json={"status": "done"})
    assert served.state.catalogue(key, lambda: "recomputed") == "recomputed"
