"""Vectorised parsing of text columns: ids, amounts, numbers, dates and flags.

Each parser returns the parsed values and a mask of values that were present but could not be
parsed, so the caller can reject exactly those rows and name the value in the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from segmint.errors import InputError

NULL_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "nat", "-", "#n/a"})
_SAMPLE = 2000

# Currency symbols, codes and words that may surround an amount.
_CURRENCY = r"[₩￦$€£¥]|원|KRW|USD|EUR|GBP|JPY"
# Spaces (incl. no-break) may only group thousands: "1 234,50".
_SPACE_GROUPED = "\\d{1,3}(?:[ \u00a0\u202f]\\d{3})+(?:[.,]\\d+)?"

_YMD = (
    r"^\s*(?P<y>\d{4})\s*(?:[-./]|년)\s*(?P<a>\d{1,2})\s*(?:[-./]|월)\s*(?P<b>\d{1,2})\s*(?:일|\.)?"
)
_DMY = r"^\s*(?P<a>\d{1,2})\s*[-./]\s*(?P<b>\d{1,2})\s*[-./]\s*(?P<y>\d{4})"
_TIME = (
    r"(?:[T\s]+(?P<ap1>오전|오후|AM|PM|am|pm)?\s*(?P<H>\d{1,2}):(?P<M>\d{2})"
    r"(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?\s*(?P<ap2>AM|PM|am|pm|오전|오후)?"
    r"\s*(?P<tz>Z|UTC|[+-]\d{2}:?\d{2})?)?\s*$"
)
_ISO_FAST = (
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)


@dataclass
class Parsed:
    """Parsed values, the mask of present-but-unparseable values, and notes on the format used."""

    values: pd.Series
    bad: pd.Series
    notes: dict[str, object] = field(default_factory=dict)
    reasons: pd.Series | None = None  # a reason per bad value, where the generic one won't do


TEXT_DTYPE = pd.StringDtype("pyarrow")  # pyarrow's string kernels are ~10x faster than Python's


def as_text(values: pd.Series) -> pd.Series:
    """Return the values as pyarrow-backed strings (no copy when they already are)."""
    if values.dtype == TEXT_DTYPE:
        return values
    return values.astype(TEXT_DTYPE)


def blank_mask(text: pd.Series) -> pd.Series:
    """Return True where a text value is missing or a null token (NA, null, -, ...)."""
    if not (pd.api.types.is_object_dtype(text) or pd.api.types.is_string_dtype(text)):
        return pd.Series(text.isna().to_numpy(), index=text.index)
    stripped = as_text(text).str.strip().str.lower()
    return (stripped.isna() | stripped.isin(list(NULL_TOKENS))).fillna(True).astype(bool)


def parse_ids(values: pd.Series) -> Parsed:
    """Return ids as stripped strings; `12346.0` (a number exported as float) becomes `12346`."""
    if pd.api.types.is_float_dtype(values):
        whole = values.notna() & (values == np.floor(values))
        text = as_text(values.astype("string"))
        text = text.where(~whole, as_text(values.where(whole).astype("Int64").astype("string")))
    else:
        text = _drop_float_suffix(as_text(values).str.strip())
    text = text.where(~blank_mask(text))
    # "A\0" prints like "A" but would count as another customer: reject, never guess.
    control = text.str.contains(_CONTROL, regex=True).fillna(False).astype(bool)
    reasons = None
    if control.any():
        reasons = pd.Series(None, index=values.index, dtype="object")
        reasons[control] = [
            f"id contains a control character (U+{ord(_first_control(v)):04X})"
            for v in text[control]
        ]
    return Parsed(text, control, reasons=reasons)


_CONTROL = "[\x00-\x1f\x7f-\x9f]"


def _first_control(value: str) -> str:
    return next(c for c in value if ord(c) < 32 or 127 <= ord(c) <= 159)


def _drop_float_suffix(text: pd.Series) -> pd.Series:
    """Return text with `12346.0` turned into `12346` (backreferences are slow, so mask instead)."""
    floaty = text.str.fullmatch(r"\d+\.0+").fillna(False).astype(bool)
    if not floaty.any():
        return text
    return text.where(~floaty, text.str.replace(r"\.0+$", "", regex=True))


def parse_strings(values: pd.Series) -> Parsed:
    """Return stripped strings with null tokens as missing."""
    text = as_text(values).str.strip()
    return Parsed(text.where(~blank_mask(text)), pd.Series(False, index=values.index))


def parse_amounts(
    values: pd.Series,
    *,
    cents: bool = True,
    decimal: str | None = None,
    delimiter: str | None = None,
    strict: bool = False,
) -> Parsed:
    """Return amounts as float64 (rounded to cents when `cents`), reading 12,300 / ₩12,300 / (12.00) / 12,300원.

    The decimal separator is decided once per column from all of its values (or taken from
    `decimal`). With `strict` (money columns), a column whose separator cannot be told apart
    (`12.300` in a `;` file, `1,234` next to `5,50`) or whose values carry several currencies
    raises InputError instead of guessing.
    """
    blank = blank_mask(values)
    notes: dict[str, object] = {}
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        number = values.astype("float64")
    else:
        text = as_text(values)
        fast = _arrow_float(values)
        number = pd.to_numeric(text, errors="coerce").astype("float64") if fast is None else fast
        slow = (number.isna() & ~blank).to_numpy()
        present = ~blank.to_numpy()
        core = text.str.strip()
        negative = pd.Series(False, index=values.index)
        if slow.any():
            cleaned, slow_negative, currencies = _strip_amount(text[slow])
            if strict:
                _check_one_currency(currencies)
            core = core.copy()
            core[slow] = cleaned
            negative[slow] = slow_negative.to_numpy(dtype=bool)
        convention, why = decimal_convention(
            core[present], decimal=decimal, delimiter=delimiter, strict=strict
        )
        if cents:
            notes["decimal"] = f"{convention!r} ({why})"
        if convention == ",":
            cleaned, comma_negative, _ = _strip_amount(text[present])
            number = pd.Series(np.nan, index=values.index, dtype="float64")
            number[present] = _to_number(cleaned, ",", comma_negative)
        elif slow.any():
            number = number.copy()
            number[slow] = _to_number(core[slow], ".", negative[slow])
    number = number.where(~blank)
    limit = MAX_AMOUNT if cents else np.inf
    out_of_range = (number.notna() & ~(number.abs() < limit)).to_numpy()
    reasons = None
    if out_of_range.any():
        reasons = pd.Series(None, index=values.index, dtype="object")
        word = "amount" if cents else "number"
        reasons[out_of_range] = f"{word} out of range (must be finite and below {limit:,.0f})"
        number = number.where(~out_of_range)
    bad = (number.isna() & ~blank) | pd.Series(out_of_range, index=values.index)
    if cents:
        number = round_cents(number)
    return Parsed(number, bad, notes, reasons)


# Above 10^13 a float64 can no longer hold every cent exactly (its spacing reaches 0.005 at 2^46).
MAX_AMOUNT = 1e13
_CURRENCY_CODES = {"₩": "KRW", "￦": "KRW", "원": "KRW", "$": "USD", "€": "EUR", "£": "GBP"}
_CURRENCY_CODES["¥"] = "JPY"
# One dot or comma followed by exactly three digits: a thousands group or three decimals.
_DOT_THREE = r"^[+-]?\d{1,3}\.\d{3}$"
_COMMA_THREE = r"^[+-]?\d{1,3},\d{3}$"
_DOT_DECIMAL = (
    r"^[+-]?(?:\d*\.(?:\d{1,2}|\d{4,})|\d{4,}\.\d{3}|\d{1,3}(?:,\d{3})+\.\d+"
    r"|\d{1,3}(?:,\d{3}){2,})$"
)
_COMMA_DECIMAL = (
    r"^[+-]?(?:\d*,(?:\d{1,2}|\d{4,})|\d{4,},\d{3}|\d{1,3}(?:\.\d{3})+,\d+"
    r"|\d{1,3}(?:\.\d{3}){2,})$"
)


def decimal_convention(
    core: pd.Series, *, decimal: str | None, delimiter: str | None, strict: bool
) -> tuple[str, str]:
    """Return the decimal separator of a column ('.' or ',') and why it was chosen."""
    if decimal is not None:
        return decimal, "set by the decimal option"
    dots = int(core.str.contains(_DOT_DECIMAL, regex=True).fillna(False).sum())
    commas = int(core.str.contains(_COMMA_DECIMAL, regex=True).fillna(False).sum())
    dot_three = core[core.str.contains(_DOT_THREE, regex=True).fillna(False).astype(bool)]
    comma_three = core[core.str.contains(_COMMA_THREE, regex=True).fillna(False).astype(bool)]
    hint = "pass --decimal , or --decimal . (config: decimal)"
    if dots and commas:
        if strict:
            raise InputError(
                f"amounts mix decimal conventions ({_example(core, _DOT_DECIMAL)} and "
                f"{_example(core, _COMMA_DECIMAL)}); {hint}"
            )
        return ("," if commas > dots else "."), "the more common convention"
    if commas:
        if len(comma_three) and strict:
            raise InputError(
                f"cannot tell whether {comma_three.iloc[0]!r} is a thousands group or three "
                f"decimals next to {_example(core, _COMMA_DECIMAL)}; {hint}"
            )
        return ",", f"values like {_example(core, _COMMA_DECIMAL)}"
    if dots:
        return ".", f"values like {_example(core, _DOT_DECIMAL)}"
    if len(dot_three) and (len(comma_three) or delimiter == ";"):
        if strict:
            raise InputError(
                f"cannot tell whether {dot_three.iloc[0]!r} means {float(dot_three.iloc[0]):g} or "
                f"{dot_three.iloc[0].replace('.', '')} (a dot followed by three digits may group "
                f"thousands); {hint}"
            )
        return ".", "assumed"
    if len(comma_three):
        return ".", f"',' groups thousands as in {comma_three.iloc[0]!r}"
    if len(dot_three):
        return ".", f"values like {dot_three.iloc[0]!r}"
    return ".", "no decimal separator seen"


def _example(core: pd.Series, pattern: str) -> str:
    return repr(core[core.str.contains(pattern, regex=True).fillna(False).astype(bool)].iloc[0])


def _check_one_currency(currencies: pd.Series) -> None:
    """Raise InputError when the amounts name more than one currency (they would be summed)."""
    found = sorted({_CURRENCY_CODES.get(c, c) for c in currencies.dropna().unique()})
    if len(found) > 1:
        raise InputError(
            f"amounts are in several currencies ({', '.join(found)}); segmint does not convert "
            "currencies: split the file by currency and analyse each part"
        )


def round_cents(values: pd.Series) -> pd.Series:
    """Return money rounded to cents, halves away from zero (7.125 → 7.13, as on a receipt)."""
    scaled = np.floor(np.abs(values.to_numpy(dtype="float64")) * 100 + 0.5 + 1e-9)
    return pd.Series(np.sign(values.to_numpy(dtype="float64")) * scaled / 100, index=values.index)


def _arrow_float(values: pd.Series) -> pd.Series | None:
    """Return the column cast to float64 by Arrow when every value is a plain number, else None."""
    if values.dtype != TEXT_DTYPE:
        return None
    try:
        array = pa.array(values.array).cast(pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return pd.Series(array.to_numpy(zero_copy_only=False), index=values.index, dtype="float64")


def _strip_amount(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Return (digits and separators, negative?, currency found) of amount texts."""
    text = text.str.strip().str.replace("−", "-", regex=False)
    currencies = text.str.extract(f"({_CURRENCY})", expand=False)
    negative = text.str.match(r"^\(.*\)$") | text.str.endswith("-")
    text = text.str.replace(r"^\((.*)\)$", r"\1", regex=True).str.rstrip("-")
    text = text.str.replace(_CURRENCY, "", regex=True).str.strip()
    negative = negative | text.str.startswith("-")
    text = text.str.lstrip("+-").str.strip()
    spaced = text.str.contains(r"\s", regex=True).fillna(False).astype(bool)
    if spaced.any():
        grouped = text.str.fullmatch(_SPACE_GROUPED).fillna(False).astype(bool)
        text = text.where(~spaced | grouped).str.replace(r"\s", "", regex=True)
    return text, negative.fillna(False).astype(bool), currencies


def _to_number(core: pd.Series, decimal: str, negative: pd.Series) -> pd.Series:
    """Return numbers from unsigned texts written with `decimal` as the decimal separator."""
    if decimal == ",":
        grouped_ok = core.str.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?|\d+(,\d+)?|,\d+")
        core = core.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        grouped_ok = core.str.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+")
        core = core.str.replace(",", "", regex=False)
    valid = grouped_ok.fillna(False).astype(bool)
    number = pd.to_numeric(core.where(valid), errors="coerce").astype("float64")
    return number.where(~negative.to_numpy(), -number)


def parse_numbers(values: pd.Series) -> Parsed:
    """Return plain numbers (counts, scores) as float64; same text rules as amounts, no rounding."""
    return parse_amounts(values, cents=False)


_TRUE = frozenset({"true", "t", "yes", "y", "1", "예", "네", "동의", "o", "on"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "아니오", "아니요", "거부", "미동의", "x", "off"})


def parse_flags(values: pd.Series) -> Parsed:
    """Return booleans from yes/no, true/false, 1/0, 예/아니오, 동의/거부 (nullable)."""
    if pd.api.types.is_bool_dtype(values):
        return Parsed(values.astype("boolean"), pd.Series(False, index=values.index))
    blank = blank_mask(values)
    text = as_text(values).str.strip().str.lower()
    text = _drop_float_suffix(text)
    flags = pd.Series(pd.NA, index=values.index, dtype="boolean")
    flags[text.isin(_TRUE).fillna(False).astype(bool)] = True
    flags[text.isin(_FALSE).fillna(False).astype(bool)] = False
    bad = flags.isna() & ~blank
    return Parsed(flags, bad)


def parse_dates(
    values: pd.Series, *, date_format: str | None = None, dayfirst: bool | None = None
) -> Parsed:
    """Return naive-UTC timestamps, inferring the format (ISO, Y.M.D, D/M/Y or M/D/Y, 년월일, YYYYMMDD)."""
    index = values.index
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = pd.Series(values)
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        return Parsed(stamps.astype("datetime64[ns]"), pd.Series(False, index=index))
    blank = blank_mask(values)
    text = as_text(values).str.strip().where(~blank)
    result = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    notes: dict[str, object] = {}
    present = text[~blank]
    if present.empty:
        return Parsed(result, pd.Series(False, index=index), notes)
    if date_format:
        aware = "%z" in date_format or "%Z" in date_format
        parsed = pd.to_datetime(present, format=date_format, errors="coerce", utc=aware)
        result[present.index] = _naive_utc(parsed)
        notes["date_format"] = date_format
    else:
        result[present.index] = _infer_and_parse(present, dayfirst, notes)
    bad = result.isna() & ~blank
    return Parsed(result, bad, notes)


def _naive_utc(parsed: pd.Series) -> pd.Series:
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def _infer_and_parse(text: pd.Series, dayfirst: bool | None, notes: dict[str, object]) -> pd.Series:
    sample = text.drop_duplicates().head(_SAMPLE)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if sample.str.fullmatch(r"\d{8}").all():
        notes["date_format"] = "%Y%m%d"
        return _naive_utc(pd.to_datetime(text, format="%Y%m%d", errors="coerce"))
    if sample.str.fullmatch(r"\d{14}").all():
        notes["date_format"] = "%Y%m%d%H%M%S"
        return _naive_utc(pd.to_datetime(text, format="%Y%m%d%H%M%S", errors="coerce"))
    remaining = text
    if sample.str.fullmatch(_ISO_FAST).mean() > 0.5:
        # pandas' ISO parser misreads unpadded times ("7:45"), so only strict ISO goes this way.
        strict = text.str.fullmatch(_ISO_FAST).fillna(False).astype(bool)
        fast = pd.to_datetime(text[strict], format="ISO8601", errors="coerce", utc=True)
        out[fast.index] = _naive_utc(fast)
        notes["date_format"] = "ISO 8601"
        remaining = text[out.isna()]
        if remaining.empty:
            return out
    ymd = remaining.str.extract(_YMD + _TIME)
    has_ymd = ymd["y"].notna()
    if has_ymd.any():
        out[ymd.index[has_ymd]] = _assemble(ymd[has_ymd], day_first=False)
        notes.setdefault("date_format", "year-month-day")
    rest = remaining[~has_ymd.to_numpy()]
    if not rest.empty:
        dmy = rest.str.extract(_DMY + _TIME)
        has_dmy = dmy["y"].notna()
        if has_dmy.any():
            parts = dmy[has_dmy]
            day_first = _day_first(parts, dayfirst, notes)
            out[parts.index] = _assemble(parts, day_first=day_first)
            notes.setdefault("date_format", "day-month-year" if day_first else "month-day-year")
    # A column that mixes styles (merged exports) may also hold compact 20240315 dates.
    compact = text[out.isna()]
    compact = compact[compact.str.fullmatch(r"(?:19|20)\d{6}").fillna(False).astype(bool)]
    if not compact.empty:
        out[compact.index] = _naive_utc(pd.to_datetime(compact, format="%Y%m%d", errors="coerce"))
    return out


def _day_first(parts: pd.DataFrame, dayfirst: bool | None, notes: dict[str, object]) -> bool:
    """Return True when the first number is the day: forced, else inferred from values above 12."""
    if dayfirst is not None:
        return dayfirst
    first_over = int((parts["a"].astype(int) > 12).sum())
    second_over = int((parts["b"].astype(int) > 12).sum())
    return day_first_from_counts(first_over, second_over, notes)


def day_first_from_counts(first_over: int, second_over: int, notes: dict[str, object]) -> bool:
    """Return True when the first number is the day, given how often each number exceeds 12."""
    if first_over and not second_over:
        return True
    if second_over and not first_over:
        return False
    if not first_over and not second_over:
        notes["date_order"] = (
            "ambiguous (no day above 12); assumed month/day, set dayfirst to change"
        )
        return False
    notes["date_order"] = "inconsistent day/month order; used the more common, others rejected"
    return first_over > second_over


def _assemble(parts: pd.DataFrame, *, day_first: bool) -> pd.Series:
    """Build timestamps from extracted date/time parts (AM/PM and UTC offsets applied)."""
    month, day = (parts["b"], parts["a"]) if day_first else (parts["a"], parts["b"])
    hour = pd.to_numeric(parts["H"], errors="coerce").fillna(0)
    meridiem = parts["ap1"].fillna(parts["ap2"]).fillna("").str.lower()
    pm = meridiem.isin(["pm", "오후"])
    am = meridiem.isin(["am", "오전"])
    hour = hour.where(~(pm & (hour < 12)), hour + 12)
    hour = hour.where(~(am & (hour == 12)), 0)
    frame = pd.DataFrame(
        {
            "year": parts["y"].astype(int),
            "month": month.astype(int),
            "day": day.astype(int),
            "hour": hour.astype(int),
            "minute": pd.to_numeric(parts["M"], errors="coerce").fillna(0).astype(int),
            "second": pd.to_numeric(parts["S"], errors="coerce").fillna(0).astype(int),
        },
        index=parts.index,
    )
    stamps = pd.to_datetime(frame, errors="coerce")
    fraction = parts["f"].fillna("0").str.ljust(9, "0").str[:9].astype("int64")
    stamps = stamps + pd.to_timedelta(fraction, unit="ns")
    tz = parts["tz"].fillna("").str.replace(":", "", regex=False)
    offset = tz.str.fullmatch(r"[+-]\d{4}").fillna(False).astype(bool)
    if offset.any():
        sign = tz[offset].str[0].map({"+": 1, "-": -1}).astype(int)
        minutes = tz[offset].str[1:3].astype(int) * 60 + tz[offset].str[3:5].astype(int)
        stamps[offset] = stamps[offset] - pd.to_timedelta(sign * minutes, unit="m")
    return stamps.astype("datetime64[ns]")


def infer_column(values: pd.Series) -> pd.Series:
    """Return numbers when every present value reads as one (1,234 / ₩12,300), else stripped text.

    Codes with leading zeros (`00123`) stay text: they are identifiers, not quantities.
    """
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return values
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    text = as_text(values).str.strip()
    blank = blank_mask(text)
    present = text[~blank]
    if present.empty:
        return text.where(~blank)
    if present.str.match(r"^[-+]?0\d").any():
        return text.where(~blank)
    parsed = parse_numbers(text)
    if parsed.bad.any():
        return text.where(~blank)
    return parsed.values
