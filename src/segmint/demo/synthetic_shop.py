"""A seeded synthetic coffee shop (line items, customers, marketing touches) with planted tastes,
for the demo's commerce workspace and for tests.

Planted behaviours (tests/demo/test_synthetic_shop.py checks each one):
1. four kinds of shopper with their own favourite categories: deal seekers (snacks, tea), full-price
   buyers (coffee, grinders, kettles), coffee regulars (coffee and filters) and gifters (gift sets,
   mugs);
2. deal seekers buy on discount in about 70% of their orders (often with a coupon), full-price
   buyers in about 4%;
3. each kind has its own purchase cycle (deal seekers 21 days, full price 45, coffee regulars 14,
   gifters 90) and a third of the customers stop buying at a random date (they become overdue);
4. coffee in a basket brings filters with it (basket affinity);
5. KakaoTalk offers bring deal seekers back within a few days (redemption); other touches do not
   change anything;
6. gifters buy mostly in November and December; app orders are placed in the evening.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ORIGIN = pd.Timestamp("2023-07-01")
ORIGIN_DT = datetime(2023, 7, 1)
DAYS = 731  # two years: the newest data is on 2025-06-30
CATEGORIES: dict[str, tuple[str, float]] = {  # category: (department, list price)
    "coffee": ("grocery", 18.0),
    "tea": ("grocery", 12.0),
    "snacks": ("grocery", 6.0),
    "filters": ("grocery", 5.0),
    "mugs": ("kitchen", 14.0),
    "grinders": ("kitchen", 60.0),
    "kettles": ("kitchen", 45.0),
    "gift sets": ("gifts", 35.0),
}

ALL_CATEGORIES = tuple(CATEGORIES)


@dataclass(frozen=True)
class Shopper:
    """One planted kind of customer: how many, how often, how discounted, what, where."""

    share: float
    cycle_days: float
    p_discounted: float
    favourites: tuple[str, ...]
    channels: tuple[float, float, float]  # store, web, app


SHOPPERS: dict[str, Shopper] = {
    "deal_seeker": Shopper(0.30, 21, 0.70, ("snacks", "tea"), (0.2, 0.3, 0.5)),
    "full_price": Shopper(0.25, 45, 0.04, ("coffee", "grinders", "kettles"), (0.6, 0.3, 0.1)),
    "coffee_regular": Shopper(0.25, 14, 0.15, ("coffee",), (0.3, 0.3, 0.4)),
    "gifter": Shopper(0.20, 90, 0.20, ("gift sets", "mugs"), (0.3, 0.6, 0.1)),
}
ORDER_CHANNELS = ("store", "web", "app")
ACQUISITION = {"store": 0.35, "web": 0.30, "app": 0.20, "referral": 0.15}
OFFER_REDEMPTION = {"deal_seeker": 0.45}  # chance that a KakaoTalk offer brings an order
# touch channel: (days between sends, open probability, click probability given an open)
TOUCH_CHANNELS: dict[str, tuple[int, float, float]] = {
    "email": (21, 0.30, 0.15),
    "push": (14, 0.45, 0.20),
    "kakao": (30, 0.70, 0.30),
}


def generate_shop(n_customers: int = 1500, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Return the shop's tables: customers, orders (line items), touches, truth (planted kind)."""
    rng = np.random.default_rng(seed)
    kinds = list(SHOPPERS)
    kind = rng.choice(kinds, size=n_customers, p=[SHOPPERS[k].share for k in kinds])
    signup = rng.integers(0, DAYS - 60, n_customers)
    stops = rng.random(n_customers) < 1 / 3
    stop = np.where(stops, signup + rng.integers(60, DAYS, n_customers), DAYS + 1)
    ids = np.array([f"S{k:05d}" for k in range(n_customers)])
    touches = _touches(np.random.default_rng([seed, 1]), ids, signup)
    lines = []
    line_rng = np.random.default_rng([seed, 2])
    offered = touches[touches["offer"].notna()]
    offer_days = offered.groupby("customer")["day"].apply(list).to_dict()
    for k in range(n_customers):
        lines.extend(
            _customer_lines(
                line_rng, k, str(kind[k]), int(signup[k]), int(stop[k]), offer_days.get(k, [])
            )
        )
    orders = pd.DataFrame(lines, columns=ORDER_COLUMNS)
    orders = orders.sort_values(["Order Date", "Invoice", "Category"], ignore_index=True)
    acquisition = rng.choice(list(ACQUISITION), size=n_customers, p=list(ACQUISITION.values()))
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "created_at": (ORIGIN + pd.to_timedelta(signup, unit="D")).strftime("%Y-%m-%d"),
            "acquisition_channel": acquisition,
        }
    )
    sent = _minutes(touches["day"].to_numpy() * 1440 + 600)
    opened = sent + touches["open_minutes"].to_numpy()
    clicked = opened + touches["click_minutes"].to_numpy()
    touch_frame = pd.DataFrame(
        {
            "customer_id": ids[touches["customer"].to_numpy()],
            "sent_at": _text(sent),
            "channel": touches["channel"],
            "campaign": touches["campaign"],
            "offer": touches["offer"],
            "opened_at": pd.Series(_text(opened)).where(touches["opened"]),
            "clicked_at": pd.Series(_text(clicked)).where(touches["clicked"]),
        }
    )
    truth = pd.DataFrame({"customer_id": ids, "kind": kind, "stopped": stops})
    return {"customers": customers, "orders": orders, "touches": touch_frame, "truth": truth}


ORDER_COLUMNS = [
    "Customer ID", "Invoice", "Order Date", "Channel", "Category", "Department", "Quantity",
    "Amount", "Discount", "Coupon",
]  # fmt: skip


def _customer_lines(
    rng: np.random.Generator, k: int, kind: str, signup: int, stop: int, offer_days: list[int]
) -> list[list[object]]:
    """Return the line items of one customer: cycle orders plus orders brought by offers."""
    shopper = SHOPPERS[kind]
    channel_cdf = np.cumsum(shopper.channels)[:-1]
    days: list[tuple[int, bool]] = []  # (day, brought by an offer)
    day = signup + int(rng.integers(0, 7))
    while day < min(stop, DAYS):
        days.append((day, False))
        gap = rng.gamma(3.0, shopper.cycle_days / 3.0)
        if kind == "gifter" and _month(day) in (10, 11):
            gap = min(gap, 20.0)  # gifters come back for the holidays
        day += max(1, round(gap))
    for offer_day in offer_days:
        if offer_day < stop and rng.random() < OFFER_REDEMPTION.get(kind, 0.0):
            days.append((int(offer_day) + int(rng.integers(0, 5)), True))
    lines: list[list[object]] = []
    for n, (day, by_offer) in enumerate(sorted(days)):
        if day >= DAYS:
            continue
        channel = ORDER_CHANNELS[int(np.searchsorted(channel_cdf, rng.random(), side="right"))]
        hour = int(rng.integers(19, 24)) if channel == "app" else int(rng.integers(9, 20))
        stamp = ORIGIN_DT + timedelta(days=day, hours=hour, minutes=int(rng.integers(0, 60)))
        items = {shopper.favourites[int(rng.integers(len(shopper.favourites)))]}
        if rng.random() < 0.4:
            items.add(ALL_CATEGORIES[int(rng.integers(len(ALL_CATEGORIES)))])
        if "coffee" in items and rng.random() < 0.6:
            items.add("filters")
        discounted = by_offer or rng.random() < shopper.p_discounted
        coupon = "KAKAO20" if by_offer else ("SAVE20" if rng.random() < 0.5 else "")
        invoice = f"{k:05d}-{n:03d}"
        for item in sorted(items):
            department, price = CATEGORIES[item]
            quantity = int(rng.integers(1, 4)) if item in ("snacks", "filters", "tea") else 1
            gross = price * quantity
            discount = round(gross * 0.2, 2) if discounted else 0.0
            lines.append(
                [
                    f"S{k:05d}",
                    invoice,
                    stamp.strftime("%Y-%m-%d %H:%M"),
                    channel,
                    item,
                    department,
                    quantity,
                    f"{gross - discount:.2f}",
                    f"{discount:.2f}" if discount else "",
                    coupon if discounted else "",
                ]  # fmt: skip
            )
        if discounted and kind == "deal_seeker" and rng.random() < 0.1:
            # a free sample with the order: paid 0, the whole price discounted
            lines.append(
                [
                    f"S{k:05d}",
                    invoice,
                    stamp.strftime("%Y-%m-%d %H:%M"),
                    channel,
                    "snacks",
                    "grocery",
                    1,
                    "0.00",
                    f"{CATEGORIES['snacks'][1]:.2f}",
                    coupon,
                ]  # fmt: skip
            )
    return lines


def _minutes(offset: np.ndarray) -> np.ndarray:
    """Return ORIGIN plus `offset` minutes as datetime64[m]."""
    return np.datetime64("2023-07-01T00:00", "m") + offset.astype("timedelta64[m]")


def _text(stamps: np.ndarray) -> np.ndarray:
    """Format datetime64[m] values as 'YYYY-MM-DD HH:MM' (numpy: fast for 100k touches)."""
    return np.char.replace(np.datetime_as_string(stamps, unit="m"), "T", " ")


def _month(day: int) -> int:
    """Return the calendar month of a day number counted from ORIGIN."""
    return (ORIGIN_DT + timedelta(days=day)).month


def _touches(rng: np.random.Generator, ids: np.ndarray, signup: np.ndarray) -> pd.DataFrame:
    """Marketing touches from signup on: an email newsletter, app pushes and KakaoTalk offers."""
    frames = []
    for channel, (every, p_open, p_click) in TOUCH_CHANNELS.items():
        sends = np.maximum((DAYS - signup) // every, 0)
        customer = np.repeat(np.arange(len(ids)), sends)
        k = np.arange(sends.sum()) - np.repeat(np.cumsum(sends) - sends, sends)
        day = signup[customer] + (k + 1) * every - rng.integers(0, 3, len(customer))
        opened = rng.random(len(day)) < p_open
        frames.append(
            pd.DataFrame(
                {
                    "customer": customer,
                    "day": day,
                    "channel": channel,
                    "campaign": {"email": "newsletter", "push": "new in", "kakao": "offer"}[
                        channel
                    ],
                    "offer": "20% off" if channel == "kakao" else None,
                    "opened": opened,
                    "clicked": opened & (rng.random(len(day)) < p_click),
                    "open_minutes": rng.integers(5, 600, len(day)),
                    "click_minutes": rng.integers(1, 30, len(day)),
                }
            )
        )
    touches = pd.concat(frames, ignore_index=True)
    touches = touches[touches["day"] < DAYS]
    return touches.sort_values(["day", "customer", "channel"], kind="stable", ignore_index=True)


def write_shop_csvs(
    folder: str | Path, *, n_customers: int = 1500, seed: int = 0
) -> dict[str, Path]:
    """Write customers.csv, orders.csv, touches.csv and truth.csv into `folder`; return paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, frame in generate_shop(n_customers, seed).items():
        path = out / f"{name}.csv"
        frame.to_csv(path, index=False, encoding="utf-8")
        paths[name] = path
    return paths


__all__ = ["SHOPPERS", "generate_shop", "write_shop_csvs"]
