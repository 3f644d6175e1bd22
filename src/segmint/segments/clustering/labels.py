"""Plain-word traits and labels for clusters: what sets each cluster apart from the population."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from segmint.segments.clustering.preprocess import Preprocessor, categorical_values

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WINDOW = re.compile(r"^\d+[dwmyh]$")
_YES = {"true", "1", "1.0", "yes", "y"}
_NO = {"false", "0", "0.0", "no", "n"}
SEPARATOR = " · "


def human_name(column: str) -> str:
    """A readable name for a snake_case column: revenue_365d → 'revenue (365d)'."""
    # camelCase / PascalCase → snake_case first (MonthlyCharges → monthly_charges).
    snake = _CAMEL.sub("_", column.strip()).replace(" ", "_")
    if snake != column.strip():
        snake = snake.lower()
    parts = [p for p in snake.split("_") if p]
    if not parts:
        return column
    window = ""
    if len(parts) > 1 and _WINDOW.match(parts[-1].lower()):
        window = f" ({parts.pop()})"
    return " ".join(parts) + window


@dataclass
class Trait:
    """One way a cluster differs from the population, with the standardized difference behind it."""

    feature: str
    kind: str  # "numeric" or "categorical"
    direction: str  # "high" or "low"
    std_diff: float
    cluster_value: float
    population_value: float
    level: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the trait."""
        out = asdict(self)
        for key in ("std_diff", "cluster_value", "population_value"):
            out[key] = round(float(out[key]), 4)
        return out


def cluster_traits(
    frame: pd.DataFrame, labels: np.ndarray, pre: Preprocessor
) -> dict[int, list[Trait]]:
    """Traits of every cluster sorted by |standardized difference| (largest first).

    Numeric: difference between the cluster mean and the population mean of the transformed
    (log/robust-scaled) column, in population standard deviations; the text quotes raw medians.
    Categorical level: (cluster share − population share) / sqrt(p (1 − p)).
    """
    labels = np.asarray(labels)
    out: dict[int, list[Trait]] = {}
    numeric_cols = {s.name: s for s in pre.numeric}
    design = pre.transform(frame)
    for cluster in sorted(set(labels.tolist())):
        mask = labels == cluster
        traits: list[Trait] = []
        for j, spec in enumerate(pre.numeric):
            column = design[:, j]
            sd = float(column.std())
            if sd <= 0:
                continue
            d = float((column[mask].mean() - column.mean()) / sd)
            raw = pd.to_numeric(frame[spec.name], errors="coerce")
            c_med = float(raw[mask].median()) if raw[mask].notna().any() else float("nan")
            p_med = float(raw.median())
            word = "High" if d > 0 else "Low"
            traits.append(
                Trait(
                    spec.name,
                    "numeric",
                    "high" if d > 0 else "low",
                    d,
                    c_med,
                    p_med,
                    None,
                    f"{word} {human_name(spec.name)}",
                )
            )
        for cat in pre.categorical:
            values = categorical_values(frame[cat.name]).to_numpy()
            for level in cat.levels:
                hit = values == level
                p = float(hit.mean())
                if p <= 0 or p >= 1:
                    continue
                pc = float(hit[mask].mean())
                d = (pc - p) / float(np.sqrt(p * (1 - p)))
                traits.append(
                    Trait(
                        cat.name,
                        "categorical",
                        "high" if d > 0 else "low",
                        d,
                        pc,
                        p,
                        level,
                        _level_text(cat.name, level, pc, d),
                    )
                )
        traits.sort(key=lambda t: (-abs(t.std_diff), t.feature, t.level or ""))
        out[int(cluster)] = _drop_mirror_levels(traits, numeric_cols.keys())
    return out


def _drop_mirror_levels(traits: list[Trait], _numeric: Any) -> list[Trait]:
    # A binary column gives two mirrored traits (more "yes" = fewer "no"); keep the first only.
    seen: set[str] = set()
    kept: list[Trait] = []
    for t in traits:
        if t.kind == "categorical" and t.level is not None and t.level.lower() in _YES | _NO:
            if t.feature in seen:
                continue
            seen.add(t.feature)
        kept.append(t)
    return kept


def _level_text(column: str, level: str, share: float, d: float) -> str:
    name = human_name(column)
    low = level.lower()
    if low in _YES or low in _NO:
        yes = (low in _YES) == (d > 0)
        return f"{'mostly' if yes else 'few'} {name}"
    if low in {"missing", "(missing)", "nan", "none", ""}:
        return f"{'mostly' if d > 0 else 'few'} without {name}"
    # The column in brackets: "mostly low" alone does not say low what.
    if d > 0:
        return f"{'mostly' if share >= 0.5 else 'more'} {level} ({name})"
    return f"few {level} ({name})"


def trait_text(trait: Trait, lang: str = "en") -> str:
    """Return the trait in words in `lang` (English is the text stored with the trait)."""
    if lang == "en":
        return trait.text
    from segmint.i18n import t

    name = _feature_words(trait.feature, lang)
    if trait.kind == "numeric":
        return t(f"cluster.trait.{trait.direction}", lang, name=name)
    level, more = (trait.level or ""), trait.std_diff > 0
    low = level.lower()
    if low in _YES or low in _NO:
        return t(
            "cluster.trait.mostly" if (low in _YES) == more else "cluster.trait.few",
            lang,
            name=name,
        )
    if low in {"missing", "(missing)", "nan", "none", ""}:
        key = "cluster.trait.mostly_without" if more else "cluster.trait.few_without"
        return t(key, lang, name=name)
    if more:
        key = (
            "cluster.trait.mostly_level"
            if trait.cluster_value >= 0.5
            else "cluster.trait.more_level"
        )
        return t(key, lang, level=level, name=name)
    return t("cluster.trait.few_level", lang, level=level, name=name)


def _feature_words(column: str, lang: str) -> str:
    from segmint.i18n import has_message, t

    key = f"feature.{column}"
    return t(key, lang) if has_message(key) else column


def cluster_labels(
    traits: Mapping[int, list[Trait]],
    *,
    max_traits: int = 3,
    min_effect: float = 0.5,
    lang: str = "en",
) -> dict[int, str]:
    """A unique plain-word label per cluster from its top 2-3 traits (|std diff| ≥ min_effect)."""
    chosen: dict[int, list[Trait]] = {}
    for cluster, items in traits.items():
        strong = [t for t in items if abs(t.std_diff) >= min_effect and _labelable(t)]
        chosen[cluster] = (strong or [t for t in items if _labelable(t)] or items)[:max_traits]
    labels = {c: _join(ts, lang) for c, ts in chosen.items()}
    # Disambiguate: extend clashing labels with further traits, then with the cluster number.
    for extra in range(1, 4):
        clashes = _clashing(labels)
        if not clashes:
            break
        for cluster in clashes:
            items = [t for t in traits[cluster] if _labelable(t)]
            labels[cluster] = _join(items[: max_traits + extra], lang)
    for cluster in _clashing(labels):
        labels[cluster] = f"{labels[cluster]} #{cluster}"
    return labels


def _labelable(t: Trait) -> bool:
    # "few <level>" of a multi-level column is a weak description; labels use what a cluster has.
    return t.kind == "numeric" or t.direction == "high" or (t.level or "").lower() in _YES | _NO


def _join(traits: list[Trait], lang: str = "en") -> str:
    words: list[str] = []
    for t in traits:
        text = trait_text(t, lang)
        text = text if not words else text[0].lower() + text[1:]
        if text.lower() not in (w.lower() for w in words):
            words.append(text)
    if not words:
        if lang == "en":
            return "Typical customers"
        from segmint.i18n import t as translate

        return translate("cluster.typical", lang)
    first = words[0]
    words[0] = first[0].upper() + first[1:]
    return SEPARATOR.join(words)


def _clashing(labels: Mapping[int, str]) -> list[int]:
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    return [c for c, label in labels.items() if counts[label] > 1]


def cluster_profile(
    frame: pd.DataFrame, labels: np.ndarray, pre: Preprocessor, profile_columns: list[str]
) -> pd.DataFrame:
    """One row per cluster: size, share, median of numeric columns, top level and its share of categoricals."""
    labels = np.asarray(labels)
    rows: list[dict[str, Any]] = []
    numeric = {s.name for s in pre.numeric}
    for cluster in sorted(set(labels.tolist())):
        mask = labels == cluster
        row: dict[str, Any] = {
            "cluster": int(cluster),
            "size": int(mask.sum()),
            "share": float(mask.mean()),
        }
        for col in profile_columns:
            series = frame[col][mask]
            if col in numeric:
                numbers = pd.to_numeric(series, errors="coerce").dropna()
                # An all-missing column in one cluster has no median (numpy would warn).
                row[f"{col}_median"] = float(numbers.median()) if len(numbers) else float("nan")
            else:
                values = categorical_values(series)
                if values.empty:
                    continue
                counts = values.value_counts(normalize=True)
                row[f"{col}_top"] = str(counts.index[0])
                row[f"{col}_top_share"] = float(counts.iloc[0])
        rows.append(row)
    return pd.DataFrame(rows).set_index("cluster")
