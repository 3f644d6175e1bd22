"""What a run's report leads with: accounts at risk, accounts due an action, movements, health changes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

# A segment of this name (any scheme, e.g. the lifecycle template's) marks its accounts at risk.
AT_RISK_SEGMENT = "at risk"
# Churn-risk bands that count as at risk.
AT_RISK_CHURN_BANDS = ("high", "medium")


@dataclass
class Movements:
    """How segment membership changed between the previous run and this one."""

    by_scheme: pd.DataFrame  # scheme, compared, moved, moved_share
    flows: pd.DataFrame  # scheme, from_segment, to_segment, customers (largest first)
    moved_customers: int  # customers whose segment changed in at least one scheme
    new_customers: int  # customers not in the previous run


def at_risk_mask(
    customers: pd.DataFrame, segments: pd.DataFrame, *, lowest_health_band: str | None
) -> pd.Series:
    """Return a boolean per customer (customers' index): lowest health band, medium/high churn
    risk, or a member of a segment named "at risk"."""
    risky = pd.Series(False, index=customers.index)
    if lowest_health_band is not None and "health_band" in customers.columns:
        risky |= customers["health_band"].astype("object") == lowest_health_band
    if "churn_risk" in customers.columns:
        risky |= customers["churn_risk"].astype("object").isin(AT_RISK_CHURN_BANDS)
    named = segments.loc[segments["segment"].astype(str) == AT_RISK_SEGMENT, "customer_id"]
    risky |= customers["customer_id"].isin(set(named))
    return risky


def accounts_due(
    customers: pd.DataFrame,
    segments: pd.DataFrame,
    playbooks: Mapping[str, Mapping[str, Any]],
    *,
    at_risk: pd.Series,
    value_col: str | None,
) -> pd.DataFrame:
    """Return one row per account in a segment with a playbook: the first playbook (in config
    order) that applies, the account's value and scores; at-risk accounts first, then by value."""
    columns = ["customer_id", "scheme", "segment", "priority"]
    order = {name: i for i, name in enumerate(playbooks)}
    rows = segments[segments["segment"].astype(str).isin(order)].copy()
    rows["priority"] = rows["segment"].astype(str).map(order)
    first = (
        rows.sort_values(["customer_id", "priority", "scheme"])
        .drop_duplicates("customer_id")
        .loc[:, columns]
    )
    keep = ["customer_id"] + [
        c for c in ("name", value_col, "health_score", "churn_probability") if c and c in customers
    ]
    info = customers[keep].assign(at_risk=at_risk.to_numpy())
    due = first.merge(info, on="customer_id", how="left")
    due["at_risk"] = due["at_risk"].fillna(False).astype(bool)
    for field in ("action", "channel", "owner"):
        due[field] = [str(playbooks[str(s)].get(field, "")) for s in due["segment"]]
    sort_value = (
        pd.to_numeric(due[value_col], errors="coerce").fillna(0.0)
        if value_col and value_col in due
        else pd.Series(0.0, index=due.index)
    )
    due = due.assign(_value=sort_value).sort_values(
        ["at_risk", "_value", "customer_id"], ascending=[False, False, True]
    )
    return due.drop(columns=["_value", "priority"]).reset_index(drop=True)


def actions_by_segment(
    customers: pd.DataFrame,
    segments: pd.DataFrame,
    playbooks: Mapping[str, Mapping[str, Any]],
    *,
    value_col: str | None,
) -> pd.DataFrame:
    """Return scheme, segment, accounts, value and the playbook of every segment that has one."""
    order = {name: i for i, name in enumerate(playbooks)}
    rows = segments[segments["segment"].astype(str).isin(order)][
        ["customer_id", "scheme", "segment"]
    ]
    if value_col:
        rows = rows.merge(customers[["customer_id", value_col]], on="customer_id", how="left")
    grouped = rows.groupby(["scheme", "segment"], observed=True)
    table = grouped.size().rename("accounts").reset_index()
    if value_col:
        values = pd.to_numeric(rows[value_col], errors="coerce").fillna(0.0)
        sums = values.groupby([rows["scheme"], rows["segment"]], observed=True).sum()
        table[value_col] = [
            sums[(a, b)] for a, b in zip(table["scheme"], table["segment"], strict=True)
        ]
    for field in ("action", "channel", "owner"):
        table[field] = [str(playbooks[str(s)].get(field, "")) for s in table["segment"]]
    table["_order"] = table["segment"].astype(str).map(order)
    return table.sort_values(["_order", "scheme"]).drop(columns="_order").reset_index(drop=True)


def segment_movements(current: pd.DataFrame, previous: pd.DataFrame) -> Movements:
    """Return the segment changes of customers present in both runs, per scheme (tags left out)."""

    def schemes_only(frame: pd.DataFrame) -> pd.DataFrame:
        kept = frame[~frame["scheme"].astype(str).str.startswith("tag:")]
        return kept[["customer_id", "scheme", "segment"]].astype({"segment": str})

    now, before = schemes_only(current), schemes_only(previous)
    both = now.merge(before, on=["customer_id", "scheme"], suffixes=("", "_before"))
    both["moved"] = both["segment"] != both["segment_before"]
    schemes = list(dict.fromkeys(now["scheme"]))
    per_scheme = both.groupby("scheme").agg(compared=("moved", "size"), moved=("moved", "sum"))
    by_scheme = per_scheme.reindex(schemes).fillna(0).astype(int).reset_index()
    by_scheme["moved_share"] = by_scheme["moved"] / by_scheme["compared"].where(
        by_scheme["compared"] > 0
    )
    flows = (
        both[both["moved"]]
        .groupby(["scheme", "segment_before", "segment"])
        .size()
        .rename("customers")
        .reset_index()
        .rename(columns={"segment_before": "from_segment", "segment": "to_segment"})
        .sort_values(
            ["customers", "scheme", "from_segment", "to_segment"],
            ascending=[False, True, True, True],
        )
        .reset_index(drop=True)
    )
    moved_ids = both.loc[both["moved"], "customer_id"].nunique()
    new = len(set(now["customer_id"]) - set(before["customer_id"]))
    return Movements(by_scheme, flows, int(moved_ids), int(new))


def health_changes(customers: pd.DataFrame, *, top: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the `top` largest health drops and rises since the previous run."""
    columns = ["customer_id"] + [c for c in ("name",) if c in customers.columns]
    frame = customers[[*columns, "health_score", "health_change", "health_band"]].copy()
    frame["health_change"] = pd.to_numeric(frame["health_change"], errors="coerce")
    frame = frame.dropna(subset=["health_change"])
    frame["health_before"] = frame["health_score"] - frame["health_change"]
    ordered = [*columns, "health_before", "health_score", "health_change", "health_band"]
    drops = frame[frame["health_change"] < 0].sort_values(["health_change", "customer_id"])
    rises = frame[frame["health_change"] > 0].sort_values(
        ["health_change", "customer_id"], ascending=[False, True]
    )
    return (
        drops.head(top)[ordered].reset_index(drop=True),
        rises.head(top)[ordered].reset_index(drop=True),
    )
