"""Discount, coupon, channel and department columns: detection, summing, quarantine, config."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from segmint.config import SourceConfig
from segmint.sources import ReadOptions, detect_columns, read_source


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["customer_id", "date", "amount", "Discount", "Coupon Code", "Sales Channel",
             "Category", "Department"],
            ["Discount", "Coupon Code", "Sales Channel", "Category", "Department"],
        ),
        (
            ["고객ID", "주문일", "결제금액", "할인금액", "쿠폰", "채널", "카테고리", "부문"],
            ["할인금액", "쿠폰", "채널", "카테고리", "부문"],
        ),
        (
            ["회원번호", "결제일시", "금액", "할인", "쿠폰코드", "판매채널", "분류", "부문"],
            ["할인", "쿠폰코드", "판매채널", "분류", "부문"],
        ),
    ],
)  # fmt: skip
def test_new_optional_columns_detected_in_english_and_korean(headers, expected):
    found = detect_columns(headers, None, "transactions")
    names = ["discount", "coupon", "channel", "category", "department"]
    assert [found[n] for n in names] == expected


def test_negative_discount_is_quarantined_with_its_line_and_free_items_are_kept(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "customer_id,date,amount,discount,coupon\n"
        "c1,2024-01-02,10.00,2.00,SAVE10\n"
        "c1,2024-01-05,0,5.00,\n"
        "c2,2024-01-03,20.00,-1.00,\n"
        "c2,2024-01-04,20.00,,\n",
        encoding="utf-8",
    )
    result = read_source(path)
    assert result.rows_read == 4
    assert list(result.loaded["_line"]) == [2, 3, 5]
    free = result.loaded[result.loaded["_line"] == 3].iloc[0]
    assert free["amount"] == 0 and free["discount"] == 5.0
    [bad] = result.rejected.to_dict("records")
    assert bad["line"] == 4 and bad["column"] == "discount"
    assert bad["reason"].startswith("negative discount -1.00")
    assert result.stats["discounted_lines"] == 2
    assert result.stats["discount_amount"] == "7.00"


def test_several_discount_columns_are_summed(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "cust,date,amount,retail_disc,coupon_disc\n"
        "c1,2024-01-02,10.00,1.00,0.50\n"
        "c1,2024-01-03,10.00,,0.25\n"
        "c2,2024-01-03,10.00,,\n"
        "c2,2024-01-04,10.00,1.00,-0.10\n",
        encoding="utf-8",
    )
    options = ReadOptions(
        columns={"customer_id": "cust", "discount": ["retail_disc", "coupon_disc"]}
    )
    result = read_source(path, options=options)
    discount = result.loaded["discount"].tolist()
    assert discount[:2] == [1.5, 0.25] and discount[2] != discount[2]  # NaN: no discount given
    assert result.stats["discount_from"] == "retail_disc + coupon_disc"
    [bad] = result.rejected.to_dict("records")
    assert bad["line"] == 5 and bad["column"] == "coupon_disc"
    # the extra header is claimed by discount, never detected as another column
    assert "coupon" not in result.column_map


def test_config_accepts_a_list_only_for_discount():
    ok = SourceConfig(
        name="orders", table="transactions", path="orders.csv",
        columns={"discount": ["retail_disc", "coupon_disc"]},
    )  # fmt: skip
    assert ok.columns["discount"] == ["retail_disc", "coupon_disc"]
    with pytest.raises(ValidationError, match="takes one header"):
        SourceConfig(
            name="orders", table="transactions", path="orders.csv",
            columns={"amount": ["a", "b"]},
        )  # fmt: skip
