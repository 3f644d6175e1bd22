"""ICP fit: weighted ideal-customer-profile criteria → a 0-100 score with per-criterion reasons."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from segmint.errors import ConfigError, MissingColumnError, NotFittedError
from segmint.scores.health import band_for, check_customer_frame, numeric_column
from segmint.scores.score_config import (
    DEFAULT_ICP_BANDS,
    ICPConfig,
    ICPCriterion,
    _check_bands,
    parse_icp_config,
)

_LIST_SEPARATORS = re.compile(r"[;,|]")
_RESERVED_NAMES = ("score", "band", "reasons", "similarity")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and np.isnan(value)


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


def _evaluate(criterion: ICPCriterion, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return (matched, missing) boolean arrays of one criterion over the frame."""
    column = frame[criterion.attribute]
    op, operand = criterion.operator, criterion.operand
    if op in ("between", ">=", "<="):
        values = numeric_column(frame, criterion.attribute, source="icp")
        missing = np.isnan(values)
        with np.errstate(invalid="ignore"):
            if op == "between":
                matched = (values >= operand[0]) & (values <= operand[1])
            elif op == ">=":
                matched = values >= operand
            else:
                matched = values <= operand
        return matched & ~missing, missing
    raw = column.to_numpy(dtype=object)
    missing = np.array([_is_missing(v) for v in raw], dtype=bool)
    if op == "contains":
        wanted = {
            str(w).strip().casefold() for w in ([operand] if isinstance(operand, str) else operand)
        }
        matched = np.array(
            [not m and bool(_items(v) & wanted) for v, m in zip(raw, missing, strict=True)]
        )
    else:
        targets = {_norm(v) for v in (operand if op == "in" else [operand])}
        matched = np.array(
            [not m and _norm(v) in targets for v, m in zip(raw, missing, strict=True)]
        )
    return matched.astype(bool), missing


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
        reasons: list[list[str]] = [[] for _ in range(len(frame))]
        missing_names: list[list[str]] = [[] for _ in range(len(frame))]
        matches = {}
        for criterion in self.criteria_:
            matched, missing = _evaluate(criterion, frame)
            earned += np.where(matched, criterion.weight, 0.0)
            matches[f"icp_{criterion.criterion_name}"] = matched
            values = frame[criterion.attribute].to_numpy(dtype=object)
            for i in range(len(frame)):
                reasons[i].append(_reason(criterion, values[i], bool(matched[i]), bool(missing[i])))
                if missing[i]:
                    missing_names[i].append(criterion.attribute)
        out["icp_score"] = np.round(100.0 * earned / self.total_weight_, 2)
        out["icp_band"] = band_for(out["icp_score"], self.bands_)
        for name, matched in matches.items():
            out[name] = matched
        out["icp_reasons"] = ["; ".join(r) for r in reasons]
        out["missing_attributes"] = [", ".join(dict.fromkeys(m)) for m in missing_names]
        return out

    def predict(self, frame: pd.DataFrame) -> pd.Series:
        """Return each customer's ICP band, indexed like the input."""
        return self.score(frame)["icp_band"].rename("icp_band")

    def missing_summary(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return per criterion how many customers lack the attribute (count and share)."""
        self._check_fitted()
        rows = []
        for criterion in self.criteria_:
            _, missing = _evaluate(criterion, frame)
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
