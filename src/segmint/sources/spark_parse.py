"""Spark column expressions that parse ids, dates and amounts as `segmint.sources.parsing` does.

Each parser returns (value, reason): the parsed Column and a Column holding the reject reason
("missing date", "unparseable amount 'abc'", ...) or NULL. Decisions the pandas reader makes
from a whole column (the decimal separator, day-first order, compact dates) are taken here from
one small aggregate query, then applied row by row.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from segmint.errors import InputError
from segmint.sources import parsing

# Java regexes match Python's `\s` and `\d` only with Unicode classes on.
_UNICODE = "(?U)"
_NULL_TOKENS = sorted(t for t in parsing.NULL_TOKENS if t)
_CONTROL = "[\\x{00}-\\x{1f}\\x{7f}-\\x{9f}]"
_OUT_OF_RANGE = f"amount out of range (must be finite and below {parsing.MAX_AMOUNT:,.0f})"
# pandas' datetime64[ns] range: the pandas reader cannot hold a date outside it.
_FIRST_DAY, _LAST_DAY = "1677-09-22", "2262-04-11"
_SAMPLE_DATES = 2000
_PLAIN_NUMBER = r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$"
_INFINITE = r"(?i)^\s*[+-]?(?:inf|infinity)\s*$"


def _fn() -> Any:
    """Return pyspark.sql.functions (imported late: PySpark is an optional dependency)."""
    from pyspark.sql import functions

    return functions


def stripped(column: Any) -> Any:
    """Return the text with Unicode whitespace removed at both ends, as Python's str.strip()."""
    return _fn().regexp_replace(column, _UNICODE + r"^\s+|\s+$", "")


def is_blank(column: Any) -> Any:
    """Return a Column: True where the value is missing or a null token (NA, null, -, ...)."""
    f = _fn()
    return column.isNull() | f.lower(stripped(column)).isin(["", *_NULL_TOKENS])


def shown(column: Any) -> Any:
    """Return Python's repr() of the stripped text, as the pandas reader names a bad value."""
    f = _fn()
    text = f.regexp_replace(stripped(column), r"\\", r"\\\\")
    double = f.instr(text, "'") > 0
    double = double & (f.instr(text, '"') == 0)
    single = f.concat(f.lit("'"), f.regexp_replace(text, "'", "\\\\'"), f.lit("'"))
    return f.when(double, f.concat(f.lit('"'), text, f.lit('"'))).otherwise(single)


def with_id(frame: Any, source: str, out: str) -> Any:
    """Return `frame` with `out` (id text or NULL) and `out_reason` (control character or NULL).

    Spaces are stripped and `12346.0` (a number exported as float) becomes `12346`.
    """
    f = _fn()
    text = stripped(f.col(source).cast("string"))
    text = f.when(text.rlike(r"^\d+\.0+$"), f.regexp_replace(text, r"\.0+$", "")).otherwise(text)
    frame = frame.withColumn(out, f.when(is_blank(f.col(source)), f.lit(None).cast("string"))
                             .otherwise(text))  # fmt: skip
    control = f.regexp_extract(f.col(out), f"({_CONTROL})", 1)
    code = f.lpad(f.upper(f.hex(f.ascii(control))), 4, "0")
    reason = f.when(
        f.col(out).isNotNull() & (control != ""),
        f.concat(f.lit("id contains a control character (U+"), code, f.lit(")")),
    )
    return frame.withColumn(f"{out}_reason", reason)


def with_amount(
    frame: Any, source: str, out: str, *, decimal: str | None, delimiter: str | None
) -> tuple[Any, dict[str, object]]:
    """Return (`frame` with `out` rounded to cents and `out_reason`, notes) for an amount column."""
    f = _fn()
    kind = dict(frame.dtypes)[source]
    if kind not in ("string", "binary"):
        frame = frame.withColumn(f"_{out}_number", f.col(source).cast("double"))
        return _checked_amount(frame, source, out, blank=f.col(f"_{out}_number").isNull()), {}
    blank, plain, cleaned, negative, currency = (f"_{out}_{n}" for n in
                                                 ("blank", "plain", "cleaned", "negative", "currency"))  # fmt: skip
    frame = frame.withColumn(blank, is_blank(f.col(source))).withColumn(
        plain, f.col(source).rlike(_PLAIN_NUMBER) | f.col(source).rlike(_INFINITE)
    )
    frame = _with_stripped_amount(frame, source, cleaned, negative, currency)
    slow = ~f.col(blank) & ~f.col(plain)
    core = f.when(f.col(plain), stripped(f.col(source))).otherwise(f.col(cleaned))
    found = _convention_evidence(_good(frame).where(~f.col(blank)), core, f.col(currency), slow)
    if found["currencies"]:
        parsing._check_one_currency(pd.Series(found["currencies"]))
    convention, why = parsing.decimal_convention(
        pd.Series(found["examples"], dtype="string"), decimal=decimal, delimiter=delimiter,
        strict=True,
    )  # fmt: skip
    notes: dict[str, object] = {"decimal": f"{convention!r} ({why})"}
    if convention == ",":
        number = f.when(~f.col(blank), _to_number(f.col(cleaned), ",", f.col(negative)))
    else:
        number = f.when(f.col(plain), f.col(source).cast("double")).when(
            slow, _to_number(f.col(cleaned), ".", f.col(negative))
        )
    frame = frame.withColumn(f"_{out}_number", number)
    return _checked_amount(frame, source, out, blank=f.col(blank)), notes


def _good(frame: Any) -> Any:
    """Return the records without a record-level problem: the rows the pandas reader parses."""
    return frame.where(_fn().col("problem").isNull())


def _checked_amount(frame: Any, source: str, out: str, *, blank: Any) -> Any:
    """Return `frame` with the cents-rounded amount and its reason: out of range, unparseable, missing."""
    f = _fn()
    number = f.col(f"_{out}_number")
    finite = number.isNotNull() & ~f.isnan(number)
    out_of_range = finite & ~(f.abs(number) < parsing.MAX_AMOUNT)
    usable = finite & ~out_of_range
    rounded = f.signum(number) * f.floor(f.abs(number) * 100 + 0.5 + 1e-9) / 100
    reason = (
        f.when(out_of_range, f.lit(_OUT_OF_RANGE))
        .when(~usable & ~blank, f.concat(f.lit("unparseable amount "), shown(f.col(source))))
        .when(~usable, f.lit("missing amount"))
    )
    return frame.withColumn(out, f.when(usable, rounded.cast("decimal(18,2)"))).withColumn(
        f"{out}_reason", reason
    )


def _with_stripped_amount(
    frame: Any, source: str, cleaned: str, negative: str, currency: str
) -> Any:
    """Return `frame` with an amount text's digits and separators, negative? and currency found."""
    f = _fn()
    work = f"{cleaned}_work"
    frame = frame.withColumn(work, f.regexp_replace(stripped(f.col(source)), "\u2212", "-"))
    text = f.col(work)
    frame = frame.withColumn(currency, f.regexp_extract(text, f"({parsing._CURRENCY})", 1))
    frame = frame.withColumn(negative, text.rlike(r"^\(.*\)$") | text.endswith("-"))
    text = f.regexp_replace(f.regexp_replace(text, r"^\((.*)\)$", "$1"), "-+$", "")
    frame = frame.withColumn(work, stripped(f.regexp_replace(text, parsing._CURRENCY, "")))
    text = f.col(work)
    frame = frame.withColumn(negative, f.col(negative) | text.startswith("-"))
    frame = frame.withColumn(work, stripped(f.regexp_replace(text, r"^[+-]+", "")))
    text = f.col(work)
    spaced = text.rlike(_UNICODE + r"\s")
    grouped = text.rlike(f"^(?:{parsing._SPACE_GROUPED})$")
    return frame.withColumn(
        cleaned,
        f.when(spaced & ~grouped, f.lit(None).cast("string")).otherwise(
            f.regexp_replace(text, _UNICODE + r"\s", "")
        ),
    ).drop(work)


def _to_number(core: Any, decimal: str, negative: Any) -> Any:
    """Return the number of an unsigned text written with `decimal` as the decimal separator."""
    f = _fn()
    if decimal == ",":
        valid = core.rlike(r"^(?:\d{1,3}(\.\d{3})+(,\d+)?|\d+(,\d+)?|,\d+)$")
        core = f.regexp_replace(f.regexp_replace(core, r"\.", ""), ",", ".")
    else:
        valid = core.rlike(r"^(?:\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+)$")
        core = f.regexp_replace(core, ",", "")
    number = f.when(valid, core.cast("double"))
    return f.when(negative, -number).otherwise(number)


def _convention_evidence(present: Any, core: Any, currency: Any, slow: Any) -> dict[str, Any]:
    """Return the first value of each decimal pattern (in file order) and the currencies named.

    `parsing.decimal_convention` only looks at whether each pattern occurs and at its first
    example, so these few values decide exactly as the whole column would.
    """
    f = _fn()
    patterns = (parsing._DOT_DECIMAL, parsing._COMMA_DECIMAL, parsing._DOT_THREE,
                parsing._COMMA_THREE)  # fmt: skip
    present = present.withColumn("_core", core)
    firsts = [
        f.min_by(f.struct(f.col("line"), f.col("_core")),
                 f.when(f.col("_core").rlike(p), f.col("line"))).alias(f"p{k}")
        for k, p in enumerate(patterns)
    ]  # fmt: skip
    currencies = f.collect_set(f.when(slow & (currency != ""), currency)).alias("currencies")
    row = present.agg(*firsts, currencies).collect()[0]
    examples = sorted(
        (int(row[f"p{k}"][0]), row[f"p{k}"][1])
        for k in range(len(patterns))
        if row[f"p{k}"] is not None
    )
    return {"examples": [v for _l, v in examples], "currencies": sorted(row["currencies"] or [])}


def with_date(
    frame: Any, source: str, out: str, *, date_format: str | None, dayfirst: bool | None
) -> tuple[Any, dict[str, object]]:
    """Return (`frame` with `out` as a UTC timestamp and `out_reason`, notes) for a date column."""
    f = _fn()
    kind = dict(frame.dtypes)[source]
    if kind.startswith("timestamp") or kind == "date":
        frame = frame.withColumn(out, f.col(source).cast("timestamp"))
        return frame.withColumn(
            f"{out}_reason", f.when(f.col(out).isNull(), f.lit("missing date"))
        ), {}
    if kind != "string":
        raise InputError(f"a {kind} column cannot hold dates; name the date column")
    text = f"_{out}_text"
    blank = is_blank(f.col(source))
    frame = frame.withColumn(text, f.when(~blank, stripped(f.col(source))))
    notes: dict[str, object] = {}
    if date_format:
        value = f.try_to_timestamp(f.col(text), f.lit(java_date_pattern(date_format)))
        notes["date_format"] = date_format
    else:
        frame, value = _inferred_date(frame, text, dayfirst, notes)
    frame = frame.withColumn(
        out, f.when((value >= f.lit(_FIRST_DAY)) & (value < f.lit(_LAST_DAY)), value)
    )
    reason = f.when(f.col(text).isNull(), f.lit("missing date")).when(
        f.col(out).isNull(), f.concat(f.lit("unparseable date "), shown(f.col(source)))
    )
    return frame.withColumn(f"{out}_reason", reason), notes


def _inferred_date(
    frame: Any, text_column: str, dayfirst: bool | None, notes: dict[str, object]
) -> tuple[Any, Any]:
    """Return (frame, timestamp Column), inferring the format as `parsing._infer_and_parse` does."""
    f = _fn()
    text = f.col(text_column)
    present = _good(frame).where(text.isNotNull())
    firsts = (
        present.groupBy(text.alias("t"))
        .agg(f.min("line").alias("first"))
        .orderBy("first")
        .limit(_SAMPLE_DATES)
        .collect()
    )
    sample = pd.Series([r["t"] for r in firsts], dtype="string")
    if len(sample) and sample.str.fullmatch(r"\d{8}").all():
        notes["date_format"] = "%Y%m%d"
        return frame, f.try_to_timestamp(text, f.lit("yyyyMMdd"))
    if len(sample) and sample.str.fullmatch(r"\d{14}").all():
        notes["date_format"] = "%Y%m%d%H%M%S"
        return frame, f.try_to_timestamp(text, f.lit("yyyyMMddHHmmss"))
    if len(sample) and sample.str.fullmatch(parsing._ISO_FAST).mean() > 0.5:
        notes["date_format"] = "ISO 8601"
    ymd_pattern = _java(parsing._YMD + parsing._TIME)
    dmy_pattern = _java(parsing._DMY + parsing._TIME)
    groups = "\u0001".join(f"${k}" for k in range(1, 11))
    ymd_parts, dmy_parts = f"{text_column}_ymd", f"{text_column}_dmy"
    frame = frame.withColumn(
        ymd_parts,
        f.when(
            text.rlike(ymd_pattern), f.split(f.regexp_replace(text, ymd_pattern, groups), "\u0001")
        ),
    )
    frame = frame.withColumn(
        dmy_parts,
        f.when(f.col(ymd_parts).isNull() & text.rlike(dmy_pattern),
               f.split(f.regexp_replace(text, dmy_pattern, groups), "\u0001")),
    )  # fmt: skip
    dmy = f.col(dmy_parts)
    counts = (
        _good(frame)
        .agg(
            f.count(f.col(ymd_parts)).alias("ymd"),
            f.count(dmy).alias("dmy"),
            f.count(f.when(dmy[0].try_cast("int") > 12, 1)).alias("a"),
            f.count(f.when(dmy[1].try_cast("int") > 12, 1)).alias("b"),
        )
        .collect()[0]
    )
    if counts["ymd"]:
        notes.setdefault("date_format", "year-month-day")
    day_first = False
    if counts["dmy"]:
        day_first = (
            dayfirst
            if dayfirst is not None
            else parsing.day_first_from_counts(int(counts["a"]), int(counts["b"]), notes)
        )
        notes.setdefault("date_format", "day-month-year" if day_first else "month-day-year")
    ymd = _assembled(f.col(ymd_parts), ("y", "a", "b"), day_first=False)
    dmy_stamp = _assembled(dmy, ("a", "b", "y"), day_first=day_first)
    compact = f.when(text.rlike(r"^(?:19|20)\d{6}$"), f.try_to_timestamp(text, f.lit("yyyyMMdd")))
    return frame, f.when(f.col(ymd_parts).isNotNull(), ymd).when(
        dmy.isNotNull(), dmy_stamp
    ).otherwise(compact)


def _java(pattern: str) -> str:
    """Return a Python regex in Java's dialect: `(?P<name>` → `(?<name>`, Unicode classes on."""
    return _UNICODE + pattern.replace("(?P<", "(?<")


def _assembled(parts: Any, order: tuple[str, str, str], *, day_first: bool) -> Any:
    """Return the timestamp built from split date and time groups (see parsing._assemble)."""
    f = _fn()
    date_groups = dict(zip(order, (0, 1, 2), strict=True))
    names = ("ap1", "H", "M", "S", "f", "ap2", "tz")
    time_groups = dict(zip(names, range(3, 10), strict=True))

    def group(name: str) -> Any:
        index = date_groups[name] if name in date_groups else time_groups[name]
        return parts[index]

    def number(name: str) -> Any:
        return f.coalesce(f.nullif(group(name), f.lit("")).try_cast("int"), f.lit(0))

    month, day = (group("b"), group("a")) if day_first else (group("a"), group("b"))
    hour = number("H")
    meridiem = f.lower(f.concat(group("ap1"), group("ap2")))
    pm = meridiem.isin("pm", "오후")
    am = meridiem.isin("am", "오전")
    hour = f.when(pm & (hour < 12), hour + 12).when(am & (hour == 12), 0).otherwise(hour)
    stamp = f.format_string(
        "%04d-%02d-%02d %02d:%02d:%02d",
        group("y").try_cast("int"), month.try_cast("int"), day.try_cast("int"), hour, number("M"), number("S"),
    )  # fmt: skip
    base = f.try_to_timestamp(stamp, f.lit("yyyy-MM-dd HH:mm:ss"))
    micros = f.coalesce(f.substring(f.rpad(group("f"), 6, "0"), 1, 6).try_cast("long"), f.lit(0))
    tz = f.regexp_replace(group("tz"), ":", "")
    sign = f.when(f.substring(tz, 1, 1) == "-", -1).otherwise(1)
    offset = f.when(
        tz.rlike(r"^[+-]\d{4}$"),
        sign
        * (f.substring(tz, 2, 2).try_cast("long") * 60 + f.substring(tz, 4, 2).try_cast("long")),
    ).otherwise(0)
    return f.when(
        base.isNotNull(), f.timestamp_micros(f.unix_micros(base) + micros - offset * 60_000_000)
    )


_STRFTIME = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss",
             "%y": "yy", "%f": "SSSSSS", "%b": "MMM", "%B": "MMMM", "%p": "a", "%I": "hh",
             "%%": "%"}  # fmt: skip


def java_date_pattern(date_format: str) -> str:
    """Return Spark's datetime pattern for a strftime format, or raise InputError naming the gap."""
    out: list[str] = []
    for token in re.findall(r"%.|[A-Za-z]+|[^%A-Za-z]+", date_format):
        if token.startswith("%"):
            if token not in _STRFTIME:
                raise InputError(
                    f"date format {date_format!r}: {token} is not supported by the spark engine; "
                    f"use {', '.join(k for k in _STRFTIME if k != '%%')} or --engine duckdb"
                )
            out.append(_STRFTIME[token])
        elif token[0].isalpha():
            out.append("'" + token + "'")
        else:
            out.append(token.replace("'", "''"))
    return "".join(out)
