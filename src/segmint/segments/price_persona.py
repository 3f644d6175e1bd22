"""The price line of a persona card: deal seekers, full-price buyers or mixed, in words.

Customers are labelled as the built-in `price_sensitivity` scheme template labels them (its
default cut points on the shrunk `discounted_order_share`; fewer than `min_orders` orders in 365
days: not labelled), so a card and that scheme never disagree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segmint import i18n
from segmint.segments.templates import TEMPLATES

MIN_LABELLED = 20  # a segment is named deal seekers / full-price buyers only with this many
_DEFAULTS = TEMPLATES["price_sensitivity"].defaults
FEATURE = str(_DEFAULTS["feature"])


def price_labels(frame: pd.DataFrame) -> pd.Series | None:
    """Return per row 'deal seeker', 'full price', 'occasional' or None (insufficient orders)."""
    if FEATURE not in frame.columns:
        return None
    share = pd.to_numeric(frame[FEATURE], errors="coerce").astype(float)
    orders = (
        pd.to_numeric(frame["price_orders_365d"], errors="coerce").fillna(0)
        if "price_orders_365d" in frame.columns
        else pd.Series(np.inf, index=frame.index)
    )
    labels = np.select(
        [share >= float(_DEFAULTS["deal_seeker_from"]),
         share >= float(_DEFAULTS["full_price_below"])],
        ["deal seeker", "occasional"],
        "full price",
    )  # fmt: skip
    known = share.notna() & (orders >= float(_DEFAULTS["min_orders"]))
    return pd.Series(labels, index=frame.index, dtype=object).mask(~known)


def price_sentence(labels: pd.Series, mask: np.ndarray, lang: str) -> tuple[str, float] | None:
    """Return the card's price sentence and the segment's deal-seeker share (None: too few)."""
    seg = labels[mask].dropna()
    everyone = labels.dropna()
    if len(seg) < MIN_LABELLED or everyone.empty:
        return None
    deal, full = float((seg == "deal seeker").mean()), float((seg == "full price").mean())
    occasional = 1.0 - deal - full
    pop_deal = float((everyone == "deal seeker").mean())
    pop_full = float((everyone == "full price").mean())
    if deal >= 0.5:
        key = "persona.price.deal"
    elif full >= 0.5:
        key = "persona.price.full"
    elif occasional >= 0.5:
        key = "persona.price.occasional"
    else:
        key = "persona.price.mixed"
    text = i18n.t(
        key, lang, deal=_pct(deal), full=_pct(full), occasional=_pct(occasional),
        pop_deal=_pct(pop_deal), pop_full=_pct(pop_full),
    )  # fmt: skip
    return text, deal


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


__all__ = ["FEATURE", "MIN_LABELLED", "price_labels", "price_sentence"]
