"""The synthetic shop of the demo: planted tastes, and the Understand section they produce."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from segmint.demo.run_demo import ShopDemo, run_shop
from segmint.demo.synthetic_shop import generate_shop
from segmint.i18n import t
from segmint.report.understand_section import understand_section


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return generate_shop(n_customers=400, seed=2)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> ShopDemo:
    return run_shop(tmp_path_factory.mktemp("shop") / "shop", n_customers=600, seed=0)


@pytest.fixture(scope="module")
def truth(shop: ShopDemo) -> pd.DataFrame:
    return pd.read_csv(shop.folder / "data" / "truth.csv")


def test_generator_is_seeded(tables: dict[str, pd.DataFrame]) -> None:
    again = generate_shop(n_customers=400, seed=2)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, again[name])
    other = generate_shop(n_customers=400, seed=3)
    assert not other["orders"].equals(tables["orders"])


def test_planted_discounts_categories_and_free_items(tables: dict[str, pd.DataFrame]) -> None:
    lines = tables["orders"].merge(tables["truth"], left_on="Customer ID", right_on="customer_id")
    for column in ("Amount", "Discount"):  # written as text, "" for no discount
        lines[column] = pd.to_numeric(lines[column], errors="coerce")
    lines["discounted"] = lines["Discount"] > 0
    orders = lines.groupby(["Invoice", "kind"], as_index=False)["discounted"].any()
    discounted = orders.groupby("kind")["discounted"].mean()
    assert discounted["deal_seeker"] > 0.6
    assert discounted["full_price"] < 0.1
    top = lines.groupby("kind")["Category"].agg(lambda c: c.value_counts().idxmax())
    assert top["coffee_regular"] == "coffee" and top["gifter"] in ("gift sets", "mugs")
    free = lines[lines["Amount"] == 0]
    assert len(free) > 0 and (free["Discount"] > 0).all()  # free samples: paid 0, discounted
    assert set(lines["Department"]) == {"grocery", "kitchen", "gifts"}
    assert set(tables["touches"]["channel"]) == {"email", "push", "kakao"}


def test_price_scheme_finds_the_planted_deal_seekers(shop: ShopDemo, truth: pd.DataFrame) -> None:
    segments = shop.run.segments
    labels = segments[segments["scheme"] == "price"].merge(truth, on="customer_id")
    called = labels[labels["segment"] == "deal seeker"]
    assert len(called) >= 100
    assert (called["kind"] == "deal_seeker").mean() >= 0.8
    full = labels[labels["segment"] == "full price"]
    assert (full["kind"] != "deal_seeker").all()


def test_understand_block_has_preferences_price_and_timing(shop: ShopDemo) -> None:
    block = shop.run.outputs["understand"]
    assert block["scheme"] == "rfm"
    prefs = block["preferences"]
    assert prefs["level"] == "category" and prefs["baskets"] > 1000
    assert any(c["ranked"] for s in prefs["segments"] for c in s["categories"])
    coffee_filters = [
        p for p in prefs["pairs"] if (p["antecedent"], p["consequent"]) == ("coffee", "filters")
    ]
    assert coffee_filters and coffee_filters[0]["lift"] > 1.3
    price = block["price"]
    assert any("redemption_rate" in s for s in price["segments"])
    timing = block["timing"]
    assert sum(s["overdue_customers"] for s in timing["segments"]) > 0


def test_timing_and_redemption_follow_the_planted_shoppers(
    shop: ShopDemo, truth: pd.DataFrame
) -> None:
    c = shop.run.customers.merge(truth, on="customer_id")
    p30 = c.groupby("kind")["p_purchase_30d"].median()
    assert p30["coffee_regular"] > p30["gifter"] + 0.2
    overdue = c.groupby("stopped")["overdue_days"].apply(lambda d: (d > 0).mean())
    assert overdue[True] > overdue[False] + 0.3
    # a purchase within 7 days of an offer counts: frequent buyers redeem by rhythm alone, deal
    # seekers (every 21 days) beat full-price buyers (every 45 days) by far more than that
    redemption = c.groupby("kind")["redemption_rate"].mean()
    assert redemption["deal_seeker"] > redemption["full_price"] + 0.2
    assert redemption["deal_seeker"] > redemption["gifter"] + 0.3


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_understand_section_names_deal_seekers(shop: ShopDemo, lang: str) -> None:
    section = understand_section(shop.run.outputs["understand"], lang=lang)
    assert section is not None and section.title == t("understand.heading", lang)
    texts = [item for item in section.items() if isinstance(item, str)]
    tables = [item for item in section.items() if isinstance(item, pd.DataFrame)]
    deal = t("understand.persona.deal", lang, segment="", deal="").split("—")[0].strip(" :")
    assert any(deal in text for text in texts), texts
    columns = {c for table in tables for c in table.columns}
    for key in ("understand.col.lift", "understand.col.deal_seekers", "understand.col.cycle"):
        assert t(key, lang) in columns


def test_run_report_shows_the_understand_section(shop: ShopDemo) -> None:
    html = Path(shop.run.report_path).read_text(encoding="utf-8")
    assert 'id="s5-understand"' in html or ">Understand<" in html
    assert "deal seekers —" in html and "Median cycle (days)" in html and "Lift (95%)" in html
