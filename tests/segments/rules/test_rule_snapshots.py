"""Snapshot tests: the DuckDB SQL that example rules compile to is stored and compared.

Rewrite the snapshots after an intended change with:
    SEGMINT_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/segments/rules/test_rule_snapshots.py
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import ibis
import pytest

from segmint.segments.rules import compile_rule
from segmint.segments.schemes import Scheme, SegmentRule, assign_scheme

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("SEGMINT_UPDATE_SNAPSHOTS") == "1"
AS_OF = date(2025, 7, 1)

SCHEMA = {
    "customer_id": "string",
    "mrr": "float64",
    "seats": "int64",
    "plan": "string",
    "industry": "string",
    "country": "string",
    "tenure_days": "int64",
    "days_since_last_activity": "int64",
    "features_adopted": "int64",
    "usage_trend": "float64",
    "open_tickets": "int64",
    "csat_mean": "float64",
    "created_at": "timestamp",
    "is_trial": "boolean",
}

EXAMPLES = {
    "comparison_and": "mrr >= 500 and days_since_last_activity > 30",
    "in_list": "industry in ('manufacturing', 'finance')",
    "not_in_korean": "country not in ('KR', '대한민국')",
    "between": "seats between 20 and 100",
    "null_checks": "csat_mean is null or usage_trend is not null",
    "arithmetic_division": "mrr / seats >= 50",
    "functions": "coalesce(usage_trend, 1.0) < 0.5 and abs(mrr - 500) <= 100 and lower(plan) = 'pro'",
    "days_since": "days_since(created_at) < 30",
    "date_literal": "created_at >= date '2024-03-15'",
    "bare_iso_string": "created_at < '2024-03-15'",
    "not_or_precedence": "not is_trial and (open_tickets > 3 or csat_mean < 3.5)",
    "ln_guarded": "ln(mrr) > 7",
}


def _table() -> ibis.Table:
    return ibis.table(SCHEMA, name="features")


def _check_snapshot(name: str, sql: str) -> None:
    path = SNAPSHOTS / f"{name}.sql"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(sql + "\n", encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"missing snapshot {path.name}; run with SEGMINT_UPDATE_SNAPSHOTS=1")
    assert sql + "\n" == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_rule_sql_matches_snapshot(name: str) -> None:
    table = _table()
    expr = table.filter(compile_rule(EXAMPLES[name], table, as_of=AS_OF)).select("customer_id")
    _check_snapshot(name, ibis.to_sql(expr, dialect="duckdb"))


def test_scheme_sql_matches_snapshot() -> None:
    scheme = Scheme(
        "value",
        [
            SegmentRule("strategic", "mrr >= 2000"),
            SegmentRule("at risk", "mrr >= 500 and days_since_last_activity > 30"),
            SegmentRule("core", "mrr >= 500"),
        ],
        default="small",
    )
    expr = assign_scheme(_table(), scheme, as_of=AS_OF)
    _check_snapshot("scheme_value", ibis.to_sql(expr, dialect="duckdb"))


def test_every_snapshot_has_an_example() -> None:
    stored = {p.stem for p in SNAPSHOTS.glob("*.sql")}
    assert stored == set(EXAMPLES) | {"scheme_value"}
