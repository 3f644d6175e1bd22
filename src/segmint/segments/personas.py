"""Persona cards: who is in each segment, in words, with ratios against the population."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import skew

from segmint import i18n
from segmint.errors import MissingColumnError
from segmint.segments.clustering.labels import human_name
from segmint.segments.clustering.preprocess import categorical_values, column_kind
from segmint.segments.price_persona import FEATURE as PRICE_FEATURE
from segmint.segments.price_persona import price_labels, price_sentence

LANGS = ("en", "ko")
MAX_LEVELS = 20
# Traits weaker than this (in standard deviations) are left off a card unless needed to show 3.
MIN_TRAIT_EFFECT = 0.3
MIN_TRAITS = 3

TYPICAL_VALUES = 6  # medians shown per card
# Feature-catalogue units that count things, and name parts that never do (money, scores).
COUNT_UNITS = frozenset(
    {"days", "orders", "count", "seats", "months", "events", "features", "tickets"}
)
NOT_COUNTS = ("score", "mrr", "revenue", "amount", "value", "clv", "price", "rank", "probability")
PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "more": "{ratio}× more {name}",
        "less": "{pct}% less {name}",
        "fewer": "{pct}% fewer {name}",
        "yes": "{name}: yes",
        "no": "{name}: no",
        "missing": "{name} missing",
        "higher": "higher {name} (median {seg} vs {pop})",
        "lower": "lower {name} (median {seg} vs {pop})",
        "share": "{pct}% {level} (population {pop_pct}%)",
        "customers": "Customers",
        "revenue": "Revenue",
        "traits": "What sets it apart",
        "typical": "Typical values (median)",
        "playbook": "Playbook",
        "no_playbook": "no playbook mapped",
        "of_customers": "of customers",
        "of_revenue": "of revenue",
    },
    "ko": {
        "more": "{name} {ratio}배 많음",
        "less": "{name} {pct}% 적음",
        "fewer": "{name} {pct}% 적음",
        "yes": "{name}: 예",
        "no": "{name}: 아니오",
        "missing": "{name} 없음",
        "higher": "{name} 높음 (중앙값 {seg}, 전체 {pop})",
        "lower": "{name} 낮음 (중앙값 {seg}, 전체 {pop})",
        "share": "{level} {pct}% (전체 {pop_pct}%)",
        "customers": "고객",
        "revenue": "매출",
        "traits": "주요 특징",
        "typical": "대표값 (중앙값)",
        "playbook": "플레이북",
        "no_playbook": "연결된 플레이북 없음",
        "of_customers": "고객 비중",
        "of_revenue": "매출 비중",
    },
}


@dataclass
class PersonaTrait:
    """One trait of a segment: the words and the numbers behind them."""

    feature: str
    kind: str
    text: str
    std_diff: float
    segment_value: float
    population_value: float
    ratio: float | None = None
    level: str | None = None


@dataclass
class PersonaCard:
    """A segment described for people: size, revenue share, distinctive traits, typical values, playbook."""

    segment: str
    size: int
    share: float
    revenue: float | None
    revenue_share: float | None
    traits: list[PersonaTrait]
    typical: dict[str, float]
    playbook: dict[str, Any] | None
    lang: str = "en"
    population: int = field(default=0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the card."""
        out = asdict(self)
        out["traits"] = [
            {k: (round(v, 4) if isinstance(v, float) else v) for k, v in t.items()}
            for t in out["traits"]
        ]
        return out

    def to_markdown(self) -> str:
        """The card as a short Markdown section."""
        p = PHRASES[self.lang]
        lines = [f"### {self.segment}", ""]
        lines.append(f"- {p['customers']}: {self.size:,} ({self.share:.1%} {p['of_customers']})")
        if self.revenue is not None and self.revenue_share is not None:
            lines.append(
                f"- {p['revenue']}: {self.revenue:,.2f} ({self.revenue_share:.1%} {p['of_revenue']})"
            )
        lines.append(f"- {p['traits']}:")
        lines.extend(f"  - {t.text}" for t in self.traits)
        if self.typical:
            values = ", ".join(
                f"{feature_name(k, self.lang)} {_fmt(v)}" for k, v in self.typical.items()
            )
            lines.append(f"- {p['typical']}: {values}")
        if self.playbook:
            desc = ", ".join(f"{k}: {v}" for k, v in self.playbook.items())
            lines.append(f"- {p['playbook']}: {desc}")
        else:
            lines.append(f"- {p['playbook']}: {p['no_playbook']}")
        return "\n".join(lines) + "\n"


def persona_cards(
    frame: pd.DataFrame,
    *,
    segment_col: str,
    value_col: str | None = None,
    id_col: str | None = "customer_id",
    features: Sequence[str] | None = None,
    playbooks: Mapping[str, Mapping[str, Any]] | None = None,
    top_traits: int = 5,
    lang: str = "en",
) -> list[PersonaCard]:
    """One persona card per segment of `segment_col`, largest segment first.

    Traits are ranked by standardized difference between the segment and the population (numeric:
    mean difference in population standard deviations, on log1p for skewed non-negative columns;
    categorical level: share difference / sqrt(p(1-p))). Numeric traits are worded as a ratio of
    means ("3.2× more tickets (90d)"), categorical ones as shares ("64% manufacturing (population 20%)").
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    if top_traits < 1:
        raise ValueError("top_traits must be at least 1")
    for col in [segment_col, value_col, *(features or [])]:
        if col is not None and col not in frame.columns:
            raise MissingColumnError("persona input", col, list(frame.columns))
    columns = _feature_columns(frame, segment_col, id_col, features)
    segments = frame[segment_col].astype("object").where(frame[segment_col].notna(), "(none)")
    total = len(frame)
    revenue_total = float(frame[value_col].sum()) if value_col else None
    numeric = [c for c in columns if column_kind(frame[c]) == "numeric"]
    scaled = {c: _scaled_numeric(frame[c]) for c in numeric}
    cards: list[PersonaCard] = []
    labels = price_labels(frame) if PRICE_FEATURE in columns else None
    counts = segments.value_counts(sort=False)
    ordered = sorted(counts.index, key=lambda s: (-counts[s], str(s)))
    for seg in ordered:
        mask = (segments == seg).to_numpy()
        traits = _numeric_traits(frame, mask, numeric, scaled, lang)
        traits += _categorical_traits(frame, mask, [c for c in columns if c not in numeric], lang)
        traits.sort(key=lambda t: (-abs(t.std_diff), t.feature))
        ranked = _dedupe(traits)
        strong = [t for t in ranked if abs(t.std_diff) >= MIN_TRAIT_EFFECT]
        chosen = (strong if len(strong) >= MIN_TRAITS else ranked[:MIN_TRAITS])[:top_traits]
        price = _price_trait(labels, mask, lang) if labels is not None else None
        if price is not None:
            # the sentence says it in words; the bare share trait would repeat it
            chosen = [price, *[t for t in chosen if t.feature != PRICE_FEATURE]][:top_traits]
        # Typical values of what sets the segment apart first, then a few more for context.
        lead = [t.feature for t in chosen if t.kind == "numeric"]
        rest = [
            c
            for c in numeric
            if c not in {t.feature for t in chosen} and frame.loc[mask, c].notna().any()
        ]
        typical_cols = lead + rest[: max(0, TYPICAL_VALUES - len(lead))]
        typical = {
            c: float(pd.to_numeric(frame.loc[mask, c], errors="coerce").median())
            for c in typical_cols
            if frame.loc[mask, c].notna().any()
        }
        revenue = float(frame.loc[mask, value_col].sum()) if value_col else None
        playbook = None
        if playbooks:
            found = playbooks.get(str(seg)) or playbooks.get(seg)
            playbook = dict(found) if found else None
        cards.append(
            PersonaCard(
                segment=str(seg),
                size=int(mask.sum()),
                share=float(mask.sum()) / total,
                revenue=revenue,
                revenue_share=(revenue / revenue_total if revenue_total else None)
                if revenue is not None
                else None,
                traits=chosen,
                typical=typical,
                playbook=playbook,
                lang=lang,
                population=total,
            )
        )
    return cards


def _price_trait(labels: pd.Series, mask: np.ndarray, lang: str) -> PersonaTrait | None:
    """Return the trait naming the segment deal seekers, full-price buyers or mixed."""
    found = price_sentence(labels, mask, lang)
    if found is None:
        return None
    text, deal = found
    everyone = labels.dropna()
    pop = float((everyone == "deal seeker").mean())
    sd = float(np.sqrt(pop * (1 - pop)))
    d = (deal - pop) / sd if sd > 0 else 0.0
    return PersonaTrait(
        "price_sensitivity", "price", text, d, deal, pop, deal / pop if pop else None
    )


def _feature_columns(
    frame: pd.DataFrame, segment_col: str, id_col: str | None, features: Sequence[str] | None
) -> list[str]:
    if features is not None:
        return list(features)
    out = []
    for col in frame.columns:
        if col in (segment_col, id_col):
            continue
        kind = column_kind(frame[col])
        if kind == "datetime":
            continue
        if kind == "categorical" and categorical_values(frame[col]).nunique() > MAX_LEVELS:
            continue
        out.append(col)
    return out


def _scaled_numeric(series: pd.Series) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
    finite = values[np.isfinite(values)]
    if len(finite) > 2 and finite.min() >= 0 and np.ptp(finite) > 0 and skew(finite) > 1:
        values = np.log1p(np.clip(values, 0, None))
    return values


def _numeric_traits(
    frame: pd.DataFrame,
    mask: np.ndarray,
    numeric: list[str],
    scaled: Mapping[str, np.ndarray],
    lang: str,
) -> list[PersonaTrait]:
    p = PHRASES[lang]
    out = []
    for col in numeric:
        z = scaled[col]
        if np.isnan(z).all() or np.isnan(z[mask]).all():
            continue
        sd = float(np.nanstd(z))
        if not np.isfinite(sd) or sd <= 0 or np.isnan(z[mask]).all():
            continue
        d = float((np.nanmean(z[mask]) - np.nanmean(z)) / sd)
        raw = pd.to_numeric(frame[col], errors="coerce").astype(float)
        seg_mean, pop_mean = float(raw[mask].mean()), float(raw.mean())
        seg_med, pop_med = float(raw[mask].median()), float(raw.median())
        name = feature_name(col, lang)
        ratio: float | None = None
        if pop_mean > 0 and seg_mean >= 0 and raw.min() >= 0:
            ratio = seg_mean / pop_mean
            if ratio >= 1:
                text = p["more"].format(ratio=f"{ratio:.1f}", name=name)
            else:
                less = "fewer" if _is_count(col, raw) else "less"  # "fewer tickets", "less MRR"
                text = p[less].format(pct=f"{(1 - ratio) * 100:.0f}", name=name)
        else:
            key = "higher" if d > 0 else "lower"
            text = p[key].format(name=name, seg=_fmt(seg_med), pop=_fmt(pop_med))
        out.append(PersonaTrait(col, "numeric", text, d, seg_med, pop_med, ratio))
    return out


def _categorical_traits(
    frame: pd.DataFrame, mask: np.ndarray, columns: list[str], lang: str
) -> list[PersonaTrait]:
    p = PHRASES[lang]
    out = []
    for col in columns:
        values = categorical_values(frame[col]).to_numpy()
        best: PersonaTrait | None = None
        for level in pd.unique(values):
            hit = values == level
            pop = float(hit.mean())
            if pop <= 0 or pop >= 1:
                continue
            seg = float(hit[mask].mean())
            d = (seg - pop) / float(np.sqrt(pop * (1 - pop)))
            if d <= 0:
                continue
            label = _level_label(col, str(level), lang)
            text = p["share"].format(
                pct=f"{seg * 100:.0f}", level=label, pop_pct=f"{pop * 100:.0f}"
            )
            trait = PersonaTrait(col, "categorical", text, d, seg, pop, seg / pop, str(level))
            if best is None or trait.std_diff > best.std_diff:
                best = trait
        if best is not None:
            out.append(best)
    return out


_YES = frozenset({"true", "1", "1.0", "yes", "y"})
_NO = frozenset({"false", "0", "0.0", "no", "n"})


def _level_label(column: str, level: str, lang: str = "en") -> str:
    """Return a level as words with its column, flags as yes/no, gaps as missing."""
    p = PHRASES[lang]
    name = feature_name(column, lang)
    lowered = level.strip().lower()
    if lowered in _YES:
        return p["yes"].format(name=name)
    if lowered in _NO:
        return p["no"].format(name=name)
    if lowered in {"missing", "(missing)", "nan", "none", ""}:
        return p["missing"].format(name=name)
    return (
        f"{name}: {i18n.segment_label(level, lang)}"  # "industry: manufacturing", "churn risk: low"
    )


def feature_name(column: str, lang: str = "en") -> str:
    """Return a feature's name for people: the Korean name from the catalogue, else its words."""
    key = f"feature.{column}"
    if lang != "en" and i18n.has_message(key):
        return i18n.t(key, lang)
    return human_name(column)


def _is_count(column: str, values: pd.Series) -> bool:
    """Return True for counted things (orders, tickets, days): "fewer", not "less".

    The feature catalogue's unit decides for known features; other columns count when they hold
    whole, non-negative numbers and their name does not say money or a score.
    """
    from segmint.features.catalogue import FEATURE_CATALOGUE

    units = {spec.name: spec.unit for spec in FEATURE_CATALOGUE}
    if column in units:
        return units[column] in COUNT_UNITS
    if any(word in column.lower() for word in NOT_COUNTS):
        return False
    finite = values[np.isfinite(values)]
    return bool(len(finite)) and bool((finite >= 0).all()) and bool((finite % 1 == 0).all())


def _dedupe(traits: list[PersonaTrait]) -> list[PersonaTrait]:
    seen: set[str] = set()
    kept = []
    for t in traits:
        if t.feature in seen:
            continue
        seen.add(t.feature)
        kept.append(t)
    return kept


def _fmt(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "n/a"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


__all__ = ["PHRASES", "PersonaCard", "PersonaTrait", "feature_name", "persona_cards"]
