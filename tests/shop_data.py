"""A small synthetic shop: categories with departments, discounts, coupons, invoices."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd


def shop_lines(seed: int = 1, customers: int = 240) -> pd.DataFrame:
    """Return line items: every third customer buys on deals, cycles of 12 / 30 / 75 days."""
    rng = np.random.default_rng(seed)
    cats = {
        "coffee": "grocery",
        "tea": "grocery",
        "mugs": "home",
        "filters": "grocery",
        "grinders": "home",
    }
    rows = []
    end = datetime(2024, 12, 31)
    for k in range(customers):
        deal = k % 3 == 0
        cycle = [12, 30, 75][k % 3]
        favourite = ["coffee", "tea", "mugs"][k % 3]
        day = end - timedelta(days=int(rng.integers(200, 700)))
        n = 0
        while day < end:
            invoice = f"INV{k:04d}-{n}"
            items = {favourite}
            if rng.random() < 0.5:
                items.add(str(rng.choice(list(cats))))
            if "coffee" in items and rng.random() < 0.6:
                items.add("filters")
            discounted = rng.random() < (0.7 if deal else 0.05)
            hour = int(rng.integers(8, 22))
            for item in sorted(items):
                price = float(rng.integers(5, 40))
                rows.append(
                    {
                        "Customer ID": f"C{k:04d}",
                        "Invoice": invoice,
                        "Order Date": (day + timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M"),
                        "Category": item,
                        "Department": cats[item],
                        "Amount": f"{price * (0.8 if discounted else 1):.2f}",
                        "Discount": f"{price * 0.2:.2f}" if discounted else "",
                        "Coupon": "SAVE20" if discounted and rng.random() < 0.5 else "",
                    }
                )
            n += 1
            day += timedelta(days=max(1, int(rng.gamma(4, cycle / 4))))
    return pd.DataFrame(rows)


SHOP_CONFIG = """\
version: 1
name: Test shop
database: segmint.duckdb
seed: 0
sources:
  - name: orders
    table: transactions
    path: data/orders.csv
    invoice_col: Invoice
schemes:
  - name: value
    rules:
      - {segment: regulars, when: "orders_365d >= 8"}
      - {segment: occasional, when: "orders_365d >= 1"}
    default: lapsed
  - name: price
    template: price_sensitivity
"""


def write_shop(root: Path, seed: int = 1) -> Path:
    """Write a shop workspace (segmint.yaml + data/orders.csv) under root; return root."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    shop_lines(seed).to_csv(root / "data" / "orders.csv", index=False)
    (root / "segmint.yaml").write_text(SHOP_CONFIG, encoding="utf-8")
    return root
