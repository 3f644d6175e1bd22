"""A run repeated for the same date stands in for the earlier one in trends; both stay stored."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from segmint.store import open_store


def _snapshot(store, as_of: datetime, segment: str) -> int:
    run_id = store.start_run("run", as_of=as_of, config_hash="c", version="t")
    segments = pd.DataFrame(
        {
            "customer_id": ["a"],
            "scheme": ["s"],
            "segment": [segment],
            "rule": ["r"],
            "reason": ["x"],
        }
    )
    store.save_snapshot(run_id, segments=segments, values=pd.DataFrame({"customer_id": ["a"]}))
    store.finish_run(run_id, counts={})
    return run_id


def test_one_run_per_date_newest_date_first_and_the_last_run_of_a_date_wins(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        may = _snapshot(store, datetime(2025, 5, 1), "x")
        june_first = _snapshot(store, datetime(2025, 6, 1), "x")
        june_again = _snapshot(store, datetime(2025, 6, 1), "y")
        april = _snapshot(store, datetime(2025, 4, 1), "x")  # made last, for an earlier date
        dated = store.dated_snapshot_runs()
        assert dated["run_id"].tolist() == [june_again, may, april]
        assert len(store.snapshot_runs()) == 4
        assert store.snapshot_run(june_first)[0] == june_first  # still there by its id
