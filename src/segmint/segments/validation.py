"""Segment validation on five criteria: distinct, measurable, accessible, substantial, actionable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency, mannwhitneyu

from segmint.errors import MissingColumnError
from segmint.segments.clustering.labels import human_name
from segmint.segments.clustering.preprocess import categorical_values, column_kind

CRITERIA = ("distinct", "measurable", "accessible", "substantial", "actionable")
STATUSES = ("pass", "warn", "fail")
_CONSENT_WORDS = ("consent", "opt_in", "optin", "subscribed")
_YES = {"true", "1", "1.0", "yes", "y", "t"}


def validate_segments(
    frame: pd.DataFrame,
    *,
    segment_col: str,
    features: Sequence[str],
    key_kpis: Sequence[str] = (),
    contact_cols: Sequence[str] = ("email", "phone", "email_consent"),
    value_col: str | None = None,
    playbooks: Mapping[str, Any] | None = None,
    min_size_share: float = 0.02,
    min_revenue_share: float = 0.0,
    min_effect: float = 0.5,
    min_cramers_v: float = 0.3,
    max_p: float = 0.01,
    min_completeness: float = 0.95,
    warn_completeness: float = 0.8,
    min_reachable: float = 0.5,
    warn_reachable: float = 0.2,
) -> pd.DataFrame:
    """One row per segment × criterion: segment, size, criterion, status (pass/warn/fail), value, detail.

    distinct: every feature and KPI is compared between the segment and the rest — numeric by
    Cohen's d and a Mann-Whitney U test, categorical by Cramér's V and a chi-square test. pass when
    one has |d| ≥ min_effect (or V ≥ min_cramers_v) with p < max_p; warn when something differs
    significantly but with a smaller effect; fail otherwise. value = the largest qualifying effect.
    measurable: smallest non-null share of the defining features among members (pass ≥ 0.95,
    warn ≥ 0.8). accessible: share of members with a contact (email/phone present) and, when a
    consent column exists, consent given (pass ≥ 0.5, warn ≥ 0.2; warn when no contact column is
    in the data). substantial: share of customers ≥ min_size_share and of revenue ≥
    min_revenue_share. actionable: the segment is mapped to a playbook (warn when none configured).
    """
    for col in [segment_col, *features, *key_kpis, *([value_col] if value_col else [])]:
        if col not in frame.columns:
            raise MissingColumnError("segment validation input", col, list(frame.columns))
    segments = frame[segment_col].astype("object").where(frame[segment_col].notna(), "(none)")
    counts = segments.value_counts(sort=False)
    ordered = sorted(counts.index, key=lambda s: (-counts[s], str(s)))
    compare = list(dict.fromkeys([*features, *key_kpis]))
    present_contacts = [c for c in contact_cols if c in frame.columns]
    reachable = _reachable(frame, present_contacts)
    revenue = pd.to_numeric(frame[value_col], errors="coerce").fillna(0.0) if value_col else None
    total_revenue = float(revenue.sum()) if revenue is not None else 0.0
    rows: list[dict[str, Any]] = []
    for seg in ordered:
        mask = (segments == seg).to_numpy()
        size = int(mask.sum())

        def add(
            criterion: str,
            status: str,
            value: float | None,
            detail: str,
            seg: Any = seg,
            size: int = size,
        ) -> None:
            rows.append(
                {
                    "segment": str(seg),
                    "size": size,
                    "criterion": criterion,
                    "status": status,
                    "value": value,
                    "detail": detail,
                }
            )

        add("distinct", *_distinct(frame, mask, compare, min_effect, min_cramers_v, max_p))
        add(
            "measurable",
            *_measurable(frame, mask, list(features), min_completeness, warn_completeness),
        )
        if reachable is None:
            add(
                "accessible",
                "warn",
                None,
                "no contact columns (" + ", ".join(contact_cols) + ") in the data",
            )
        else:
            share = float(reachable[mask].mean())
            status = (
                "pass" if share >= min_reachable else "warn" if share >= warn_reachable else "fail"
            )
            add(
                "accessible",
                status,
                share,
                f"{share:.0%} reachable via {', '.join(present_contacts)}",
            )
        size_share = size / len(frame)
        rev_share = (
            float(revenue[mask].sum()) / total_revenue
            if revenue is not None and total_revenue
            else None
        )
        ok_size = size_share >= min_size_share
        ok_rev = rev_share is None or rev_share >= min_revenue_share
        detail = f"{size_share:.1%} of customers (min {min_size_share:.1%})"
        if rev_share is not None:
            detail += f", {rev_share:.1%} of revenue (min {min_revenue_share:.1%})"
        add("substantial", "pass" if ok_size and ok_rev else "fail", size_share, detail)
        if playbooks is None:
            add("actionable", "warn", None, "no playbooks configured")
        elif str(seg) in playbooks or seg in playbooks:
            book = playbooks.get(str(seg)) or playbooks.get(seg)
            add("actionable", "pass", 1.0, f"playbook: {_describe_playbook(book)}")
        else:
            add("actionable", "fail", 0.0, "no playbook mapped to this segment")
    return pd.DataFrame(rows, columns=["segment", "size", "criterion", "status", "value", "detail"])


def _reachable(frame: pd.DataFrame, contacts: list[str]) -> np.ndarray | None:
    if not contacts:
        return None
    consent = [c for c in contacts if any(w in c.lower() for w in _CONSENT_WORDS)]
    channels = [c for c in contacts if c not in consent]
    ok = np.ones(len(frame), dtype=bool)
    if channels:
        has_any = np.zeros(len(frame), dtype=bool)
        for col in channels:
            values = frame[col]
            filled = values.notna() & (values.astype("object").map(str).str.strip() != "")
            has_any |= filled.to_numpy()
        ok &= has_any
    for col in consent:
        ok &= categorical_values(frame[col]).str.lower().isin(_YES).to_numpy()
    return ok


def _distinct(
    frame: pd.DataFrame,
    mask: np.ndarray,
    columns: list[str],
    min_effect: float,
    min_v: float,
    max_p: float,
) -> tuple[str, float | None, str]:
    if mask.all() or not mask.any():
        return "fail", None, "no rest of the population to compare with"
    results = []  # (passes, significant, effect/threshold, text, effect)
    for col in columns:
        if column_kind(frame[col]) == "numeric":
            values = pd.to_numeric(frame[col], errors="coerce").astype(float)
            a, b = values[mask].dropna().to_numpy(), values[~mask].dropna().to_numpy()
            if len(a) < 2 or len(b) < 2:
                continue
            d = _cohens_d(a, b)
            p = (
                float(mannwhitneyu(a, b, alternative="two-sided").pvalue)
                if np.ptp(np.r_[a, b]) > 0
                else 1.0
            )
            effect, threshold, name = abs(d), min_effect, f"d={d:+.2f}"
        else:
            values = categorical_values(frame[col])
            table = pd.crosstab(mask, values.to_numpy())
            if table.shape[1] < 2:
                continue
            chi2, p, _, _ = chi2_contingency(table.to_numpy(), correction=False)
            effect = float(
                np.sqrt(chi2 / table.to_numpy().sum())
            )  # 2 × L table: V = sqrt(chi2 / n)
            threshold, name = min_v, f"V={effect:.2f}"
            p = float(p)
        significant = p < max_p
        results.append(
            (
                significant and effect >= threshold,
                significant,
                effect / threshold,
                f"{human_name(col)}: {name}, p={_fmt_p(p)}",
                effect,
            )
        )
    if not results:
        return "fail", None, "no comparable features"
    results.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
    best = results[0]
    status = "pass" if best[0] else "warn" if best[1] else "fail"
    n_pass = sum(r[0] for r in results)
    detail = best[3] + (f" ({n_pass} of {len(results)} features differ clearly)" if n_pass else "")
    return status, round(float(best[4]), 4), detail


def _cohens_d(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = len(a), len(b)
    pooled = ((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2)
    if pooled <= 0:
        return 0.0 if a.mean() == b.mean() else float(np.sign(a.mean() - b.mean()) * np.inf)
    return float((a.mean() - b.mean()) / np.sqrt(pooled))


def _measurable(
    frame: pd.DataFrame, mask: np.ndarray, features: list[str], minimum: float, warn: float
) -> tuple[str, float | None, str]:
    if not features:
        return "warn", None, "no defining features given"
    completeness = {c: float(frame.loc[mask, c].notna().mean()) for c in features}
    worst = min(completeness, key=lambda c: completeness[c])
    value = completeness[worst]
    status = "pass" if value >= minimum else "warn" if value >= warn else "fail"
    return status, value, f"least complete: {worst} {value:.1%} non-null"


def _json_number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _describe_playbook(book: Any) -> str:
    if isinstance(book, Mapping):
        return ", ".join(f"{k}={v}" for k, v in book.items())
    return str(book)


def _fmt_p(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def summary_table(table: pd.DataFrame) -> pd.DataFrame:
    """Segments × criteria, each cell 'pass (0.82)' — the validation table for display."""
    cells = table.assign(
        cell=[
            f"{s}" if v is None or pd.isna(v) else f"{s} ({v:.2f})"
            for s, v in zip(table["status"], table["value"], strict=True)
        ]
    )
    pivot = cells.pivot(index="segment", columns="criterion", values="cell")
    sizes = table.drop_duplicates("segment").set_index("segment")["size"]
    pivot = pivot.reindex(columns=[c for c in CRITERIA if c in pivot.columns])
    pivot.insert(0, "size", sizes)
    return pivot.loc[sizes.index]


def validation_to_json(table: pd.DataFrame, *, scheme: str | None = None) -> dict[str, Any]:
    """{"scheme", "segments": [{"segment", "size", "criteria": {name: {status, value, detail}}}]}."""
    segments = []
    for seg, rows in table.groupby("segment", sort=False):
        criteria = {
            r.criterion: {
                "status": r.status,
                "value": _json_number(r.value),
                "detail": r.detail,
            }
            for r in rows.itertuples()
        }
        segments.append({"segment": seg, "size": int(rows["size"].iloc[0]), "criteria": criteria})
    return {"scheme": scheme, "segments": segments}


__all__ = ["CRITERIA", "STATUSES", "summary_table", "validate_segments", "validation_to_json"]
