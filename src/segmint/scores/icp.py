"""ICP fit: weighted ideal-customer-profile criteria → a 0-100 score with per-criterion reasons."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from segmint.errors import ConfigError, MissingColumnError, NotFittedError
from segmint.scores.customer_frame import check_customer_frame, numeric_column
from segmint.scores.reason_text import render_by_key
from segmint.scores.scales import band_for
from segmint.scores.score_config import (
    DEFAULT_ICP_BANDS,
    ICPConfig,
    ICPCriterion,
    _check_bands,
    parse_icp_config,
)

_LIST_SEPARATORS = re.compile(r"[;,|]")
_RESERVED_NAMES = ("score", "band", "reasons", "similarity")


def _norm(value: Any) -> Any:
    """Normalise a scalar for comparison: strings casefolded and stripped, numbers as float."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return str(value).strip().casefold()


def _items(value: Any) -> set[str]:
    """Return the set of items in a technology-style list ("salesforce; hubspot" or a list)."""
    if isinstance(value, (list, tuple, set, np.ndarray)):
        parts = [str(v) for v in value]
    else:
        parts = _LIST_SEPARATORS.split(str(value))
    return {p.strip().casefold() for p in parts if p.strip()}


def _fmt(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    return str(value).strip()


def _fmt_list(values: Sequence[Any]) -> str:
    return "[" + ", ".join(_fmt(v) for v in values) + "]"


def _matches(criterion: ICPCriterion, value: Any) -> bool:
    """Whether one non-missing attribute value meets the criterion."""
    op, operand = criterion.operator, criterion.operand
    if op == "between":
        return bool(operand[0] <= value <= operand[1])
    if op == ">=":
        return bool(value >= operand)
    if op == "<=":
        return bool(value <= operand)
    if op == "contains":
        wanted = [operand] if isinstance(operand, str) else operand
        return bool(_items(value) & {str(w).strip().casefold() for w in wanted})
    targets = operand if op == "in" else [operand]
    return _norm(value) in {_norm(t) for t in targets}


def _evaluate(
    criterion: ICPCriterion, frame: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (matched, missing, reason text) arrays of one criterion over the frame.

    Each distinct attribute value is tested and described once, then broadcast to its rows.
    """
    values: Any
    if criterion.operator in ("between", ">=", "<="):
        values = numeric_column(frame, criterion.attribute, source="icp")
    else:
        values = frame[criterion.attribute].map(
            lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple, set, np.ndarray)) else v
        )
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    matched_u = np.array([_matches(criterion, u) for u in uniques] + [False], dtype=bool)
    text_u = np.array(
        [_reason(criterion, u, bool(m), False) for u, m in zip(uniques, matched_u, strict=False)]
        + [_reason(criterion, None, False, True)],
        dtype=object,
    )
    # code -1 (missing) picks the extra last entry
    return matched_u[codes], codes == -1, text_u[codes]


def _reason(criterion: ICPCriterion, value: Any, matched: bool, missing: bool) -> str:
    name, op, operand = criterion.attribute, criterion.operator, criterion.operand
    weight = _fmt(criterion.weight)
    if missing:
        return f"{name} missing ✗"
    shown = _fmt(value)
    if op == "contains":
        wanted = operand if isinstance(operand, str) else ", ".join(operand)
        text = f"{name} has {wanted}" if matched else f"{name} lacks {wanted}"
    elif op in ("in", "equals"):
        if matched:
            text = f"{name} = {shown}"
        elif op == "in":
            text = f"{name} {shown} not in {_fmt_list(operand)}"
        else:
            text = f"{name} {shown} ≠ {_fmt(operand)}"
    elif op == "between":
        span = f"{_fmt(operand[0])}–{_fmt(operand[1])}"
        text = f"{name} {shown} in {span}" if matched else f"{name} {shown} not in {span}"
    elif op == ">=":
        text = (
            f"{name} {shown} ≥ {_fmt(operand)}" if matched else f"{name} {shown} < {_fmt(operand)}"
        )
    else:
        text = (
            f"{name} {shown} ≤ {_fmt(operand)}" if matched else f"{name} {shown} > {_fmt(operand)}"
        )
    return f"{text} ✓ (+{weight})" if matched else f"{text} ✗"


def _criteria_from(criteria: Any) -> list[ICPCriterion]:
    if isinstance(criteria, ICPConfig):
        return list(criteria.criteria)
    return parse_icp_config({"criteria": list(criteria)}).criteria


class ICPScorer:
    """Score ideal-customer-profile fit 0-100 from weighted criteria, with reasons per customer."""

    def __init__(
        self,
        criteria: Sequence[ICPCriterion | Mapping[str, Any]] | ICPConfig,
        *,
        bands: Mapping[str, float] | None = None,
    ) -> None:
        self.criteria = criteria
        self.bands = bands

    @classmethod
    def from_config(cls, config: ICPConfig) -> ICPScorer:
        """Return a scorer for the `icp:` section of segmint.yaml."""
        return cls(list(config.criteria), bands=config.bands)

    def fit(self, frame: pd.DataFrame, y: Any = None) -> ICPScorer:
        """Validate the criteria against the frame's columns; return self."""
        criteria = _criteria_from(self.criteria)
        if isinstance(self.criteria, ICPConfig) and self.bands is None:
            bands = dict(self.criteria.bands)
        else:
            try:
                bands = _check_bands(dict(self.bands or DEFAULT_ICP_BANDS))
            except ValueError as exc:
                raise ConfigError(f"icp.bands: {exc}") from None
        reserved = [c.criterion_name for c in criteria if c.criterion_name in _RESERVED_NAMES]
        if reserved:
            raise ConfigError(
                f"icp.criteria: criterion name {reserved[0]!r} is reserved (its column would "
                f"clash with icp_{reserved[0]}); set another `name:`"
            )
        check_customer_frame(frame, source="icp")
        self._check_columns(frame, criteria)
        self.criteria_ = criteria
        self.bands_ = bands
        self.total_weight_ = float(sum(c.weight for c in criteria))
        return self

    @staticmethod
    def _check_columns(frame: pd.DataFrame, criteria: list[ICPCriterion]) -> None:
        for criterion in criteria:
            if criterion.attribute not in frame.columns:
                raise MissingColumnError(
                    "icp",
                    criterion.attribute,
                    [str(c) for c in frame.columns],
                    hint=f"criterion {criterion.criterion_name!r}",
                )

    def _check_fitted(self) -> None:
        if not hasattr(self, "criteria_"):
            raise NotFittedError("ICPScorer is not fitted; call fit(frame) first")

    def score(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return customer_id, icp_score, icp_band, icp_<criterion> (matched), icp_reasons, missing_attributes."""
        self._check_fitted()
        check_customer_frame(frame, source="icp")
        self._check_columns(frame, self.criteria_)
        out = pd.DataFrame({"customer_id": frame["customer_id"].to_numpy()}, index=frame.index)
        earned = np.zeros(len(frame))
        reasons = np.full(len(frame), "", dtype=object)
        missing_flags = []
        matches = {}
        for position, criterion in enumerate(self.criteria_):
            matched, missing, text = _evaluate(criterion, frame)
            earned += np.where(matched, criterion.weight, 0.0)
            matches[f"icp_{criterion.criterion_name}"] = matched
            reasons = text if position == 0 else reasons + "; " + text
            missing_flags.append(missing)
        attributes = [c.attribute for c in self.criteria_]
        out["icp_score"] = np.round(100.0 * earned / self.total_weight_, 2)
        out["icp_band"] = band_for(out["icp_score"], self.bands_)
        for name, matched in matches.items():
            out[name] = matched
        out["icp_reasons"] = reasons
        out["missing_attributes"] = render_by_key(
            missing_flags,
            lambda *flags: ", ".join(
                dict.fromkeys(a for a, f in zip(attributes, flags, strict=True) if f)
            ),
        )
        return out

    def predict(self, frame: pd.DataFrame) -> pd.Series:
        """Return each customer's ICP band, indexed like the input."""
        return self.score(frame)["icp_band"].rename("icp_band")

    def missing_summary(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return per criterion how many customers lack the attribute (count and share)."""
        self._check_fitted()
        rows = []
        for criterion in self.criteria_:
            _, missing, _ = _evaluate(criterion, frame)
            rows.append(
                {
                    "criterion": criterion.criterion_name,
                    "attribute": criterion.attribute,
                    "missing": int(missing.sum()),
                    "missing_share": float(missing.mean()) if len(frame) else 0.0,
                }
            )
        return pd.DataFrame(rows)


def icp_criteria(data: Sequence[Mapping[str, Any]]) -> list[ICPCriterion]:
    """Return validated ICP criteria from plain mappings (as written in segmint.yaml)."""
    return parse_icp_config({"criteria": [dict(item) for item in data]}).criteria
