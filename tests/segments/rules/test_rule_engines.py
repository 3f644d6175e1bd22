"""The same rules on DuckDB and on Spark give identical memberships, rules and reasons."""

from __future__ import annotations

from datetime import date

import ibis
import numpy as np
import pandas as pd

from segmint.engine import duckdb_backend
from segmint.segments.schemes import Scheme, SegmentRule, Tag, assign_scheme, assign_tags

AS_OF = date(2025, 7, 1)

SCHEME = Scheme(
    "parity",
    [
        SegmentRule("churned", "mrr = 0 and plan is not null"),
        SegmentRule("new", "days_since(created_at) < 30"),
        SegmentRule("at risk", "mrr >= 500 and coalesce(days_since_last_activity, 999) > 30"),
        SegmentRule("heavy", "mrr / seats >= 40 or ln(mrr) > 7.5"),
        SegmentRule("korea", "country in ('KR', '대한민국') and not is_trial"),
        SegmentRule("mid", "usage_trend between 0.8 and 1.2 and lower(plan) != 'starter'"),
        SegmentRule("old", "created_at < '2023-01-01' or abs(usage_trend - 1) > 0.5"),
    ],
    default="other",
)
TAGS = [
    Tag("expansion_ready", "seats >= 20 and usage_trend >= 1.2 and open_tickets = 0"),
    Tag("support_heavy", "open_tickets >= 3 or csat_mean < 3.5"),
    Tag("한국_고객", "country = 'KR'"),
]


def _features(n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    mrr = rng.choice([0.0, 49.0, 120.5, 499.99, 500.0, 1250.25, 2400.0, 10_000_000.0], n)
    mrr[rng.random(n) < 0.1] = np.nan
    seats = pd.array(rng.integers(0, 50, n), dtype="Int64")
    seats[rng.random(n) < 0.1] = pd.NA
    created = pd.Timestamp("2022-06-01") + pd.to_timedelta(rng.integers(0, 1125, n), unit="D")
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:03d}" for i in range(n)],
            "mrr": mrr,
            "seats": seats,
            "plan": rng.choice(np.array(["Starter", "pro", "team", None], dtype=object), n),
            "country": rng.choice(np.array(["KR", "US", "대한민국", "DE"], dtype=object), n),
            "is_trial": pd.array(rng.random(n) < 0.2, dtype="boolean"),
            "usage_trend": np.round(rng.uniform(0.2, 2.0, n), 3),
            "days_since_last_activity": pd.array(rng.integers(0, 90, n), dtype="Int64"),
            "open_tickets": rng.integers(0, 5, n),
            "csat_mean": np.where(rng.random(n) < 0.3, np.nan, np.round(rng.uniform(1, 5, n), 2)),
            "created_at": created + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s"),
        }
    )


def _run(con, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = ibis.memtable(frame)
    schemes = con.execute(assign_scheme(table, SCHEME, as_of=AS_OF))
    tags = con.execute(assign_tags(table, TAGS, as_of=AS_OF))
    schemes = schemes.sort_values("customer_id", ignore_index=True)
    tags = tags.sort_values(["tag", "customer_id"], ignore_index=True)
    return schemes, tags


def _known_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["x", "y", "z"],
            "mrr": [10_000_000.0, 620.0, np.nan],
            "seats": pd.array([10, 12, None], dtype="Int64"),
            "plan": ["pro", "team", "pro"],
            "country": ["US", "KR", "KR"],
            "is_trial": pd.array([False, False, None], dtype="boolean"),
            "usage_trend": [1.0, 1.0, 0.9],
            "days_since_last_activity": pd.array([5, 41, None], dtype="Int64"),
            "open_tickets": [0, 0, 4],
            "csat_mean": [4.5, np.nan, 2.0],
            "created_at": pd.to_datetime(
                ["2024-01-01 00:00", "2024-02-01 00:00", "2025-06-30 23:59"]
            ),
        }
    )


def test_scheme_and_tags_agree_across_engines(engine_con) -> None:
    frame = pd.concat([_features(), _known_rows()], ignore_index=True)
    schemes, tags = _run(engine_con, frame)
    reference_schemes, reference_tags = _run(duckdb_backend(), frame)
    pd.testing.assert_frame_equal(schemes, reference_schemes)
    pd.testing.assert_frame_equal(tags, reference_tags)
    # Exactly one segment per customer, and every rule is used on this data.
    assert sorted(schemes.customer_id) == sorted(frame.customer_id)
    assert set(schemes.segment) == set(SCHEME.segments)
    assert set(tags.tag) == {t.name for t in TAGS}
    # Hand-checked rows: big numbers print the same on both engines (Spark alone would say 1.0E7).
    rows = schemes.set_index("customer_id")
    assert rows.loc["x", ["segment", "reason"]].tolist() == ["heavy", "mrr=10000000, seats=10"]
    assert rows.loc["y", ["segment", "reason"]].tolist() == [
        "at risk",
        "mrr=620, days_since_last_activity=41",
    ]
    assert rows.loc["z", ["segment", "reason"]].tolist() == [
        "new",
        "created_at=2025-06-30, days_since(created_at)=1",
    ]
    known = tags[tags.customer_id.isin(["x", "y", "z"])]
    assert known.values.tolist() == [
        ["z", "support_heavy", "open_tickets=4, csat_mean=2"],
        ["y", "한국_고객", "country=KR"],
        ["z", "한국_고객", "country=KR"],
    ]
