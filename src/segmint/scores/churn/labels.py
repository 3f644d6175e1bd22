"""Churn labels: mapping of yes/no-style label columns, and leak-free labels built from event history."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from segmint.errors import InputError, MissingColumnError

POSITIVE_LABELS = frozenset(
    {
        "1", "yes", "y", "true", "t", "churn", "churned", "churner", "left", "lost", "exited",
        "cancelled", "canceled", "terminated", "inactive", "attrited", "attrited customer",
        "lapsed", "gone", "예", "네", "이탈", "해지", "탈퇴", "o",
    }
)  # fmt: skip
NEGATIVE_LABELS = frozenset(
    {
        "0", "no", "n", "false", "f", "active", "stayed", "retained", "current", "existing",
        "existing customer", "renewed", "kept", "아니오", "아니요", "유지", "정상", "비이탈", "x",
    }
)  # fmt: skip
# Not "churned": build_features already has a feature of that name (churned before as_of).
LABEL_COLUMN = "churn_label"


class LabelError(InputError):
    """A label column's values cannot be mapped to churned / not churned."""


def _norm_label(value: object) -> str:
    text = str(value).strip().lower()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def map_churn_labels(labels: pd.Series) -> pd.Series:
    """Return labels as 0/1 integers (missing stays <NA>); raise LabelError naming the values found.

    Known words (yes/no, true/false, 1/0, Y/N, churned/active, 예/아니오, ...) map directly; with
    exactly two distinct values of which one is known, the other takes the opposite class.
    """
    present = labels.dropna()
    if pd.api.types.is_bool_dtype(present):
        return labels.map({True: 1, False: 0}).astype("Int64")
    normed = present.map(_norm_label)
    values = sorted(set(normed))
    mapping: dict[str, int] = {}
    for value in values:
        if value in POSITIVE_LABELS:
            mapping[value] = 1
        elif value in NEGATIVE_LABELS:
            mapping[value] = 0
    unknown = [v for v in values if v not in mapping]
    if len(values) == 2 and len(unknown) == 1 and len(mapping) == 1:
        mapping[unknown[0]] = 1 - next(iter(mapping.values()))
        unknown = []
    found = sorted({str(v) for v in present.unique()})
    if unknown or len(set(mapping.values())) != 2:
        raise LabelError(
            f"label column {labels.name!r}: cannot tell churned from not churned in values "
            + ", ".join(repr(v) for v in found[:10])
            + ("" if len(found) <= 10 else f" (and {len(found) - 10} more)")
            + "; use yes/no, true/false, 1/0 or churned/active"
        )
    out = pd.Series(pd.NA, index=labels.index, dtype="Int64", name=labels.name)
    out.loc[present.index] = normed.map(mapping).astype("int64")
    return out


def _require(frame: pd.DataFrame, source: str, columns: tuple[str, ...]) -> None:
    for column in columns:
        if column not in frame.columns:
            raise MissingColumnError(source, column, list(frame.columns))


def _active_at(subs: pd.DataFrame, moment: pd.Timestamp) -> pd.Series:
    ended = subs["ended_at"] if "ended_at" in subs.columns else pd.Series(pd.NaT, index=subs.index)
    ended = pd.to_datetime(ended)
    return (pd.to_datetime(subs["started_at"]) < moment) & (ended.isna() | (ended >= moment))


def subscription_churn_labels(
    subscriptions: pd.DataFrame, cutoff: datetime, horizon_end: datetime
) -> pd.Series:
    """Return 0/1 churn labels (index customer_id) for customers with a subscription active at `cutoff`.

    A customer churns when no subscription is active any more at `horizon_end`: every contract
    running at the cut-off ended in [cutoff, horizon_end) and none was started or still runs then.
    "Active at t" means started before t and not ended before t, the same "before as_of" rule the
    features use, so the label window starts exactly where the features' history stops.
    """
    _require(subscriptions, "subscriptions", ("customer_id", "started_at"))
    start, end = pd.Timestamp(cutoff), pd.Timestamp(horizon_end)
    if end <= start:
        raise ValueError("horizon_end must be after cutoff")
    subs = subscriptions.copy()
    subs["customer_id"] = subs["customer_id"].astype(str)
    active_then = subs.loc[_active_at(subs, start), "customer_id"].unique()
    active_later = set(subs.loc[_active_at(subs, end), "customer_id"])
    labels = pd.Series(
        [0 if c in active_later else 1 for c in active_then],
        index=pd.Index(active_then, name="customer_id"),
        name=LABEL_COLUMN,
        dtype="int64",
    )
    return labels.sort_index()


def purchase_churn_labels(
    transactions: pd.DataFrame,
    cutoff: datetime,
    horizon_end: datetime,
    *,
    lookback_days: int | None = None,
) -> pd.Series:
    """Return 0/1 churn labels (index customer_id) for customers who bought before `cutoff`.

    A customer churns when they make no purchase in [cutoff, horizon_end). Purchases at or after
    `horizon_end` are ignored, so a label never depends on data beyond its horizon. With
    `lookback_days`, only customers who bought in the `lookback_days` before the cut-off count
    (long-lapsed customers are otherwise trivially "churned" and inflate the metrics).
    """
    _require(transactions, "transactions", ("customer_id", "occurred_at"))
    start, end = pd.Timestamp(cutoff), pd.Timestamp(horizon_end)
    if end <= start:
        raise ValueError("horizon_end must be after cutoff")
    if lookback_days is not None and lookback_days <= 0:
        raise ValueError("lookback_days must be positive")
    when = pd.to_datetime(transactions["occurred_at"])
    ids = transactions["customer_id"].astype(str)
    window = when < start
    if lookback_days is not None:
        window &= when >= start - pd.Timedelta(days=lookback_days)
    before = np.sort(ids[window].unique())
    during = set(ids[(when >= start) & (when < end)])
    return pd.Series(
        [0 if c in during else 1 for c in before],
        index=pd.Index(before, name="customer_id"),
        name=LABEL_COLUMN,
        dtype="int64",
    )
