"""Numbers, shares and dates written the way an English or Korean reader expects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def number(value: Any, lang: str = "en", digits: int | None = None) -> str:
    """Return 1,234 or 1,234.5 (both languages group by thousands); "–" when missing."""
    if _missing(value):
        return "–"
    if isinstance(value, str):
        return value
    x = float(value)
    if digits is None:
        digits = 0 if x.is_integer() or abs(x) >= 1000 else (1 if abs(x) >= 10 else 2)
    text = f"{x:,.{digits}f}"
    if lang == "ko" and abs(x) >= 100_000_000:
        # Korean readers count large amounts in 억 (10^8), not millions.
        return f"{x / 100_000_000:,.1f}억"
    return text


def share(value: Any, lang: str = "en") -> str:
    """Return 12.3% (one decimal); "–" when missing."""
    if _missing(value):
        return "–"
    return f"{float(value):.1%}"


def date(value: Any, lang: str = "en") -> str:
    """Return Jul 1, 2025 in English and 2025년 7월 1일 in Korean; "–" when missing."""
    if _missing(value) or value == "":
        return "–"
    stamp = pd.Timestamp(value)
    moment: datetime = stamp.to_pydatetime()
    if lang == "ko":
        return f"{moment.year}년 {moment.month}월 {moment.day}일"
    return f"{_MONTHS_EN[moment.month - 1]} {moment.day}, {moment.year}"


def interval(low: Any, high: Any, *, percent: bool, lang: str = "en") -> str:
    """Return the 95% interval as "[low – high]", or "" when it is unknown."""
    if _missing(low) or _missing(high):
        return ""
    fmt = share if percent else number
    return f"[{fmt(low, lang)} – {fmt(high, lang)}]"
