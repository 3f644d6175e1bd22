"""A seeded synthetic B2B SaaS data set (accounts, subscriptions, usage, tickets, invoices) with
planted behaviours and their ground truth, for the demo and for tests.

Planted behaviours (see docs/readme/demo_data.md; tests/demo checks each one):
1. usage declines over the 90 days before churn;
2. more high/urgent tickets and lower CSAT in the 90 days before churn;
3. software/finance accounts with 50-500 employees (the ICP) expand more and churn less;
4. accounts that adopt >= 4 features in their first 30 days (activated) churn much less;
5. seasonality: usage dips in December (deepest over the holidays) and at weekends;
6. power users: heavy usage, many users, frequent expansion, rare churn.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from segmint.demo.saas_names import (
    EMAIL_ROLES,
    GLOBAL_OWNERS,
    KOREAN_OWNERS,
    company_names,
)

TABLES: tuple[str, ...] = (
    "customers", "subscriptions", "events", "tickets", "transactions", "touches",
)  # fmt: skip
INDUSTRIES: dict[str, float] = {
    "software": 0.24,
    "manufacturing": 0.16,
    "finance": 0.12,
    "retail": 0.15,
    "healthcare": 0.10,
    "education": 0.10,
    "media": 0.13,
}
COUNTRIES: dict[str, float] = {
    "KR": 0.45,
    "US": 0.20,
    "JP": 0.12,
    "DE": 0.08,
    "GB": 0.08,
    "SG": 0.07,
}
REGIONS: dict[str, str] = {
    "KR": "APAC",
    "JP": "APAC",
    "SG": "APAC",
    "US": "AMER",
    "DE": "EMEA",
    "GB": "EMEA",
}
TECHNOLOGIES: dict[str, float] = {
    "salesforce": 0.30,
    "hubspot": 0.25,
    "slack": 0.50,
    "jira": 0.35,
    "zendesk": 0.20,
    "snowflake": 0.12,
    "aws": 0.40,
    "gcp": 0.15,
    "kakaowork": 0.10,
    "notion": 0.30,
}
PLANS: tuple[str, ...] = ("starter", "growth", "enterprise")
BASE_FEE: dict[str, float] = {"starter": 29.0, "growth": 149.0, "enterprise": 990.0}
SEAT_PRICE: dict[str, float] = {"starter": 12.0, "growth": 25.0, "enterprise": 45.0}
FEATURES: tuple[str, ...] = ("dashboards", "reports", "exports", "team", "api", "integrations")
FEATURE_EVENTS: dict[str, str] = {
    "dashboards": "dashboard_view",
    "reports": "report_created",
    "exports": "export",
    "team": "invite_user",
    "api": "api_call",
    "integrations": "integration_added",
}
# login first, then the feature events in FEATURES order
EVENT_NAMES: tuple[str, ...] = ("login", *(FEATURE_EVENTS[f] for f in FEATURES))
EVENT_WEIGHTS: tuple[float, ...] = (0.30, 0.30, 0.15, 0.10, 0.015, 0.12, 0.015)
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
PRIORITY_MIX = {"calm": (0.35, 0.47, 0.14, 0.04), "pre_churn": (0.10, 0.30, 0.40, 0.20)}
CSAT_MIX = {"calm": (0.03, 0.05, 0.12, 0.35, 0.45), "pre_churn": (0.30, 0.30, 0.20, 0.12, 0.08)}
TICKET_CATEGORIES: tuple[str, ...] = (
    "how_to",
    "bug",
    "billing",
    "feature_request",
    "integration",
    "performance",
)
CATEGORY_MIX = {
    "calm": (0.35, 0.20, 0.12, 0.18, 0.10, 0.05),
    "pre_churn": (0.10, 0.30, 0.22, 0.08, 0.10, 0.20),
}
RESOLUTION_HOURS: dict[str, float] = {"low": 96.0, "normal": 48.0, "high": 20.0, "urgent": 6.0}
ARCHETYPES: tuple[str, ...] = ("power_user", "icp_expander", "activated", "slow_starter")

ACTIVATION_WINDOW_DAYS = 30
ACTIVATION_FEATURES = 4
DECLINE_DAYS = 90
MIN_LIFETIME_DAYS = 120
DAY_SECONDS = 86_400
MONTH_DAYS = 30.4375

KOREAN_HEADERS: dict[str, str] = {
    "customer_id": "고객ID",
    "name": "회사명",
    "created_at": "가입일",
    "industry": "업종",
    "employees": "직원수",
    "annual_revenue": "연매출",
    "country": "국가",
    "region": "지역",
    "plan": "요금제",
    "owner": "담당자",
    "email": "이메일",
    "email_consent": "수신동의",
    "domain": "도메인",
    "technologies": "사용기술",
}


def generate_saas(
    *,
    n_accounts: int = 2000,
    start: str = "2023-01-01",
    end: str = "2025-06-30",
    seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """Return the synthetic SaaS tables (customers, subscriptions, events, tickets, transactions)
    in canonical columns, plus `truth` (archetype, will_churn, churn_date and planted traits)."""
    if n_accounts < 1:
        raise ValueError("n_accounts must be at least 1")
    origin = pd.Timestamp(start).normalize()
    last_day = pd.Timestamp(end).normalize()
    horizon = int((last_day - origin).days) + 1
    if horizon < 2 * MIN_LIFETIME_DAYS:
        raise ValueError(f"start..end must span at least {2 * MIN_LIFETIME_DAYS} days")
    rng = np.random.default_rng(seed)
    accounts = _accounts(rng, n_accounts, origin, horizon)
    life = _lifecycle(rng, accounts, horizon)
    subs = _subscription_rows(rng, accounts, life, horizon)
    customers = _customers_frame(rng, accounts, subs, origin)
    return {
        "customers": customers,
        "subscriptions": _subscriptions_frame(accounts, subs, origin),
        "events": _events(rng, accounts, life, subs, origin, horizon),
        "tickets": _tickets(rng, accounts, life, origin, horizon),
        "transactions": _transactions(rng, accounts, life, subs, origin),
        # Its own random stream: adding touches left every other table exactly as it was.
        "touches": _touches(np.random.default_rng([seed, 16]), accounts, life, origin),
        "truth": _truth(accounts, life, subs, origin),
    }


# -- accounts ---------------------------------------------------------------------------------


def _choice(rng: np.random.Generator, table: dict[str, float], size: int) -> np.ndarray:
    keys = np.array(list(table))
    weights = np.array(list(table.values()))
    return keys[rng.choice(len(keys), size=size, p=weights / weights.sum())]


def _signup_days(
    rng: np.random.Generator, n: int, origin: pd.Timestamp, horizon: int
) -> np.ndarray:
    # sign-ups grow over time and halve in December; the last MIN_LIFETIME_DAYS get none
    window = horizon - MIN_LIFETIME_DAYS
    picked: list[np.ndarray] = []
    while sum(len(p) for p in picked) < n:
        days = np.floor(window * rng.random(2 * n) ** 0.8).astype(int)
        months = (origin + pd.to_timedelta(days, unit="D")).month
        keep = (np.asarray(months) != 12) | (rng.random(len(days)) < 0.5)
        picked.append(days[keep])
    return np.sort(np.concatenate(picked)[:n])


def _accounts(
    rng: np.random.Generator, n: int, origin: pd.Timestamp, horizon: int
) -> dict[str, Any]:
    created = _signup_days(rng, n, origin, horizon)
    industry = _choice(rng, INDUSTRIES, n)
    country = _choice(rng, COUNTRIES, n)
    employees = np.clip(np.round(rng.lognormal(np.log(90), 1.25, n)), 2, 60_000)
    icp = np.isin(industry, ["software", "finance"]) & (employees >= 50) & (employees <= 500)
    plan_index = np.where(employees < 40, 0, np.where(employees <= 700, 1, 2))
    plan_index = np.clip(plan_index + rng.choice([-1, 0, 0, 0, 1], size=n), 0, 2)
    seats = np.maximum(1, np.round(employees * rng.uniform(0.04, 0.25, n))).astype(int)
    seats = np.minimum(seats, np.array([10, 120, 2000])[plan_index])
    names, domains = company_names(rng, industry, country)
    return {
        "n": n,
        "ids": np.array([f"ACC-{i + 1:05d}" for i in range(n)], dtype=object),
        "created": created,
        "created_sec": rng.integers(0, 2 * 3600, n),
        "industry": industry,
        "country": country,
        "employees": employees,
        "icp": icp,
        "plan0": plan_index,
        "seats0": seats,
        "names": names,
        "domains": domains,
    }


# -- lifecycle: archetype, activation, churn, expansion ---------------------------------------


def _lifecycle(rng: np.random.Generator, acc: dict[str, Any], horizon: int) -> dict[str, Any]:
    n, icp, created = acc["n"], acc["icp"], acc["created"]
    power = rng.random(n) < np.where(icp, 0.16, 0.06)
    activated = power | (rng.random(n) < np.where(icp, 0.50, 0.35))
    first30 = np.where(
        power,
        rng.integers(5, 7, n),
        np.where(
            activated,
            rng.integers(ACTIVATION_FEATURES, 7, n),
            rng.integers(1, ACTIVATION_FEATURES, n),
        ),
    )
    adoption = _adoption_days(rng, first30, activated)

    monthly_hazard = 0.024 * np.where(activated, 0.30, 1.7) * np.where(power, 0.25, 1.0)
    monthly_hazard = (
        monthly_hazard * np.where(icp, 0.6, 1.0) * np.array([1.3, 1.0, 0.6])[acc["plan0"]]
    )
    lifetime = MIN_LIFETIME_DAYS + rng.exponential(MONTH_DAYS / monthly_hazard)
    churn_day = created + np.floor(lifetime).astype(int)
    will_churn = churn_day < horizon
    end_day = np.where(will_churn, churn_day, horizon)

    archetype = np.where(
        power,
        "power_user",
        np.where(icp, "icp_expander", np.where(activated, "activated", "slow_starter")),
    )
    usage = rng.lognormal(np.log(0.14), 0.45, n) * (1 + 0.25 * np.log(acc["seats0"]))
    usage = usage * np.where(power, 4.0, 1.0) * np.where(activated, 1.4, 1.0)
    return {
        "power": power,
        "activated": activated,
        "first30": first30,
        "adoption": adoption,
        "will_churn": will_churn,
        "churn_day": np.where(will_churn, churn_day, -1),
        "end_day": end_day,
        "archetype": archetype,
        "usage": usage,
    }


def _adoption_days(
    rng: np.random.Generator, first30: np.ndarray, activated: np.ndarray
) -> np.ndarray:
    """Return days after sign-up at which each feature is first used (inf = never)."""
    n, k = len(first30), len(FEATURES)
    order = np.argsort(rng.random((n, k)), axis=1)  # a random feature order per account
    rank = np.argsort(order, axis=1)
    early = rng.integers(0, ACTIVATION_WINDOW_DAYS, (n, k)).astype(float)
    early[:, 0] = rng.integers(0, 3, n)
    late = (
        ACTIVATION_WINDOW_DAYS + 1 + rng.exponential(np.where(activated, 90, 200)[:, None], (n, k))
    )
    never = rng.random((n, k)) < np.where(activated, 0.2, 0.5)[:, None]
    late = np.where(never, np.inf, np.floor(late))
    # sort the early days so the rank-0 feature is used first
    early = np.sort(early, axis=1)
    position = np.take_along_axis(early, np.minimum(rank, k - 1), axis=1)
    return np.where(rank < first30[:, None], position, late)


def _subscription_rows(
    rng: np.random.Generator, acc: dict[str, Any], life: dict[str, Any], horizon: int
) -> pd.DataFrame:
    """Return one row per subscription period: account, start/end day, plan index, seats, status."""
    rows: list[tuple[int, int, int, int, int, str]] = []
    expansion_rate = 0.25 + 0.9 * acc["icp"] + 1.2 * life["power"] + 0.2 * life["activated"]
    for a in range(acc["n"]):
        start, end = int(acc["created"][a]), int(life["end_day"][a])
        churner = bool(life["will_churn"][a])
        open_until = end - (DECLINE_DAYS + 30 if churner else 0)
        changes: list[tuple[int, str]] = []
        if open_until > start + 60:
            years = (open_until - start - 60) / 365.25
            count = rng.poisson(expansion_rate[a] * years)
            days = np.sort(rng.integers(start + 60, open_until, count))
            changes = [(int(d), "expand") for d in days]
        if churner and rng.random() < 0.5:
            down = end - int(rng.integers(30, DECLINE_DAYS))
            if down > max([start + 30, *(d for d, _ in changes)]):
                changes.append((down, "downgrade"))
        plan, seats = int(acc["plan0"][a]), int(acc["seats0"][a])
        begin = start
        for day, kind in changes:
            if day <= begin:
                continue
            if kind == "expand" and plan < 2 and rng.random() < 0.35:
                status, new_plan, new_seats = "upgraded", plan + 1, int(np.ceil(seats * 1.2))
            elif kind == "expand":
                factor = rng.uniform(1.2, 1.7)
                status, new_plan, new_seats = "expanded", plan, max(seats + 1, int(seats * factor))
            elif seats > 3:
                status, new_plan, new_seats = "downgraded", plan, max(1, int(seats * 0.6))
            else:
                status, new_plan, new_seats = "downgraded", max(plan - 1, 0), seats
            rows.append((a, begin, day, plan, seats, status))
            begin, plan, seats = day, new_plan, new_seats
        last_status = "churned" if churner else "active"
        rows.append((a, begin, end if churner else -1, plan, seats, last_status))
    frame = pd.DataFrame(
        rows, columns=["account", "start_day", "end_day", "plan", "seats", "status"]
    )
    plans = np.array(PLANS)[frame["plan"].to_numpy()]
    fee = np.array([BASE_FEE[p] for p in PLANS])[frame["plan"]]
    price = np.array([SEAT_PRICE[p] for p in PLANS])[frame["plan"]]
    frame["plan_name"] = plans
    frame["mrr"] = np.round(fee + price * frame["seats"].to_numpy(), 2)
    return frame


# -- frames -----------------------------------------------------------------------------------


def _stamp(origin: pd.Timestamp, days: np.ndarray, seconds: np.ndarray | int = 0) -> pd.Series:
    total = np.asarray(days, dtype="int64") * DAY_SECONDS + np.asarray(seconds, dtype="int64")
    return pd.Series(origin + pd.to_timedelta(total, unit="s")).astype("datetime64[ns]")


def _customers_frame(
    rng: np.random.Generator, acc: dict[str, Any], subs: pd.DataFrame, origin: pd.Timestamp
) -> pd.DataFrame:
    n = acc["n"]
    current = subs.groupby("account")["plan_name"].last().to_numpy()
    owners = np.where(
        acc["country"] == "KR",
        np.array(KOREAN_OWNERS)[rng.integers(0, len(KOREAN_OWNERS), n)],
        np.array(GLOBAL_OWNERS)[rng.integers(0, len(GLOBAL_OWNERS), n)],
    )
    roles = np.array(EMAIL_ROLES)[rng.integers(0, len(EMAIL_ROLES), n)]
    tech_names = np.array(list(TECHNOLOGIES))
    uses = rng.random((n, len(tech_names))) < np.array(list(TECHNOLOGIES.values()))
    technologies = [";".join(tech_names[row]) or None for row in uses]
    revenue = acc["employees"] * rng.lognormal(np.log(180_000), 0.45, n)
    return pd.DataFrame(
        {
            "customer_id": acc["ids"],
            "name": acc["names"],
            "created_at": _stamp(origin, acc["created"], acc["created_sec"]),
            "industry": acc["industry"],
            "employees": acc["employees"].astype(float),
            "annual_revenue": np.round(revenue, -3).astype(float),
            "country": acc["country"],
            "region": [REGIONS[c] for c in acc["country"]],
            "plan": current,
            "owner": owners,
            "email": [f"{r}@{d}" for r, d in zip(roles, acc["domains"], strict=True)],
            "email_consent": rng.random(n) < 0.7,
            "domain": acc["domains"],
            "technologies": technologies,
        }
    )


def _subscriptions_frame(
    acc: dict[str, Any], subs: pd.DataFrame, origin: pd.Timestamp
) -> pd.DataFrame:
    account = subs["account"].to_numpy()
    start_sec = np.where(
        subs["start_day"].to_numpy() == acc["created"][account], acc["created_sec"][account], 0
    )
    ended = subs["end_day"].to_numpy()
    ended_at = _stamp(origin, np.where(ended >= 0, ended, 0)).where(ended >= 0)
    return pd.DataFrame(
        {
            "subscription_id": [f"SUB-{i + 1:06d}" for i in range(len(subs))],
            "customer_id": acc["ids"][account],
            "started_at": _stamp(origin, subs["start_day"].to_numpy(), start_sec),
            "ended_at": ended_at,
            "mrr": subs["mrr"].to_numpy(dtype=float),
            "plan": subs["plan_name"].to_numpy(),
            "seats": subs["seats"].to_numpy(dtype=float),
            "status": subs["status"].to_numpy(),
        }
    )


def _active_row(subs: pd.DataFrame, account: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Return, for each (account, day), the index of the subscription row in force that day."""
    big = 1 << 20
    keys = subs["account"].to_numpy(dtype="int64") * big + subs["start_day"].to_numpy(dtype="int64")
    wanted = account.astype("int64") * big + day.astype("int64")
    return np.searchsorted(keys, wanted, side="right") - 1


def _december_factor(origin: pd.Timestamp, day: np.ndarray) -> np.ndarray:
    dates = origin + pd.to_timedelta(day, unit="D")
    month, dom = np.asarray(dates.month), np.asarray(dates.day)
    holidays = ((month == 12) & (dom >= 20)) | ((month == 1) & (dom <= 2))
    return np.where(holidays, 0.35, np.where(month == 12, 0.75, 1.0))


def _events(
    rng: np.random.Generator,
    acc: dict[str, Any],
    life: dict[str, Any],
    subs: pd.DataFrame,
    origin: pd.Timestamp,
    horizon: int,
) -> pd.DataFrame:
    created, end_day = acc["created"], life["end_day"]
    spans = end_day - created
    account = np.repeat(np.arange(acc["n"]), spans)
    first = np.repeat(np.cumsum(spans) - spans, spans)
    day = created[account] + (np.arange(spans.sum()) - first)
    age = day - created[account]

    weekday = np.asarray((origin + pd.to_timedelta(day, unit="D")).dayofweek)
    rate = life["usage"][account] * np.where(weekday >= 5, 0.3, 1.0) * _december_factor(origin, day)
    # slow starters drift away; seat growth brings more users and more usage
    rate = rate * np.where(life["activated"][account], 1.0, np.maximum(np.exp(-age / 240), 0.3))
    row = _active_row(subs, account, day)
    seat_growth = subs["seats"].to_numpy()[row] / acc["seats0"][account]
    rate = rate * np.sqrt(seat_growth)
    to_churn = np.where(life["will_churn"][account], end_day[account] - day, 10**6)
    decline = 0.08 + 0.92 * (np.clip(to_churn, 0, DECLINE_DAYS) / DECLINE_DAYS) ** 1.5
    rate = rate * np.where(to_churn < DECLINE_DAYS, decline, 1.0)
    counts = rng.poisson(rate)

    ev_account = np.repeat(account, counts)
    ev_day = np.repeat(day, counts)
    kind = rng.choice(
        len(EVENT_NAMES), size=len(ev_account), p=np.array(EVENT_WEIGHTS) / sum(EVENT_WEIGHTS)
    )
    # a feature's event appears only once the account has adopted that feature; else a login
    adoption = life["adoption"]
    adopted_day = np.where(kind > 0, adoption[ev_account, np.maximum(kind - 1, 0)], -1)
    kind = np.where(ev_day - created[ev_account] >= adopted_day, kind, 0)

    # the first use of every adopted feature, so adoption is visible in the events
    acc_idx, feat_idx = np.nonzero(np.isfinite(adoption))
    first_day = created[acc_idx] + adoption[acc_idx, feat_idx].astype(int)
    keep = first_day < end_day[acc_idx]
    ev_account = np.concatenate([ev_account, acc_idx[keep]])
    ev_day = np.concatenate([ev_day, first_day[keep]])
    kind = np.concatenate([kind, feat_idx[keep] + 1])

    hour = np.clip(rng.normal(13.5, 3.0, len(ev_day)), 0, 23.99)
    seconds = (hour * 3600).astype("int64")
    on_signup_day = ev_day == created[ev_account]
    seconds = np.where(
        on_signup_day, np.maximum(seconds, acc["created_sec"][ev_account] + 60), seconds
    )
    seconds = np.minimum(seconds, DAY_SECONDS - 1)

    seats_max = subs.groupby("account")["seats"].max().to_numpy()
    users = np.floor(seats_max[ev_account] * rng.random(len(ev_account)) ** 2).astype(int) + 1
    feature_names = np.array([None, *FEATURES], dtype=object)
    frame = pd.DataFrame(
        {
            "customer_id": acc["ids"][ev_account],
            "occurred_at": _stamp(origin, ev_day, seconds),
            "event": np.array(EVENT_NAMES, dtype=object)[kind],
            "user_id": [
                f"{acc['ids'][a]}-U{u:03d}" for a, u in zip(ev_account, users, strict=True)
            ],
            "feature": feature_names[kind],
        }
    )
    return frame.sort_values(["occurred_at", "customer_id"], kind="stable", ignore_index=True)


def _tickets(
    rng: np.random.Generator,
    acc: dict[str, Any],
    life: dict[str, Any],
    origin: pd.Timestamp,
    horizon: int,
) -> pd.DataFrame:
    created, end_day = acc["created"], life["end_day"]
    spans = end_day - created
    per_day = 0.010 * (1 + 0.3 * np.log(acc["seats0"])) * np.where(life["activated"], 1.0, 1.4)
    calm_counts = rng.poisson(per_day * spans)
    account = np.repeat(np.arange(acc["n"]), calm_counts)
    day = created[account] + np.floor(rng.random(len(account)) * spans[account]).astype(int)
    # churners file extra tickets in their last DECLINE_DAYS
    churners = np.flatnonzero(life["will_churn"])
    extra = rng.poisson(3.0, len(churners))
    extra_account = np.repeat(churners, extra)
    window = np.minimum(DECLINE_DAYS, spans[extra_account])
    extra_day = (
        end_day[extra_account] - 1 - np.floor(rng.random(len(extra_account)) * window).astype(int)
    )
    account = np.concatenate([account, extra_account])
    day = np.concatenate([day, extra_day])

    pre_churn = life["will_churn"][account] & (end_day[account] - day <= DECLINE_DAYS)
    priority = _mixed_choice(rng, pre_churn, PRIORITY_MIX, len(PRIORITIES))
    csat = _mixed_choice(rng, pre_churn, CSAT_MIX, 5) + 1.0
    category = _mixed_choice(rng, pre_churn, CATEGORY_MIX, len(TICKET_CATEGORIES))
    seconds = (np.clip(rng.normal(12, 3.5, len(day)), 0, 23.99) * 3600).astype("int64")
    seconds = np.where(
        day == created[account], np.maximum(seconds, acc["created_sec"][account] + 60), seconds
    )
    seconds = np.minimum(seconds, DAY_SECONDS - 1)
    opened = day.astype("int64") * DAY_SECONDS + seconds
    hours = np.array([RESOLUTION_HOURS[p] for p in PRIORITIES])[priority]
    resolve = (rng.lognormal(0.0, 0.8, len(day)) * hours * 3600).astype("int64")
    closed = opened + resolve
    still_open = closed >= horizon * DAY_SECONDS
    csat = np.where(still_open | (rng.random(len(day)) < 0.3), np.nan, csat)

    order = np.lexsort((account, opened))
    closed_at = pd.Series(origin + pd.to_timedelta(closed[order], unit="s")).astype(
        "datetime64[ns]"
    )
    closed_at = closed_at.where(~still_open[order])
    return pd.DataFrame(
        {
            "ticket_id": [f"TCK-{i + 1:06d}" for i in range(len(order))],
            "customer_id": acc["ids"][account[order]],
            "opened_at": pd.Series(origin + pd.to_timedelta(opened[order], unit="s")).astype(
                "datetime64[ns]"
            ),
            "closed_at": closed_at,
            "priority": np.array(PRIORITIES, dtype=object)[priority[order]],
            "category": np.array(TICKET_CATEGORIES, dtype=object)[category[order]],
            "csat": csat[order],
        }
    )


def _mixed_choice(
    rng: np.random.Generator, pre_churn: np.ndarray, mixes: Mapping[str, tuple[float, ...]], k: int
) -> np.ndarray:
    calm = rng.choice(k, size=len(pre_churn), p=np.array(mixes["calm"]))
    hot = rng.choice(k, size=len(pre_churn), p=np.array(mixes["pre_churn"]))
    return np.where(pre_churn, hot, calm)


def _transactions(
    rng: np.random.Generator,
    acc: dict[str, Any],
    life: dict[str, Any],
    subs: pd.DataFrame,
    origin: pd.Timestamp,
) -> pd.DataFrame:
    created, end_day = acc["created"], life["end_day"]
    months = np.ceil((end_day - created) / MONTH_DAYS).astype(int)
    account = np.repeat(np.arange(acc["n"]), months)
    k = np.arange(months.sum()) - np.repeat(np.cumsum(months) - months, months)
    day = created[account] + np.round(k * MONTH_DAYS).astype(int)
    inside = day < end_day[account]
    account, day = account[inside], day[inside]
    amount = subs["mrr"].to_numpy()[_active_row(subs, account, day)]
    seconds = acc["created_sec"][account] + 1800

    # a few refunds: part of an invoice credited back some days later, before the account ends
    refunded = np.flatnonzero(rng.random(len(day)) < 0.01)
    refund_day = day[refunded] + rng.integers(3, 21, len(refunded))
    ok = refund_day < end_day[account[refunded]]
    refunded, refund_day = refunded[ok], refund_day[ok]
    share = rng.choice([0.25, 0.5, 1.0], size=len(refunded))

    invoice_numbers = np.arange(len(day))
    frame = pd.DataFrame(
        {
            "invoice_id": [f"INV-{100_001 + i}" for i in invoice_numbers],
            "customer_id": acc["ids"][account],
            "occurred_at": _stamp(origin, day, seconds),
            "amount": np.round(amount, 2),
            "status": "paid",
        }
    )
    refunds = pd.DataFrame(
        {
            "invoice_id": [f"CINV-{100_001 + i}" for i in refunded],
            "customer_id": acc["ids"][account[refunded]],
            "occurred_at": _stamp(origin, refund_day, seconds[refunded]),
            "amount": -np.round(amount[refunded] * share, 2),
            "status": "refund",
        }
    )
    both = pd.concat([frame, refunds], ignore_index=True)
    return both.sort_values(["occurred_at", "invoice_id"], kind="stable", ignore_index=True)


# -- touches ----------------------------------------------------------------------------------

# channel: (days between sends, open probability, click probability given an open)
TOUCH_CHANNELS: dict[str, tuple[int, float, float]] = {
    "email": (14, 0.35, 0.20),
    "in_app": (21, 0.60, 0.30),
    "kakao": (30, 0.70, 0.25),
}
TOUCH_CAMPAIGNS: tuple[str, ...] = ("onboarding", "feature_tips", "renewal")
# Planted: each archetype answers best on one channel; every other channel converts at the base.
RESPONSIVE_CHANNEL = {
    "power_user": "in_app",
    "icp_expander": "email",
    "activated": "kakao",
    "slow_starter": "email",
}
TOUCH_BASE_CONVERSION = 0.02
TOUCH_BEST_CONVERSION = 0.10
TOUCH_FATIGUE = 0.85  # conversion × 0.85 per touch beyond two in the previous 30 days


def _touches(
    rng: np.random.Generator, acc: dict[str, Any], life: dict[str, Any], origin: pd.Timestamp
) -> pd.DataFrame:
    """Marketing touches over each account's life: email, in-app and KakaoTalk messages."""
    created, end_day = acc["created"], life["end_day"]
    frames = []
    for channel, (every, _open, _click) in TOUCH_CHANNELS.items():
        sends = np.maximum((end_day - created) // every, 0)
        account = np.repeat(np.arange(acc["n"]), sends)
        k = np.arange(sends.sum()) - np.repeat(np.cumsum(sends) - sends, sends)
        day = created[account] + k * every + rng.integers(0, 3, len(account))
        frames.append(pd.DataFrame({"account": account, "day": day, "channel": channel}))
    touches = pd.concat(frames, ignore_index=True)
    touches = touches[touches["day"] < end_day[touches["account"].to_numpy()]]
    touches = touches.sort_values(["account", "day", "channel"], kind="stable", ignore_index=True)
    account = touches["account"].to_numpy()
    day = touches["day"].to_numpy()
    channel = touches["channel"].to_numpy()
    age = day - created[account]
    campaign = np.where(
        age < 30, "onboarding", np.where(age % 365 > 330, "renewal", "feature_tips")
    )
    # touches of the same account in the 30 days before this one (sorted by account, then day)
    earlier = np.zeros(len(day), dtype=int)
    start = 0
    for i in range(1, len(day) + 1):
        if i == len(day) or account[i] != account[start]:
            days = day[start:i]
            earlier[start:i] = np.arange(i - start) - np.searchsorted(days, days - 30, side="left")
            start = i
    best = np.array([RESPONSIVE_CHANNEL[a] for a in life["archetype"]])[account] == channel
    p_convert = np.where(best, TOUCH_BEST_CONVERSION, TOUCH_BASE_CONVERSION)
    p_convert = p_convert * TOUCH_FATIGUE ** np.maximum(earlier - 2, 0)
    p_open = np.array([TOUCH_CHANNELS[c][1] for c in channel])
    p_click = np.array([TOUCH_CHANNELS[c][2] for c in channel])
    opened = rng.random(len(day)) < p_open
    clicked = opened & (rng.random(len(day)) < p_click)
    converted = rng.random(len(day)) < p_convert
    lag = rng.integers(0, 6, len(day))
    seconds = (rng.uniform(9, 18, len(day)) * 3600).astype("int64")
    sent = _stamp(origin, day, seconds)
    opened_at = (sent + pd.to_timedelta(rng.integers(5, 600, len(day)), unit="min")).where(opened)
    clicked_at = (opened_at + pd.to_timedelta(rng.integers(1, 30, len(day)), unit="min")).where(
        clicked
    )
    converted_at = _stamp(origin, day + lag, seconds).where(
        converted & (day + lag < end_day[account])
    )
    return pd.DataFrame(
        {
            "customer_id": acc["ids"][account],
            "sent_at": sent,
            "channel": channel,
            "campaign": campaign,
            "opened_at": opened_at,
            "clicked_at": clicked_at,
            "converted_at": converted_at,
        }
    ).sort_values(["sent_at", "customer_id", "channel"], kind="stable", ignore_index=True)


def _truth(
    acc: dict[str, Any], life: dict[str, Any], subs: pd.DataFrame, origin: pd.Timestamp
) -> pd.DataFrame:
    churn_date = _stamp(origin, np.maximum(life["churn_day"], 0)).where(life["will_churn"])
    grew = subs["status"].isin(["expanded", "upgraded"]).groupby(subs["account"]).sum()
    shrank = subs["status"].eq("downgraded").groupby(subs["account"]).any()
    return pd.DataFrame(
        {
            "customer_id": acc["ids"],
            "archetype": life["archetype"],
            "will_churn": life["will_churn"],
            "churn_date": churn_date,
            "activated": life["activated"],
            "features_first_30d": life["first30"].astype(int),
            "icp_fit": acc["icp"],
            "expansions": grew.to_numpy(dtype=int),
            "downgraded": shrank.to_numpy(dtype=bool),
        }
    )


# -- files ------------------------------------------------------------------------------------


def write_saas_csvs(
    folder: str | Path,
    *,
    korean_headers: bool = False,
    customers_encoding: str | None = None,
    **kwargs: Any,
) -> dict[str, Path]:
    """Write one UTF-8 CSV per table plus truth.csv into `folder`; return their paths by table.

    With `korean_headers=True` the customers file gets Korean column names and is written in
    CP949 (unless `customers_encoding` says otherwise), as a Korean CRM export would be.
    Other keyword arguments go to `generate_saas`.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    tables = generate_saas(**kwargs)
    paths: dict[str, Path] = {}
    for name in (*TABLES, "truth"):
        frame = tables[name]
        encoding = "utf-8"
        if name == "customers" and korean_headers:
            frame = frame.rename(columns=KOREAN_HEADERS)
            encoding = customers_encoding or "cp949"
        elif name == "customers" and customers_encoding:
            encoding = customers_encoding
        path = out / f"{name}.csv"
        frame.to_csv(path, index=False, encoding=encoding, date_format="%Y-%m-%d %H:%M:%S")
        paths[name] = path
    return paths
