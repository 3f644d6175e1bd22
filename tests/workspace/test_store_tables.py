"""The workspace's table list: tables on disk, never a connection's registered frames or temp tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from segmint.store import open_store


def test_table_names_leave_out_registered_frames_and_temp_tables(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        before = store.table_names()
        store.con.execute("CREATE TABLE kept (x INTEGER)")
        store.con.register("passing_frame", pd.DataFrame({"a": [1]}))
        store.con.execute("CREATE TEMP TABLE passing_temp AS SELECT 1 AS y")
        names = store.table_names()
    assert "kept" in names and set(names) - set(before) == {"kept"}
