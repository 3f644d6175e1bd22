"""Capacity-aware service tiers (A high touch / B low touch / C tech touch), ranked by value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from segmint.errors import ConfigError, MissingColumnError, NotFittedError
from segmint.scores.customer_frame import check_customer_frame, numeric_column
from segmint.scores.scales import percentile_rank
from segmint.scores.score_config import (
    TiersConfig,
    default_tier_names,
    resolve_capacity,
    validate_tier_names,
    validate_tier_value,
)


class TierAssigner:
    """Rank customers by value and fill tiers in order up to their capacity; the rest go last."""

    def __init__(
        self,
        *,
        value: str | Mapping[str, float],
        capacity: Mapping[str, Any],
        tier_names: Mapping[str, str] | None = None,
        min_value: float | Mapping[str, float] | None = None,
        near_cutoff: int = 5,
    ) -> None:
        self.value = value
        self.capacity = capacity
        self.tier_names = tier_names
        self.min_value = min_value
        self.near_cutoff = near_cutoff

    @classmethod
    def from_config(cls, config: TiersConfig) -> TierAssigner:
        """Return an assigner for the `tiers:` section of segmint.yaml."""
        return cls(
            value=config.value,
            capacity={
                t: (c if isinstance(c, int) else c.model_dump()) for t, c in config.capacity.items()
            },
            tier_names=config.tier_names,
            min_value=config.min_value,
            near_cutoff=config.near_cutoff,
        )

    # -- fitting -----------------------------------------------------------------------------
    def fit(self, frame: pd.DataFrame, y: Any = None) -> TierAssigner:
        """Validate options, learn percentile references for a weighted value; return self."""
        try:
            value = validate_tier_value(
                self.value if isinstance(self.value, str) else dict(self.value)
            )
            capacity = resolve_capacity(dict(self.capacity))
            names = (
                dict(self.tier_names)
                if self.tier_names is not None
                else default_tier_names(capacity)
            )
            rest = validate_tier_names(capacity, names)
        except ValueError as exc:
            raise ConfigError(f"tiers: {exc}") from None
        if self.near_cutoff < 0:
            raise ValueError(f"near_cutoff must be >= 0 (got {self.near_cutoff})")
        min_value = self._resolve_min_value(capacity)
        check_customer_frame(frame, source="tiers")
        columns = [value] if isinstance(value, str) else list(value)
        for column in columns:
            if column not in frame.columns:
                raise MissingColumnError("tiers", column, [str(c) for c in frame.columns])
        references: dict[str, np.ndarray] = {}
        if not isinstance(value, str):
            for column in columns:
                values = numeric_column(frame, column, source="tiers")
                references[column] = np.sort(values[~np.isnan(values)])
        self.value_ = value
        self.value_columns_ = columns
        self.capacity_ = capacity
        self.tiers_ = [*capacity, rest]
        self.tier_names_ = {t: names[t] for t in self.tiers_}
        self.min_value_ = min_value
        self.references_ = references
        return self

    def _resolve_min_value(self, capacity: dict[str, int]) -> dict[str, float | None]:
        if self.min_value is None or isinstance(self.min_value, (int, float)):
            return dict.fromkeys(capacity, self.min_value)
        unknown = [t for t in self.min_value if t not in capacity]
        if unknown:
            raise ConfigError(
                f"tiers.min_value: unknown tier {unknown[0]!r}; allowed: {', '.join(capacity)}"
            )
        return {t: self.min_value.get(t) for t in capacity}

    def _check_fitted(self) -> None:
        if not hasattr(self, "tiers_"):
            raise NotFittedError("TierAssigner is not fitted; call fit(frame) first")

    # -- assignment --------------------------------------------------------------------------
    def tier_values(self, frame: pd.DataFrame) -> pd.Series:
        """Return the value tiers rank by: the column, or the weighted mean of percentiles (0-100)."""
        self._check_fitted()
        for column in self.value_columns_:
            if column not in frame.columns:
                raise MissingColumnError("tiers", column, [str(c) for c in frame.columns])
        if isinstance(self.value_, str):
            values = numeric_column(frame, self.value_, source="tiers")
        else:
            total = float(sum(self.value_.values()))
            values = np.zeros(len(frame))
            any_known = np.zeros(len(frame), dtype=bool)
            for column, weight in self.value_.items():
                raw = numeric_column(frame, column, source="tiers")
                reference = self.references_[column]
                pct = (
                    percentile_rank(reference, raw) if reference.size else np.full(len(raw), np.nan)
                )
                any_known |= ~np.isnan(pct)
                # a missing component counts as the bottom of its scale
                values += weight / total * np.nan_to_num(pct, nan=0.0)
            values = np.where(any_known, np.round(values, 6), np.nan)
        return pd.Series(values, index=frame.index, name="tier_value")

    def assign(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return customer_id, tier, tier_name, tier_value, tier_rank (1 = most valuable)."""
        check_customer_frame(frame, source="tiers")
        values = self.tier_values(frame).to_numpy(dtype=float)
        ranked = value_order(values, frame["customer_id"].to_numpy())
        rank = np.empty(len(frame), dtype=np.int64)
        rank[ranked] = np.arange(1, len(frame) + 1)
        tier = np.full(len(frame), self.tiers_[-1], dtype=object)
        taken = np.zeros(len(frame), dtype=bool)
        for name, capacity in self.capacity_.items():
            floor = self.min_value_[name]
            eligible = ~np.isnan(values) & ~taken
            if floor is not None:
                eligible &= values >= floor
            chosen = ranked[eligible[ranked]][:capacity]
            tier[chosen] = name
            taken[chosen] = True
        out = pd.DataFrame({"customer_id": frame["customer_id"].to_numpy()}, index=frame.index)
        out["tier"] = tier
        out["tier_name"] = [self.tier_names_[t] for t in tier]
        out["tier_value"] = values
        out["tier_rank"] = rank
        return out

    def predict(self, frame: pd.DataFrame) -> pd.Series:
        """Return each customer's tier, indexed like the input."""
        return self.assign(frame)["tier"].rename("tier")

    # -- reporting ---------------------------------------------------------------------------
    def report(self, frame: pd.DataFrame, *, near: int | None = None) -> dict[str, Any]:
        """Return per tier capacity used and value covered, and who sits just below each cut-off."""
        assigned = self.assign(frame)
        near = self.near_cutoff if near is None else near
        values = assigned["tier_value"].fillna(0.0)
        total_value = float(values.sum())
        column_totals = {c: numeric_column(frame, c, source="tiers") for c in self.value_columns_}
        tiers = []
        for name in self.tiers_:
            members = (assigned["tier"] == name).to_numpy()
            capacity = self.capacity_.get(name)
            value_sum = float(values[members].sum())
            row: dict[str, Any] = {
                "tier": name,
                "tier_name": self.tier_names_[name],
                "capacity": capacity,
                "accounts": int(members.sum()),
                "capacity_used": (round(float(members.sum()) / capacity, 4) if capacity else None),
                "value_sum": round(value_sum, 2),
                "value_share": round(value_sum / total_value, 4) if total_value else None,
                "cutoff_value": (
                    float(assigned.loc[members, "tier_value"].min()) if members.any() else None
                ),
            }
            if not isinstance(self.value_, str):
                row["value_columns"] = {}
                for column, raw in column_totals.items():
                    filled = np.nan_to_num(raw, nan=0.0)
                    col_total = float(filled.sum())
                    part = float(filled[members].sum())
                    row["value_columns"][column] = {
                        "sum": round(part, 2),
                        "share": round(part / col_total, 4) if col_total else None,
                    }
            tiers.append(row)
        below: dict[str, list[dict[str, Any]]] = {}
        by_rank = assigned.iloc[np.argsort(assigned["tier_rank"].to_numpy(), kind="stable")]
        for position, name in enumerate(self.capacity_):
            in_tier = by_rank["tier"] == name
            cutoff = tiers[position]["cutoff_value"]
            last_rank = int(by_rank.loc[in_tier, "tier_rank"].max()) if in_tier.any() else 0
            lower = set(self.tiers_[position + 1 :])
            candidates = by_rank[(by_rank["tier_rank"] > last_rank) & by_rank["tier"].isin(lower)]
            rows: list[dict[Any, Any]] = candidates.head(near).to_dict("records")
            below[name] = [
                {
                    "customer_id": r["customer_id"],
                    "tier": r["tier"],
                    "tier_rank": int(r["tier_rank"]),
                    "tier_value": _float_or_none(r["tier_value"]),
                    "gap": (
                        None
                        if cutoff is None or _float_or_none(r["tier_value"]) is None
                        else round(float(cutoff) - float(r["tier_value"]), 6)
                    ),
                }
                for r in rows
            ]
        return {
            "customers": len(assigned),
            "value": self.value_,
            "total_value": round(total_value, 2),
            "tiers": tiers,
            "below_cutoff": below,
        }


def _float_or_none(value: Any) -> float | None:
    number = float(value)
    return None if np.isnan(number) else number


def value_order(values: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Return row positions by value descending (missing last), ties broken by customer_id."""
    key = np.where(np.isnan(values), np.inf, -values)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    equal = sorted_key[1:] == sorted_key[:-1]
    tied = np.zeros(len(key), dtype=bool)
    tied[1:] |= equal
    tied[:-1] |= equal
    if not tied.any():
        return order
    # only tied rows need the (slower) id comparison
    rows = order[tied]
    tied_ids = ids[rows]
    try:
        by_id = np.argsort(tied_ids, kind="stable")
    except TypeError:  # mixed id types: compare as text
        by_id = np.argsort(tied_ids.astype(str), kind="stable")
    secondary = np.zeros(len(key), dtype=np.int64)
    secondary[rows[by_id]] = np.arange(len(rows))
    return np.lexsort((secondary, key))
