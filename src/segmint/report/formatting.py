"""Number formatting for the report: thousands separators, percentages, missing values."""

from __future__ import annotations

import math
from decimal import Decimal
from numbers import Real
from typing import Any

MISSING = "–"


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(value))
    except TypeError:
        return False


def format_number(value: Any, decimals: int = 0) -> str:
    """Return `value` with thousands separators and `decimals` digits; missing values as a dash."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, Decimal):  # money summed exactly arrives as Decimal
        return f"{value:,.{decimals}f}"
    if isinstance(value, bool) or not isinstance(value, Real):
        return str(value)
    return f"{float(value):,.{decimals}f}"


def format_percent(value: Any, decimals: int = 1) -> str:
    """Return a 0..1 share as a percentage such as "12.3%"; missing values as a dash."""
    if _is_missing(value):
        return MISSING
    return f"{float(value) * 100:,.{decimals}f}%"


def format_auto(value: Any) -> str:
    """Return integers without decimals, other numbers with two, anything else as text."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return format_number(value, 2)
    if isinstance(value, Real):
        number = float(value)
        if number.is_integer() and abs(number) < 1e15:
            return format_number(number, 0)
        return format_number(number, 2)
    return str(value)


def text_width(text: str, font_size: float = 12.0) -> float:
    """Return an estimate of the rendered width of `text` in pixels (wide glyphs count double)."""
    units = sum(1.0 if ord(ch) > 0x2E7F else 0.58 for ch in text)
    return units * font_size
