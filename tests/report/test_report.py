"""The HTML report: sections, numbers, escaping, Korean labels, and no external resources."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from markupsafe import Markup

from segmint.report import (
    ReportContext,
    ReportSection,
    analysis_report,
    bar_chart,
    heatmap,
    histogram,
    render_report,
    rfm_grid_from_customers,
    table_html,
)
from segmint.report.formatting import format_number, format_percent

EVIL = '<script>alert("x")</script>'


class Page(HTMLParser):
    """Collects what the tests look at: headings, cell texts, attributes, tag counts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, list[str]] = {}
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br", "rect", "line"):
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._open and data.strip():
            self.text.setdefault(self._open[-1], []).append(data.strip())

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.tags if name == tag)


def _customers(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    r, f = rng.integers(1, 6, n), rng.integers(1, 6, n)
    names = np.where(r >= 4, "Champions", np.where(f >= 4, "At Risk", EVIL))
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "recency_days": rng.integers(1, 300, n),
            "frequency": f,
            "monetary": rng.gamma(2, 40, n).round(2),
            "total_amount": rng.gamma(2, 400, n).round(2),
            "r_score": r,
            "f_score": f,
            "m_score": rng.integers(1, 6, n),
            "rfm_segment": names,
            "p_alive": rng.beta(3, 1, n),
            "clv_365d": rng.gamma(2, 100, n),
        }
    )


def _segments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment": ["Champions", EVIL, "Lost"],
            "customers": [12345, 2000, 655],
            "share": [0.82, 0.1333, 0.0437],
            "revenue": [1234567.891, 20000.0, 1500.5],
            "revenue_share": [0.97, 0.02, 0.01],
            "avg_recency": [10.04, 120.0, 300.0],
            "avg_frequency": [7.5, 2.0, 1.0],
            "avg_monetary": [99.99, 10.0, 1.5],
        }
    )


def _context(**changes) -> ReportContext:
    context = ReportContext(
        title=f"Report for {EVIL}",
        subtitle="Source: orders&more.csv",
        summary={
            "rows_read": 15003,
            "rows_loaded": 15000,
            "rows_rejected": 3,
            "customers": 15000,
            "amount_total": 1256068.39,
            "first_date": "2023-01-01",
            "last_date": "2024-12-31",
            "as_of": "2025-01-01",
        },
        segments=_segments(),
        rfm_grid=rfm_grid_from_customers(_customers()),
        quality={
            "null_shares": {"amount": 0.012, EVIL: 0.5},
            "rejects_by_reason": {"unparseable date": 2, "missing customer_id": 1},
        },
        rejected_sample=pd.DataFrame(
            {
                "line": [7, 9],
                "column": ["amount", "occurred_at"],
                "reason": ["bad", "bad"],
                "raw": [EVIL, "x"],
            }
        ),
    )
    for key, value in changes.items():
        setattr(context, key, value)
    return context


def test_report_is_self_contained_and_escaped() -> None:
    html = render_report(_context())
    page = Page(html)
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert any(tag == "meta" and attrs.get("charset") == "utf-8" for tag, attrs in page.tags)
    assert page.count("script") == 0  # the evil names never become tags
    assert EVIL not in html
    assert "&lt;script&gt;" in html
    for tag, attrs in page.tags:
        for attr in ("src", "href", "xlink:href", "action"):
            value = attrs.get(attr) or ""
            assert not value.startswith(("http:", "https:", "//")), (tag, attr, value)
        assert tag not in ("link", "img", "iframe", "object", "embed")
    assert "http://" not in html and "https://" not in html
    assert "@import" not in html and "url(" not in html
    assert page.text["title"][0] == f"Report for {EVIL}"  # <title>; the rest are SVG tooltips


def test_report_has_sections_numbers_and_charts() -> None:
    page = Page(render_report(_context()))
    assert page.text["h2"] == ["RFM segments", "RFM grid", "Data quality"]
    cards = page.text["div"]
    for number in ("15,003", "15,000", "3", "1,256,068.39"):
        assert number in cards
    cells = page.text["td"]
    assert "12,345" in cells and "82.0%" in cells and "1,234,567.89" in cells and "10.0" in cells
    assert EVIL in cells  # the segment name shown, as text
    assert "Segment" in page.text["th"] and "Revenue share" in page.text["th"]
    assert page.count("svg") >= 5  # sizes, revenue, shares, heatmap, null shares
    assert "Champions" in page.text["text"]  # the grid overlays segment names
    assert "unparseable date" in cells
    anchors = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
    ids = {attrs.get("id") for _, attrs in page.tags}
    assert anchors and all(a.lstrip("#") in ids for a in anchors)


def test_heatmap_has_one_cell_per_score_pair() -> None:
    grid = pd.DataFrame(
        [[5, 0, 1], [2, 3, 4]], index=pd.Index([1, 2], name="r"), columns=pd.Index([1, 2, 3])
    )  # a pivot: rows R, columns F
    page = Page(render_report(ReportContext(title="t", rfm_grid=grid)))
    assert page.count("rect") == 6
    texts = page.text["text"]
    assert texts.count("0") >= 1 and "5" in texts and "Recency score (R)" in texts
    assert page.text["h2"] == ["RFM grid"]
    # ties can leave a score unused: the grid still shows every score between min and max
    tied = pd.DataFrame({"r_score": [1, 2, 2], "f_score": [1, 3, 3], "customers": [4, 5, 6]})
    page = Page(render_report(ReportContext(title="t", rfm_grid=tied)))
    assert page.count("rect") == 6
    assert "11" in page.text["text"]  # two rows of one cell are summed


def test_extra_sections_render_tables_charts_and_text() -> None:
    sections = [
        ReportSection(
            "CLV", [Markup("<p class='mine'>ok</p>"), pd.DataFrame({"tier": ["A"], "n": [1234]})]
        ),
        ReportSection(f"Clusters {EVIL}", "plain <b>text</b>", intro="why"),
    ]
    html = render_report(_context(sections=sections, segments=None, rfm_grid=None, quality=None))
    page = Page(html)
    assert page.text["h2"][:2] == ["CLV", f"Clusters {EVIL}"]
    assert "<p class='mine'>ok</p>" in html  # trusted markup kept
    assert "plain &lt;b&gt;text&lt;/b&gt;" in html  # plain text escaped
    assert "1,234" in page.text["td"]


def test_korean_report() -> None:
    html = render_report(_context(), lang="ko")
    page = Page(html)
    assert any(tag == "html" and attrs.get("lang") == "ko" for tag, attrs in page.tags)
    assert page.text["h2"] == ["RFM 세그먼트", "RFM 격자", "데이터 품질"]
    assert "챔피언" in page.text["td"] and "이탈 고객" in page.text["td"]
    assert "고객 수" in page.text["th"]
    assert (
        '"Malgun Gothic"' in html and '"Apple SD Gothic Neo"' in html and '"Noto Sans KR"' in html
    )
    with pytest.raises(ValueError, match="allowed"):
        render_report(_context(), lang="de")


def test_empty_context_still_renders() -> None:
    page = Page(render_report(ReportContext(title="Nothing yet")))
    assert page.text["h1"] == ["Nothing yet"]
    assert "h2" not in page.text


def test_quality_report_output_is_accepted() -> None:
    quality = {"null_share": {"amount": 0.25}, "rejected_reasons": {"unparseable date": 4}}
    page = Page(render_report(ReportContext(title="t", quality=quality)))
    assert page.text["h2"] == ["Data quality"]
    assert "25.0%" in page.text["text"] and "unparseable date" in page.text["td"]


def test_analysis_report_from_analyze_outputs() -> None:
    from segmint.analyze import segment_summary

    customers = _customers()
    summary = {
        "source": "/data/<b>orders</b>.csv", "rows_read": 401, "rows_loaded": 400, "rows_rejected": 1,
        "customers": 400, "amount_total": 10.5, "first_date": "2024-01-01", "last_date": "2024-06-30",
        "as_of": "2024-07-01", "encoding": "cp949", "columns": {"customer_id": "고객번호"},
        "notes": ["CLV not computed: too few repeat buyers"],
    }  # fmt: skip
    rejected = pd.DataFrame(
        {
            "file": "f",
            "line": [3, 4, 5],
            "column": "amount",
            "reason": ["not a number", "bad date '2020-13-45'", "bad date '2021-02-30'"],
            "raw": "x",
        }
    )
    html = analysis_report(summary, customers, segment_summary(customers), rejected, lang="ko")
    page = Page(html)
    assert page.text["h2"] == ["RFM 세그먼트", "RFM 격자", "고객 가치", "데이터 품질", "참고"]
    assert "<b>orders</b>" not in html
    assert "고객번호" in page.text["td"] and "not a number" in page.text["td"]
    cells = page.text["td"]
    assert cells[cells.index("bad date") + 1] == "2"  # one reason, whatever the value
    assert "CLV를 계산하지 않았습니다 (상세 내용 참고)." in page.text["li"]
    assert "too few repeat buyers" in page.text["span"]  # the engine's detail, marked lang="en"
    assert str(len(customers)) in page.text["div"]


def test_chart_helpers() -> None:
    assert format_number(1234567.891, 2) == "1,234,567.89"
    assert format_number(float("nan")) == "–"
    assert format_number(Decimal("1234567.895"), 2) == "1,234,567.90"
    assert format_number(np.int64(12345)) == "12,345"
    assert format_percent(0.1234) == "12.3%"
    bars = bar_chart([EVIL, "b"], [3, 1500])
    assert EVIL not in bars and "1,500" in bars and bars.count("<rect") == 2
    assert "–" in histogram([float("nan")])
    hist = histogram(np.arange(100), bins=10, clip_quantile=None)
    assert hist.count("<rect") == 10
    cells = heatmap(["1", "2"], ["a"], [[1], [np.nan]])
    assert cells.count("<rect") == 2
    table = table_html(pd.DataFrame({"a": [1000, 2], "b": ["<i>", "x"]}), max_rows=1)
    assert "1,000" in table and "&lt;i&gt;" in table and ">2<" not in table


def test_histogram_colours_bars_by_band_and_marks_thresholds() -> None:
    bands = [("red", 0.0, "#dc2626"), ("yellow", 50.0, "#eab308"), ("green", 75.0, "#16a34a")]
    values = np.r_[np.full(30, 20.0), np.full(20, 60.0), np.full(10, 90.0)]
    svg = str(histogram(values, bins=20, value_range=(0.0, 100.0), bands=bands, x_label="score"))
    page = Page(svg)
    fills = [a.get("fill") for tag, a in page.tags if tag == "rect"]
    assert {"#dc2626", "#eab308", "#16a34a"} <= set(fills)
    assert sum(1 for tag, a in page.tags if tag == "line" and a.get("class") == "threshold") == 2
    assert "#6366f1" not in fills  # no single-colour bars
    assert {"red", "yellow", "green", "score"} <= set(page.text.get("text", []))


def test_bar_chart_axis_title_and_colours() -> None:
    svg = str(bar_chart(["a", "b"], [3, 1], axis_title="customers", colors=["#111111", "#222222"]))
    page = Page(svg)
    assert "customers" in page.text["text"]
    assert [a.get("fill") for tag, a in page.tags if tag == "rect"] == ["#111111", "#222222"]


def test_headers_in_words_and_numbers_for_people() -> None:
    from segmint.report.labels import column_format, headers_for, value_columns_text

    assert headers_for(["revenue_share", "success_rate_matched", "tier_value"], "en") == {
        "revenue_share": "Revenue share",
        "success_rate_matched": "Successful if matching",
        "tier_value": "tier value",
    }
    assert column_format("rows")(1634.0) == "1,634"
    assert column_format("positive_rate")(0.0551) == "5.5%"
    assert column_format("lift")(2.1) == "2.10×"
    assert column_format("health_change")(-3.25) == "−3.2"
    text = value_columns_text({"mrr": {"sum": 573343.0, "share": 0.2306}})
    assert text == "mrr 573,343 (23.1%)" and "{" not in text


def test_long_words_are_not_broken_mid_word() -> None:
    html = render_report(_context())
    assert "overflow-wrap: anywhere" not in html


def test_analysis_report_says_what_to_do_with_each_rfm_segment() -> None:
    from segmint.analyze import segment_summary

    customers = _customers()
    html = analysis_report({}, customers, segment_summary(customers), pd.DataFrame())
    page = Page(html)
    assert "What to do" in page.text["th"]
    assert "Reward them: early access, referral asks, no discounts needed" in page.text["td"]
    assert "no playbook mapped" in page.text["td"]  # the made-up segment has no default
    custom = analysis_report(
        {}, customers, segment_summary(customers), pd.DataFrame(), playbooks={"Champions": "VIP"}
    )
    assert "VIP" in Page(custom).text["td"]


def test_rejected_reasons_in_korean() -> None:
    from segmint.report.notes import translate_note, translate_reason

    assert translate_reason("missing customer id", "ko") == "고객 ID 없음"
    assert translate_reason("expected 5 fields, found 3", "ko") == "필드 5개가 필요하지만 3개 있음"
    assert translate_reason("missing customer id", "en") == "missing customer id"
    note = translate_note("churn model not trained: too few churners", "ko")
    assert note.text == "이탈 예측 모델을 학습하지 않았습니다 (상세 내용 참고)."
    assert note.detail == "too few churners"
