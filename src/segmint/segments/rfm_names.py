"""Named RFM segments: a grid of R score against the FM score (mean of F and M, rounded up)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

DEFAULT_BINS = 5


@dataclass(frozen=True)
class RFMSegmentRule:
    """A named rectangle of the grid: R scores r[0]..r[1] and FM scores fm[0]..fm[1] (inclusive)."""

    name: str
    r: tuple[int, int]
    fm: tuple[int, int]

    def covers(self, r: int, fm: int) -> bool:
        """Return True when the cell (r, fm) lies in this rule's rectangle."""
        return self.r[0] <= r <= self.r[1] and self.fm[0] <= fm <= self.fm[1]


# The widely used 11-segment R-vs-FM grid, in priority order (the first matching rule wins).
#
#   R \ FM   1               2               3               4               5
#   5        New Customers   Potential L.    Potential L.    Champions       Champions
#   4        Promising       Potential L.    Potential L.    Loyal Cust.     Loyal Cust.
#   3        About to Sleep  About to Sleep  Need Attention  Loyal Cust.     Loyal Cust.
#   2        Hibernating     Hibernating     At Risk         At Risk         Can't Lose Them
#   1        Lost            Hibernating     At Risk         At Risk         Can't Lose Them
DEFAULT_RFM_SEGMENT_MAP: tuple[RFMSegmentRule, ...] = (
    RFMSegmentRule("Champions", r=(5, 5), fm=(4, 5)),
    RFMSegmentRule("Loyal Customers", r=(3, 4), fm=(4, 5)),
    RFMSegmentRule("Potential Loyalists", r=(4, 5), fm=(2, 3)),
    RFMSegmentRule("New Customers", r=(5, 5), fm=(1, 1)),
    RFMSegmentRule("Promising", r=(4, 4), fm=(1, 1)),
    RFMSegmentRule("Need Attention", r=(3, 3), fm=(3, 3)),
    RFMSegmentRule("About to Sleep", r=(3, 3), fm=(1, 2)),
    RFMSegmentRule("Can't Lose Them", r=(1, 2), fm=(5, 5)),
    RFMSegmentRule("At Risk", r=(1, 2), fm=(3, 4)),
    RFMSegmentRule("Lost", r=(1, 1), fm=(1, 1)),
    RFMSegmentRule("Hibernating", r=(1, 2), fm=(1, 2)),
)

SegmentMapInput = Iterable[RFMSegmentRule | Mapping[str, Any]]


def _pair(value: Any, key: str, name: str) -> tuple[int, int]:
    """Return a validated [lo, hi] score range."""
    try:
        lo, hi = (int(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(
            f"RFM segment {name!r}: {key} must be a pair [lo, hi] of integer scores, got {value!r}"
        ) from None
    if lo > hi:
        raise ValueError(f"RFM segment {name!r}: {key} range [{lo}, {hi}] has lo > hi")
    return lo, hi


def validate_segment_map(
    segment_map: SegmentMapInput, *, bins: int = DEFAULT_BINS
) -> tuple[RFMSegmentRule, ...]:
    """Return the map as rules, or raise ValueError naming uncovered cells and unreachable rules.

    Entries are `RFMSegmentRule`s or mappings `{name, r: [lo, hi], fm: [lo, hi]}` in priority
    order; every (r, fm) cell of 1..bins must be matched and every rule must win at least one cell.
    """
    rules: list[RFMSegmentRule] = []
    for i, entry in enumerate(segment_map):
        if isinstance(entry, RFMSegmentRule):
            rule = entry
        elif isinstance(entry, Mapping):
            extra = sorted(set(entry) - {"name", "r", "fm"})
            if extra or "name" not in entry or "r" not in entry or "fm" not in entry:
                raise ValueError(
                    f"RFM segment map entry {i} must have exactly the keys name, r, fm; got "
                    f"{sorted(entry)}"
                )
            name = str(entry["name"])
            rule = RFMSegmentRule(
                name, _pair(entry["r"], "r", name), _pair(entry["fm"], "fm", name)
            )
        else:
            raise ValueError(f"RFM segment map entry {i} must be a mapping, got {entry!r}")
        for key, (lo, hi) in (("r", rule.r), ("fm", rule.fm)):
            if lo < 1 or hi > bins:
                raise ValueError(
                    f"RFM segment {rule.name!r}: {key} range [{lo}, {hi}] outside scores 1..{bins}"
                )
        rules.append(rule)
    if not rules:
        raise ValueError("RFM segment map is empty")
    winners: set[str] = set()
    uncovered: list[str] = []
    for r in range(1, bins + 1):
        for fm in range(1, bins + 1):
            match = next((rule for rule in rules if rule.covers(r, fm)), None)
            if match is None:
                uncovered.append(f"(r={r}, fm={fm})")
            else:
                winners.add(match.name)
    if uncovered:
        raise ValueError(
            f"RFM segment map leaves {len(uncovered)} cell(s) without a name: {', '.join(uncovered)}"
        )
    unreachable = [rule.name for rule in rules if rule.name not in winners]
    if unreachable:
        raise ValueError(
            "RFM segment map has rules that never match (earlier rules cover all their cells): "
            + ", ".join(repr(n) for n in unreachable)
        )
    return tuple(rules)


def fm_score(f: ir.IntegerValue, m: ir.IntegerValue) -> ir.IntegerValue:
    """Return the FM score: the mean of F and M rounded half up, (f + m + 1) // 2."""
    return ((f + m + 1) // 2).cast("int64")


def rfm_segment_expr(
    r: ir.IntegerValue,
    f: ir.IntegerValue,
    m: ir.IntegerValue,
    segment_map: SegmentMapInput | None = None,
    *,
    bins: int = DEFAULT_BINS,
) -> ir.StringValue:
    """Return an Ibis expression naming the segment of scores (r, f, m), first matching rule wins.

    With the default map and `bins` other than 5, scores are first rescaled to 1..5
    (ceil(score * 5 / bins)) so the 5x5 grid still applies.
    """
    if segment_map is None:
        rules = DEFAULT_RFM_SEGMENT_MAP
        if bins != DEFAULT_BINS:
            r, f, m = (_rescale(s, bins) for s in (r, f, m))
    else:
        rules = validate_segment_map(segment_map, bins=bins)
    fm = fm_score(f, m)
    branches = [
        ((r >= rule.r[0]) & (r <= rule.r[1]) & (fm >= rule.fm[0]) & (fm <= rule.fm[1]), rule.name)
        for rule in rules
    ]
    return ibis.cases(*branches, else_=ibis.null("string"))


def _rescale(score: ir.IntegerValue, bins: int) -> ir.IntegerValue:
    """Map a score of 1..bins onto 1..5: ceil(score * 5 / bins)."""
    return ((score * DEFAULT_BINS + bins - 1) // bins).cast("int64")


def _resolve(segment_map: SegmentMapInput | None, bins: int) -> tuple[RFMSegmentRule, ...]:
    """Return the default rules or the validated custom ones."""
    if segment_map is None:
        return DEFAULT_RFM_SEGMENT_MAP
    return validate_segment_map(segment_map, bins=bins)


def segment_name(
    r: int, fm: int, segment_map: SegmentMapInput | None = None, *, bins: int = DEFAULT_BINS
) -> str:
    """Return the segment name of one (r, fm) cell (pure Python, for docs and checks)."""
    for rule in _resolve(segment_map, bins):
        if rule.covers(r, fm):
            return rule.name
    raise ValueError(f"no RFM segment covers (r={r}, fm={fm})")


def segment_map_table(
    segment_map: SegmentMapInput | None = None, *, bins: int = DEFAULT_BINS
) -> pd.DataFrame:
    """Return the map as a grid: one row per R score (highest at the top), one column per FM score."""
    rules = _resolve(segment_map, bins)
    if segment_map is None:
        bins = DEFAULT_BINS
    grid = {
        fm: [segment_name(r, fm, rules, bins=bins) for r in range(bins, 0, -1)]
        for fm in range(1, bins + 1)
    }
    frame = pd.DataFrame(grid, index=pd.Index(range(bins, 0, -1), name="r"))
    frame.columns = pd.Index(range(1, bins + 1), name="fm")
    return frame
