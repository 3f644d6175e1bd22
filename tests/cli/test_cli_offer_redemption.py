"""Offer redemption on a shop workspace: touches with an `Offer` column, `insights price`, the run."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from segmint.cli import _register_commands, app
from segmint.config import load_config
from segmint.store import open_store
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.run import run_workspace
from shop_data import SHOP_CONFIG, write_shop

runner = CliRunner()
TOUCHES = """\
  - name: mails
    table: touches
    path: data/touches.csv
"""


def _touches() -> pd.DataFrame:
    """Every third customer (the deal buyers) redeems 70% of offers, the others 10%."""
    rng = np.random.default_rng(8)
    rows = []
    for k in range(240):
        for j in range(4):
            sent = datetime(2024, 6, 1) + timedelta(days=30 * j + k % 7)
            won = rng.random() < (0.7 if k % 3 == 0 else 0.1)
            rows.append({"Customer ID": f"C{k:04d}", "Sent At": f"{sent:%Y-%m-%d %H:%M}",
                         "Channel": "email", "Offer": "SAVE20" if j % 2 == 0 else "",
                         "Converted At": f"{sent + timedelta(days=1):%Y-%m-%d}" if won else ""})  # fmt: skip
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    _register_commands()
    root = write_shop(tmp_path_factory.mktemp("offers"))
    _touches().to_csv(root / "data" / "touches.csv", index=False)
    config_text = SHOP_CONFIG.replace("schemes:", TOUCHES + "schemes:", 1)
    (root / "segmint.yaml").write_text(config_text, encoding="utf-8")
    config = load_config(root)
    with open_store(root / config.database) as store:
        ingest_workspace(root, config, store)
        result = run_workspace(root, config, store, write_report=False)
    return root, result


def test_insights_price_has_the_redemption_rate_per_segment(shop: tuple[Path, object]) -> None:
    root, _ = shop
    out = runner.invoke(app, ["insights", "price", "-w", str(root), "--scheme", "price", "--json"])
    assert out.exit_code == 0, out.output
    by_name = {s["segment"]: s for s in json.loads(out.stdout)["segments"]}
    deal, full = by_name["deal seeker"]["redemption_rate"], by_name["full price"]["redemption_rate"]
    assert deal["ci_low"] > full["ci_high"]
    assert deal["denominator"] == 2 * by_name["deal seeker"]["customers"]  # 2 offers each
    text = runner.invoke(app, ["insights", "price", "-w", str(root), "--lang", "ko"])
    assert text.exit_code == 0 and "혜택" in text.stdout  # the header may wrap


def test_the_run_adds_each_customers_redemption_rate(shop: tuple[Path, object]) -> None:
    _, result = shop
    customers = result.customers.set_index("customer_id")  # type: ignore[attr-defined]
    assert (customers["offers_received"] == 2).all()
    deals = customers.index.str[1:].astype(int) % 3 == 0
    assert customers.loc[deals, "redemption_rate"].mean() > 0.5
    assert customers.loc[~deals, "redemption_rate"].mean() < 0.25
