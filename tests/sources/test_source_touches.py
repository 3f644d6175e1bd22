"""The touches table: header detection (English, Korean), impossible orders quarantined, sent_at required."""

from __future__ import annotations

import pytest

from segmint.errors import MissingColumnError
from segmint.sources import read_source

TOUCHES = (
    "Customer ID,Sent At,Channel,Campaign,Opened At,Clicked At,Converted At\n"
    "A1,2025-01-05 14:00,email,spring,2025-01-05 15:00,,2025-01-05\n"  # same day: kept
    "A1,2025-01-06 09:00,kakao,,,,\n"
    "A2,2025-01-07 09:00,email,spring,,,2025-01-03\n"  # converted before sent
    "A3,2025-01-07 09:00,sms,,2025-01-01,,\n"  # opened before sent
    "A4,,push,,,,\n"  # no send date
)


def test_touches_are_read_and_impossible_orders_are_quarantined(write_file) -> None:
    result = read_source(write_file("touches.csv", TOUCHES), table="touches")
    assert result.loaded["customer_id"].tolist() == ["A1", "A1"]
    assert result.loaded["channel"].tolist() == ["email", "kakao"]
    assert str(result.loaded["converted_at"].iloc[0]) == "2025-01-05 00:00:00"
    rejected = result.rejected.set_index("line")
    assert rejected.loc[4, "column"] == "Converted At"
    assert (
        rejected.loc[4, "reason"] == "converted 2025-01-03 before the touch was sent (2025-01-07)"
    )
    assert rejected.loc[5, "column"] == "Opened At"
    assert rejected.loc[5, "reason"].startswith("opened 2025-01-01 before")
    assert rejected.loc[6, "reason"] == "missing sent at"
    assert result.rows_read == len(result.loaded) + len(result.rejected)


def test_korean_touch_headers_are_detected(write_file) -> None:
    text = "고객번호,발송일시,채널,캠페인,열람일시,전환일시\nK1,2025-02-01,카카오,설날,2025-02-01,2025-02-03\n"
    result = read_source(write_file("touches_ko.csv", text), table="touches")
    row = result.loaded.iloc[0]
    assert (row["customer_id"], row["channel"], row["campaign"]) == ("K1", "카카오", "설날")
    assert str(row["converted_at"]) == "2025-02-03 00:00:00"


def test_a_touches_file_without_sent_at_is_a_clear_error(write_file) -> None:
    path = write_file("no_sent.csv", "customer_id,channel,campaign\nA1,email,x\n")
    with pytest.raises(MissingColumnError, match="sent_at"):
        read_source(path, table="touches")
