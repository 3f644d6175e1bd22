"""`analyze` on a shop export: the Understand block, per-customer columns and report section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from segmint.analyze import analyze_file
from shop_data import shop_lines


@pytest.fixture(scope="module")
def shop_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shop") / "orders.csv"
    shop_lines(seed=3, customers=150).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_analyze_adds_understand(shop_export: Path, tmp_path: Path, lang: str) -> None:
    result = analyze_file(shop_export, out_dir=tmp_path / lang, lang=lang, with_clv=False)
    block = result.summary["understand"]
    assert set(block) == {"scheme", "preferences", "price", "timing"}
    assert block["preferences"]["level"] == "category"
    columns = set(result.customers.columns)
    assert {"top_category", "category_breadth", "top_category_share", "discounted_order_share",
            "price_sensitivity", "p_purchase_30d", "expected_next_purchase",
            "overdue_days"} <= columns  # fmt: skip
    assert (
        result.customers["price_sensitivity"]
        .isin(["deal seeker", "occasional", "full price", "insufficient"])
        .all()
    )
    summary = json.loads((tmp_path / lang / "summary.json").read_text(encoding="utf-8"))
    assert summary["understand"]["timing"]["segments"]
    html = (tmp_path / lang / "report.html").read_text(encoding="utf-8")
    heading = {"en": "Understand", "ko": "고객 이해"}[lang]
    deal = {"en": "deal seekers", "ko": "할인 추구형"}[lang]
    assert f">{heading}<" in html and deal in html
