"""Persona cards: sizes, revenue shares, distinctive traits in words, playbooks, Korean wording."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.errors import MissingColumnError
from segmint.segments.personas import persona_cards


@pytest.fixture
def customers() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n_a, n_b = 100, 300
    return pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n_a + n_b)],
            "segment": ["at risk"] * n_a + ["steady"] * n_b,
            "revenue": np.r_[np.full(n_a, 100.0), np.full(n_b, 300.0)],
            "tickets_90d": np.r_[rng.poisson(8, n_a), rng.poisson(1, n_b)].astype(float),
            "seats": rng.normal(20, 3, n_a + n_b),
            "industry": ["manufacturing"] * 64
            + ["retail"] * 36
            + ["retail"] * 240
            + ["manufacturing"] * 60,
        }
    )


def test_sizes_shares_and_revenue(customers: pd.DataFrame) -> None:
    cards = persona_cards(customers, segment_col="segment", value_col="revenue")
    assert [c.segment for c in cards] == ["steady", "at risk"]
    steady, at_risk = cards
    assert (steady.size, at_risk.size) == (300, 100)
    assert at_risk.share == pytest.approx(0.25)
    assert at_risk.revenue == pytest.approx(10_000.0)
    assert at_risk.revenue_share == pytest.approx(10_000 / 100_000)


def test_traits_in_words_with_ratios(customers: pd.DataFrame) -> None:
    at_risk = persona_cards(customers, segment_col="segment", value_col="revenue")[1]
    texts = [t.text for t in at_risk.traits]
    tickets = next(t for t in at_risk.traits if t.feature == "tickets_90d")
    expected_ratio = customers.loc[:99, "tickets_90d"].mean() / customers["tickets_90d"].mean()
    assert tickets.ratio == pytest.approx(expected_ratio)
    assert f"{expected_ratio:.1f}× more tickets (90d)" in texts
    assert "64% industry: manufacturing (population 31%)" in texts
    assert 3 <= len(at_risk.traits) <= 5
    # Traits are ordered by how much they set the segment apart; seats barely differs.
    assert texts.index(tickets.text) < len(texts) - 1 or len(texts) == 3
    assert at_risk.typical["tickets_90d"] == customers.loc[:99, "tickets_90d"].median()


def test_playbook_markdown_and_dict(customers: pd.DataFrame) -> None:
    playbooks = {"at risk": {"action": "CSM call", "channel": "phone", "owner": "CS"}}
    cards = persona_cards(
        customers, segment_col="segment", value_col="revenue", playbooks=playbooks
    )
    at_risk = cards[1]
    assert at_risk.playbook == playbooks["at risk"]
    assert cards[0].playbook is None
    md = at_risk.to_markdown()
    assert md.startswith("### at risk") and "CSM call" in md and "25.0% of customers" in md
    as_dict = at_risk.to_dict()
    assert as_dict["size"] == 100 and as_dict["traits"][0]["text"]


def test_korean_wording(customers: pd.DataFrame) -> None:
    at_risk = persona_cards(customers, segment_col="segment", lang="ko")[1]
    md = at_risk.to_markdown()
    assert "고객" in md and "배 많음" in md and "(전체 31%)" in md


def test_errors(customers: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="en, ko"):
        persona_cards(customers, segment_col="segment", lang="fr")
    with pytest.raises(MissingColumnError):
        persona_cards(customers, segment_col="nope")


def test_counts_are_fewer_amounts_are_less(customers: pd.DataFrame) -> None:
    steady = persona_cards(customers, segment_col="segment", value_col="revenue")[0]
    texts = {t.feature: t.text for t in steady.traits}
    assert texts["tickets_90d"].endswith("fewer tickets (90d)")  # whole numbers: a count
    # whole numbers of money are not counted things: "less mrr", whatever the values look like
    frame = customers.assign(mrr=customers["tickets_90d"] * 100, visits=customers["tickets_90d"])
    steady = persona_cards(frame, segment_col="segment", value_col="revenue", top_traits=6)[0]
    texts = {t.feature: t.text for t in steady.traits}
    assert texts["mrr"].endswith("less mrr") and texts["visits"].endswith("fewer visits")


def test_korean_flags_and_levels(customers: pd.DataFrame) -> None:
    frame = customers.assign(
        active=["true"] * 100 + ["false"] * 300, risk=["high"] * 100 + ["low"] * 300
    )
    at_risk = persona_cards(frame, segment_col="segment", lang="ko")[1]
    texts = " ".join(t.text for t in at_risk.traits)
    assert "active: 예" in texts and "risk: 높음" in texts
    assert "yes" not in texts and "high" not in texts


def _price_frame() -> pd.DataFrame:
    """Three segments of 40: deal seekers, full-price buyers, a mix; 10 with too few orders."""
    rng = np.random.default_rng(4)
    share = np.concatenate([
        rng.uniform(0.55, 0.9, 40),  # deals: all deal seekers
        rng.uniform(0.0, 0.08, 40),  # full: all full price
        np.r_[rng.uniform(0.5, 0.9, 12), rng.uniform(0.0, 0.09, 12), rng.uniform(0.1, 0.4, 16)],
    ])  # fmt: skip
    orders = np.full(120, 6)
    orders[110:] = 2  # ten of the mix have fewer than 3 orders: not labelled
    return pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(120)],
        "segment": ["deals"] * 40 + ["full"] * 40 + ["mix"] * 40,
        "discounted_order_share": share,
        "price_orders_365d": orders,
        "revenue_365d": rng.uniform(10, 100, 120),
    })  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_cards_name_deal_seekers_and_full_price_buyers_in_words(lang: str) -> None:
    cards = {c.segment: c for c in persona_cards(_price_frame(), segment_col="segment", lang=lang)}
    first = {name: card.traits[0] for name, card in cards.items()}
    assert {t.kind for t in first.values()} == {"price"}
    deal_word, full_word, mixed_word = (
        ("Deal seekers", "Full-price buyers", "Mixed on price")
        if lang == "en"
        else ("할인 추구형", "정가 구매형", "가격 혼합형")
    )
    assert first["deals"].text.startswith(deal_word) and "100%" in first["deals"].text
    assert first["full"].text.startswith(full_word) and "100%" in first["full"].text
    # the mix: of the 30 labelled, 12 deal seekers (40%), 12 full price (40%), 6 occasional
    assert first["mix"].text.startswith(mixed_word)
    assert first["mix"].text.count("40%") == 2
    assert first["mix"].segment_value == pytest.approx(12 / 30)
    # the bare share is not repeated as a second trait
    assert all(t.feature != "discounted_order_share" for c in cards.values() for t in c.traits)
    assert deal_word in cards["deals"].to_markdown()


def test_a_segment_of_occasional_discount_users_is_named_so() -> None:
    frame = _price_frame()
    frame.loc[:39, "discounted_order_share"] = 0.3  # between the cut points: occasional
    cards = {c.segment: c for c in persona_cards(frame, segment_col="segment")}
    assert cards["deals"].traits[0].text.startswith("Occasional discount users: 100%")


def test_no_price_line_for_a_segment_with_too_few_labelled_customers() -> None:
    frame = _price_frame()
    frame.loc[:39, "price_orders_365d"] = 2  # the deal seekers have fewer than 3 orders each
    cards = {c.segment: c for c in persona_cards(frame, segment_col="segment")}
    assert all(t.kind != "price" for t in cards["deals"].traits)
    assert cards["full"].traits[0].kind == "price"
