"""Which early behaviours go with an outcome: first-N-days cohorts, 2×2 figures, adjusted differences.

Who counts: every customer whose signup (customers.created_at, else first activity) plus the
horizon lies before as_of, so the outcome is fully observed, and who is still active at the end of
the first N days (an active subscription then, when the workspace has subscriptions). A behaviour
is an event done in [signup, signup + N days); the outcome is counted only in [signup + N days,
signup + horizon), and the event that defines an outcome is never a behaviour, so nothing leaks.
Row-level work runs in the engine (Ibis); customer-level frames come back to Python.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from segmint.analysis.association import (
    DEFAULT_TRIM,
    TwoByTwo,
    adjusted_difference,
    covariate_matrix,
    fisher_p_value,
    odds_ratio,
    phi_coefficient,
    rate_difference_interval,
    relative_risk,
)
from segmint.analysis.memtables import engine_memtable
from segmint.analysis.stats import benjamini_hochberg
from segmint.errors import InputError

OUTCOMES: tuple[str, ...] = ("churned", "retained", "converted")
DAY = pd.Timedelta(days=1)
ASSOCIATION_NOTE = (
    "associations, not effects: customers choose their behaviours, so other differences between "
    "doers and non-doers can explain the gap; test a behaviour with an experiment before pushing it"
)


@dataclass(frozen=True)
class BehaviourOptions:
    """Windows and thresholds of a behaviours analysis."""

    outcome: str
    first_days: int = 7
    horizon_days: int = 180
    min_doers: int = 30
    adjust_for: list[str] = field(default_factory=list)
    trim: float = DEFAULT_TRIM
    retention_activity_days: int = 30


@dataclass
class Cohort:
    """The eligible customers (customer_id, signup, outcome, attributes) of one analysis."""

    customers: pd.DataFrame
    outcome: str
    excluded_events: set[str]


def check_options(options: BehaviourOptions) -> None:
    """Raise InputError when the windows cannot work (first period not shorter than the horizon)."""
    if options.first_days >= options.horizon_days:
        raise InputError(
            f"--first ({options.first_days} days) must be shorter than --horizon "
            f"({options.horizon_days} days): the outcome is counted after the first days"
        )


def eligible_cohort(
    tables: dict[str, ir.Table], *, as_of: datetime, options: BehaviourOptions
) -> Cohort:
    """Return the customers whose first days and horizon are observed, with their outcome (0/1)."""
    check_options(options)
    outcome = options.outcome
    events = tables.get("events")
    known_events = _event_names(events) if events is not None else []
    if outcome not in OUTCOMES and outcome not in known_events:
        shown = ", ".join(known_events[:12]) + (" …" if len(known_events) > 12 else "")
        raise InputError(
            f"--outcome: {outcome!r} is not defined; use churned, retained, converted or an "
            f"event name{f' ({shown})' if shown else ' (the workspace has no events)'}"
        )
    if outcome == "converted" and "transactions" not in tables:
        raise InputError("--outcome converted needs a transactions table (first purchase)")
    frame = _signups(tables)
    as_of_ts = pd.Timestamp(as_of)
    frame["first_end"] = frame["signup"] + options.first_days * DAY
    frame["horizon_end"] = frame["signup"] + options.horizon_days * DAY
    frame = frame[frame["horizon_end"] <= as_of_ts].reset_index(drop=True)
    like = next(iter(tables.values()))
    windows = engine_memtable(
        frame[["customer_id", "signup", "first_end", "horizon_end"]],
        {
            "customer_id": "string",
            "signup": "timestamp",
            "first_end": "timestamp",
            "horizon_end": "timestamp",
        },  # fmt: skip
        like,
        name="segmint_behaviour_windows",
    )
    subscriptions = tables.get("subscriptions")
    if subscriptions is not None and outcome in ("churned", "retained"):
        active_then = _active_at(subscriptions, windows, "first_end")
        frame = frame[frame["customer_id"].isin(active_then)].reset_index(drop=True)
        retained = frame["customer_id"].isin(_active_at(subscriptions, windows, "horizon_end"))
        frame["outcome"] = retained if outcome == "retained" else ~retained
    elif outcome in ("churned", "retained"):
        recent = _active_late(tables, windows, options.retention_activity_days)
        retained = frame["customer_id"].isin(recent)
        frame["outcome"] = retained if outcome == "retained" else ~retained
    elif outcome == "converted":
        buyers_early = _bought_between(tables["transactions"], windows, "signup", "first_end")
        frame = frame[~frame["customer_id"].isin(buyers_early)].reset_index(drop=True)
        buyers = _bought_between(tables["transactions"], windows, "first_end", "horizon_end")
        frame["outcome"] = frame["customer_id"].isin(buyers)
    else:
        assert events is not None
        did = _did_event_between(events, windows, outcome, "first_end", "horizon_end")
        frame["outcome"] = frame["customer_id"].isin(did)
    frame["outcome"] = frame["outcome"].astype(bool)
    frame = frame.sort_values("customer_id", ignore_index=True)
    excluded = {outcome} if outcome in known_events else set()
    return Cohort(frame, outcome, excluded)


def first_days_behaviours(
    tables: dict[str, ir.Table], cohort: Cohort, *, like_name: str = "segmint_behaviour_first"
) -> pd.DataFrame:
    """Return (customer_id, behaviour) pairs: events done in each eligible customer's first days."""
    events = tables.get("events")
    if events is None or cohort.customers.empty:
        return pd.DataFrame({"customer_id": pd.Series(dtype="string"), "behaviour": []})
    windows = engine_memtable(
        cohort.customers[["customer_id", "signup", "first_end"]],
        {"customer_id": "string", "signup": "timestamp", "first_end": "timestamp"},
        events,
        name=like_name,
    )
    joined = events.join(windows, "customer_id")
    pairs = (
        joined.filter(
            (joined.occurred_at >= joined.signup) & (joined.occurred_at < joined.first_end)
        )
        .select("customer_id", behaviour=joined.event.cast("string"))
        .distinct()
        .execute()
    )
    pairs = pairs[pairs["behaviour"].notna() & ~pairs["behaviour"].isin(cohort.excluded_events)]
    return pairs.sort_values(["behaviour", "customer_id"], ignore_index=True)


def behaviour_table(
    cohort: Cohort,
    did: dict[str, pd.Series],
    *,
    options: BehaviourOptions,
    attributes: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Return the behaviours payload: 2×2 figures per behaviour, BH-adjusted p, adjusted differences.

    `did` maps a behaviour name to a boolean Series aligned with cohort.customers.
    """
    customers = cohort.customers
    outcome = customers["outcome"].to_numpy(bool)
    covariates, names = _covariates(customers, attributes, options.adjust_for)
    rows = []
    for behaviour in sorted(did):
        flags = did[behaviour].to_numpy(bool)
        rows.append(
            _behaviour_row(behaviour, flags, outcome, covariates, options=options, names=names)
        )
    adjusted_p = benjamini_hochberg([r["p_value"] for r in rows])
    for row, p in zip(rows, adjusted_p, strict=True):
        row["p_value_adjusted"] = p
    rows.sort(key=_row_order)
    n = len(customers)
    return {
        "outcome": options.outcome,
        "first_days": options.first_days,
        "horizon_days": options.horizon_days,
        "population": n,
        "baseline_rate": float(outcome.mean()) if n else None,
        "adjusted_for": list(options.adjust_for),
        "min_doers": options.min_doers,
        "note": ASSOCIATION_NOTE,
        "behaviours": rows,
    }


def _row_order(row: dict[str, Any]) -> tuple[int, float, str]:
    p = row["p_value_adjusted"]
    return (p is None, p if p is not None else 1.0, row["behaviour"])


def _behaviour_row(
    behaviour: str,
    flags: np.ndarray,
    outcome: np.ndarray,
    covariates: np.ndarray | None,
    *,
    options: BehaviourOptions,
    names: list[str],
) -> dict[str, Any]:
    table = TwoByTwo.of(flags, outcome)
    n = len(flags)
    row: dict[str, Any] = {
        "behaviour": behaviour,
        "customers_did": table.did,
        "share_did": table.did / n if n else None,
        "counts": {
            "did_outcome": table.a,
            "did_no_outcome": table.b,
            "did_not_outcome": table.c,
            "did_not_no_outcome": table.d,
        },  # fmt: skip
        "rate_did": _number(table.a / table.did) if table.did else None,
        "rate_did_not": _number(table.c / table.did_not) if table.did_not else None,
        "difference": None,
        "ci_low": None,
        "ci_high": None,
        "relative_risk": None,
        "odds_ratio": None,
        "phi": None,
        "p_value": None,
        "p_value_adjusted": None,
        "adjusted_difference": None,
        "adjusted_ci_low": None,
        "adjusted_ci_high": None,
        "adjusted_for": list(options.adjust_for),
        "trimmed": None,
        "reason": None,
    }
    smaller = min(table.did, table.did_not)
    if smaller < options.min_doers:
        who = "did it" if table.did < table.did_not else "did not"
        row["reason"] = (
            f"only {smaller} customers {who} (fewer than {options.min_doers}): too few to compare"
        )
        return row
    diff, low, high = rate_difference_interval(table)
    row |= {
        "difference": _number(diff),
        "ci_low": _number(low),
        "ci_high": _number(high),
        "relative_risk": _number(relative_risk(table)),
        "odds_ratio": _number(odds_ratio(table)),
        "phi": _number(phi_coefficient(table)),
        "p_value": _number(fisher_p_value(table)),
    }
    if covariates is not None:
        adjusted = adjusted_difference(flags, outcome, covariates, trim=options.trim)
        row |= {
            "adjusted_difference": _number(adjusted.aipw),
            "adjusted_ci_low": _number(adjusted.ci_low),
            "adjusted_ci_high": _number(adjusted.ci_high),
            "trimmed": adjusted.trimmed,
        }
    return row


def _number(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _covariates(
    customers: pd.DataFrame, attributes: pd.DataFrame | None, columns: list[str]
) -> tuple[np.ndarray | None, list[str]]:
    if not columns:
        return None, []
    if attributes is None:
        raise InputError("--adjust-for needs a customers table with those attributes")
    missing = [c for c in columns if c not in attributes.columns or c == "customer_id"]
    if missing:
        available = sorted(
            c for c in attributes.columns if c != "customer_id" and not c.startswith("_")
        )
        raise InputError(
            f"--adjust-for: unknown customer attribute(s) {', '.join(missing)}; "
            f"available: {', '.join(available)}"
        )
    merged = customers[["customer_id"]].merge(
        attributes.drop_duplicates("customer_id")[["customer_id", *columns]],
        on="customer_id",
        how="left",
    )
    return covariate_matrix(merged, columns)


def _event_names(events: ir.Table) -> list[str]:
    names = events.select(name=events.event.cast("string")).distinct().execute()["name"]
    return sorted(str(n) for n in names.dropna())


def _signups(tables: dict[str, ir.Table]) -> pd.DataFrame:
    """Return customer_id, signup: customers.created_at, else the customer's first activity."""
    firsts = []
    for name, column in (("events", "occurred_at"), ("transactions", "occurred_at"),
                         ("subscriptions", "started_at")):  # fmt: skip
        table = tables.get(name)
        if table is not None:
            firsts.append(table.select("customer_id", at=table[column].cast("timestamp")))
    signup = pd.DataFrame({"customer_id": pd.Series(dtype="string"), "first_activity": []})
    if firsts:
        union = ibis.union(*firsts) if len(firsts) > 1 else firsts[0]
        signup = union.group_by("customer_id").aggregate(first_activity=union.at.min()).execute()
    customers = tables.get("customers")
    if customers is not None and "created_at" in customers.columns:
        created = customers.select("customer_id", "created_at").execute()
        created = created.dropna(subset=["created_at"]).drop_duplicates("customer_id")
        signup = signup.merge(created, on="customer_id", how="outer")
        signup["signup"] = signup["created_at"].fillna(signup["first_activity"])
    else:
        signup["signup"] = signup["first_activity"]
    frame = signup.dropna(subset=["signup"])[["customer_id", "signup"]].copy()
    frame["customer_id"] = frame["customer_id"].astype(str)
    frame["signup"] = pd.to_datetime(frame["signup"]).astype("datetime64[us]")
    return frame.sort_values("customer_id", ignore_index=True)


def _active_at(subscriptions: ir.Table, windows: ir.Table, moment: str) -> set[str]:
    joined = subscriptions.join(windows, "customer_id")
    at = joined[moment]
    active = joined.filter(
        (joined.started_at <= at) & (joined.ended_at.isnull() | (joined.ended_at > at))
    )
    return set(active.select("customer_id").distinct().execute()["customer_id"].astype(str))


def _active_late(tables: dict[str, ir.Table], windows: ir.Table, days: int) -> set[str]:
    """Customers with a purchase or event in the last `days` days before their horizon ends."""
    found: set[str] = set()
    for name in ("transactions", "events"):
        table = tables.get(name)
        if table is None:
            continue
        joined = table.join(windows, "customer_id")
        start = joined.horizon_end - ibis.interval(days=days)
        late = joined.filter(
            (joined.occurred_at >= start) & (joined.occurred_at < joined.horizon_end)
        )
        found |= set(late.select("customer_id").distinct().execute()["customer_id"].astype(str))
    return found


def _bought_between(transactions: ir.Table, windows: ir.Table, start: str, end: str) -> set[str]:
    joined = transactions.join(windows, "customer_id")
    bought = joined.filter(
        (joined.occurred_at >= joined[start])
        & (joined.occurred_at < joined[end])
        & (joined.amount > 0)
    )
    return set(bought.select("customer_id").distinct().execute()["customer_id"].astype(str))


def _did_event_between(
    events: ir.Table, windows: ir.Table, event: str, start: str, end: str
) -> set[str]:
    joined = events.join(windows, "customer_id")
    did = joined.filter(
        (joined.event.cast("string") == event)
        & (joined.occurred_at >= joined[start])
        & (joined.occurred_at < joined[end])
    )
    return set(did.select("customer_id").distinct().execute()["customer_id"].astype(str))


def behaviours_analysis(
    tables: dict[str, ir.Table], *, as_of: datetime, options: BehaviourOptions
) -> dict[str, Any]:
    """Return the behaviours payload for every event done in the first days (see the module doc)."""
    cohort = eligible_cohort(tables, as_of=as_of, options=options)
    pairs = first_days_behaviours(tables, cohort)
    ids = cohort.customers["customer_id"]
    did = {
        str(name): ids.isin(set(group["customer_id"]))
        for name, group in pairs.groupby("behaviour", sort=True)
    }
    payload = behaviour_table(cohort, did, options=options, attributes=_attributes(tables, options))
    payload["as_of"] = pd.Timestamp(as_of).isoformat()
    return payload


def _attributes(tables: dict[str, ir.Table], options: BehaviourOptions) -> pd.DataFrame | None:
    customers = tables.get("customers")
    if customers is None or not options.adjust_for:
        return None
    present = [c for c in options.adjust_for if c in customers.columns]
    frame = customers.select("customer_id", *present).execute()
    # The whole attribute list is checked later, naming every column the table lacks.
    for column in options.adjust_for:
        if column not in frame.columns:
            return customers.limit(0).execute()
    frame["customer_id"] = frame["customer_id"].astype(str)
    return frame


# did(EVENT) within Nd of signup: the hypothesis form, rewritten to a boolean column name.
DID_CLAUSE = re.compile(
    r"did\(\s*(?P<quote>['\"]?)(?P<event>[^'\")]+)(?P=quote)\s*\)\s+within\s+(?P<days>\d+)\s*d"
    r"(?:ays?)?\s+of\s+signup",
    re.IGNORECASE,
)


def hypothesis_analysis(
    tables: dict[str, ir.Table], rule: str, *, as_of: datetime, options: BehaviourOptions
) -> dict[str, Any]:
    """Return the behaviours payload of one written condition over customer attributes and did()."""
    from segmint.segments.rules import compile_rule
    from segmint.segments.rules.errors import RuleError

    clauses: dict[str, tuple[str, int]] = {}

    def _rename(match: re.Match[str]) -> str:
        name = f"_did_{len(clauses)}"
        clauses[name] = (match.group("event"), int(match.group("days")))
        return name

    rewritten = DID_CLAUSE.sub(_rename, rule)
    longest = max((days for _e, days in clauses.values()), default=0)
    if longest > options.first_days:
        options = BehaviourOptions(**{**options.__dict__, "first_days": longest})
    cohort = eligible_cohort(tables, as_of=as_of, options=options)
    for _name, (event, _days) in clauses.items():
        if event == cohort.outcome:
            raise InputError(f"the hypothesis uses the outcome event {event!r}: that would leak")
    frame = cohort.customers[["customer_id", "signup"]].copy()
    for name, (event, days) in clauses.items():
        frame[name] = _did_within(tables, cohort, event, days)
    customers = tables.get("customers")
    if customers is not None:
        attrs = customers.execute().drop_duplicates("customer_id")
        attrs["customer_id"] = attrs["customer_id"].astype(str)
        keep = [c for c in attrs.columns if c not in frame.columns and not c.startswith("_")]
        frame = frame.merge(attrs[["customer_id", *keep]], on="customer_id", how="left")
    table = ibis.memtable(frame)
    try:
        condition = compile_rule(rewritten, table)
    except RuleError as exc:
        raise InputError(f"hypothesis: {exc}") from None
    flags = table.select("customer_id", did=condition).execute()
    flags["customer_id"] = flags["customer_id"].astype(str)
    aligned = cohort.customers[["customer_id"]].merge(flags, on="customer_id", how="left")
    did = {rule: aligned["did"].fillna(False).astype(bool)}
    payload = behaviour_table(cohort, did, options=options, attributes=_attributes(tables, options))
    payload["as_of"] = pd.Timestamp(as_of).isoformat()
    payload["hypothesis"] = rule
    return payload


def _did_within(tables: dict[str, ir.Table], cohort: Cohort, event: str, days: int) -> pd.Series:
    events = tables.get("events")
    if events is None:
        raise InputError(f"did({event}) needs an events table")
    known = _event_names(events)
    if event not in known:
        raise InputError(f"did({event}): no such event; events: {', '.join(known[:12])}")
    windows = cohort.customers[["customer_id", "signup"]].copy()
    windows["first_end"] = windows["signup"] + days * DAY
    memtable = engine_memtable(
        windows,
        {"customer_id": "string", "signup": "timestamp", "first_end": "timestamp"},
        events,
        name="segmint_hypothesis_windows",
    )
    found = _did_event_between(events, memtable, event, "signup", "first_end")
    return cohort.customers["customer_id"].isin(found)


__all__ = [
    "ASSOCIATION_NOTE",
    "OUTCOMES",
    "BehaviourOptions",
    "Cohort",
    "behaviour_table",
    "behaviours_analysis",
    "check_options",
    "eligible_cohort",
    "first_days_behaviours",
    "hypothesis_analysis",
]
