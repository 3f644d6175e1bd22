"""The dashboard in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from served_workspace import EXPERIMENT, XSS_CUSTOMER, XSS_NAME, XSS_SEGMENT, Served

CHROMIUM = Path("/usr/bin/chromium")
PAGES = {
    "overview": "/",
    "scheme": "/schemes/lifecycle",
    "segment": "/segments/lifecycle/established",
    "customer": "/customers/ACC-00002",
    "cohorts": "/cohorts",
    "health": "/health",
    "migration": "/migration",
    "discovery": "/discovery",
    "validity": "/validity",
    "experiments": "/experiments",
    "experiment": f"/experiments/{EXPERIMENT}",
    "actions": "/actions",
}
# Pages whose content is tables only.
NO_CHARTS = {"segment", "experiments", "actions"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium fonts-nanum)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


class Watched:
    """A browser page with every console error, failed request and HTTP error recorded."""

    def __init__(self, browser: Any, served: Served) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console", lambda m: self.problems.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on(
            "response",
            lambda r: self.problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
        )
        self.served = served

    def login(self, token: str | None = None) -> None:
        self.page.goto(self.served.url + "/")
        self.page.fill("#token", token or self.served.read_token)
        self.page.click("form[action='/login'] button")
        self.page.wait_for_url(self.served.url + "/")

    def open(self, path: str) -> None:
        self.page.goto(self.served.url + path)
        self.page.wait_for_load_state("networkidle")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any, served: Served) -> Iterator[Watched]:
    page = Watched(browser, served)
    yield page
    page.close()


def _rendered_charts(page: Any) -> list[int]:
    """Return, for every chart of the page, the number of drawn data elements in its SVG."""
    return page.eval_on_selector_all(
        "[data-chart]",
        "els => els.map(el => el.getAttribute('data-rendered') === 'true' && el.querySelector('svg.main-svg')"
        " ? el.querySelectorAll('.point, .bars path, .heatmaplayer image, .scatterlayer .trace path,"
        " .sankey-link').length : 0)",
    )


def test_without_a_token_every_page_shows_the_login(watched: Watched) -> None:
    for path in PAGES.values():
        watched.open(path)
        assert watched.page.locator("#token").is_visible(), path
        assert watched.page.locator("#customer-name, [data-chart], table").count() == 0, path


def test_every_page_loads_cleanly_with_charts(watched: Watched, tmp_path: Path) -> None:
    watched.login()
    for name, path in PAGES.items():
        watched.open(path)
        charts = _rendered_charts(watched.page)
        assert all(n > 0 for n in charts), (name, charts)
        assert charts or name in NO_CHARTS, name
        watched.page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    assert watched.problems == []
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(f"{n}.png" for n in PAGES)


def test_customer_search_finds_a_customer(watched: Watched) -> None:
    watched.login()
    watched.page.fill("header input[name=q]", "acc-00002")
    watched.page.press("header input[name=q]", "Enter")
    watched.page.wait_for_url("**/customers/ACC-00002")
    assert watched.page.locator("h1").inner_text().strip()
    watched.page.fill("header input[name=q]", "ACC-0001")
    watched.page.press("header input[name=q]", "Enter")
    watched.page.wait_for_load_state("networkidle")
    assert watched.page.locator("#search-results tr").count() >= 2
    assert watched.problems == []


def test_language_switch_translates_the_labels(watched: Watched, tmp_path: Path) -> None:
    watched.login()
    watched.open("/schemes/lifecycle")
    assert watched.page.locator("html").get_attribute("lang") == "en"
    watched.page.click("#lang-switch")
    watched.page.wait_for_load_state("networkidle")
    assert watched.page.url.endswith("/schemes/lifecycle")
    assert watched.page.locator("html").get_attribute("lang") == "ko"
    text = watched.page.locator("body").inner_text()
    assert "세분화 체계" in text and "개요" in text and "기준일" in text
    assert "Overview" not in text
    watched.page.screenshot(path=str(tmp_path / "scheme-ko.png"), full_page=True)
    watched.page.click("#lang-switch")
    watched.page.wait_for_load_state("networkidle")
    assert "Overview" in watched.page.locator("body").inner_text()
    assert watched.problems == []


def test_markup_in_names_does_not_run(watched: Watched) -> None:
    watched.login()
    for path in (
        f"/customers/{XSS_CUSTOMER}",
        "/schemes/value",
        f"/segments/value/{quote(XSS_SEGMENT, safe='')}",
        "/",
        "/migration?scheme=value",
        "/validity?scheme=value",
        f"/experiments/{EXPERIMENT}",
    ):
        watched.open(path)
        assert watched.page.evaluate("typeof window.__xss") == "undefined", path
    watched.open(f"/customers/{XSS_CUSTOMER}")
    assert watched.page.locator("#customer-name").inner_text() == XSS_NAME


def test_new_pages_in_korean_with_charts(watched: Watched, tmp_path: Path) -> None:
    watched.login()
    watched.open("/lang/ko?next=/migration")
    for name, path, words in (
        ("migration", "/migration", ("이동", "세그먼트 간 흐름", "행렬")),
        ("experiment", f"/experiments/{EXPERIMENT}", ("세그먼트별 결과", "전체 고객", "95% 구간")),
        ("actions", "/actions", ("액션 대기열", "담당자", "예정")),
        ("validity", "/validity", ("이탈률", "카이제곱", "이탈 가능 고객")),
        ("overview", "/", ("목표", "예정된 액션")),
        ("discovery", "/discovery", ("발견된 군집", "군집 크기", "각 군집을 구별하는 특징")),
    ):
        watched.open(path)
        assert watched.page.locator("html").get_attribute("lang") == "ko", name
        text = watched.page.locator("body").inner_text()
        assert all(w in text for w in words), (name, [w for w in words if w not in text])
        assert all(n > 0 for n in _rendered_charts(watched.page)), name
        watched.page.screenshot(path=str(tmp_path / f"{name}-ko.png"), full_page=True)
    assert watched.problems == []


def test_admin_marks_an_action_done_from_the_queue(watched: Watched) -> None:
    watched.login()
    watched.open("/actions?status=due")
    assert watched.page.locator("button[data-action-id]").count() == 0  # read token: no buttons
    watched.page.context.clear_cookies()
    watched.login(watched.served.admin_token)
    watched.open("/actions?status=due")
    button = watched.page.locator("button[data-status=done]").first
    action_id = button.get_attribute("data-action-id")
    with watched.page.expect_navigation():
        button.click()
    watched.page.wait_for_load_state("networkidle")
    with watched.served.client(watched.served.read_token) as c:
        mine = c.get("/api/v1/actions", params={"status": "done"}).json()["data"]
    assert action_id in {a["action_id"] for a in mine}
    assert watched.page.locator(f"tr[data-action-row='{action_id}']").count() == 0
    assert watched.problems == []


def test_api_docs_render_offline_from_this_server(watched: Watched, tmp_path: Path) -> None:
    requested: list[str] = []
    watched.page.on("request", lambda r: requested.append(r.url))
    watched.open("/docs")
    watched.page.wait_for_selector(".opblock", timeout=30_000)
    assert watched.page.locator(".opblock").count() > 20
    assert watched.page.locator(".opblock-summary-path", has_text="/api/v1/customers").count() >= 1
    watched.page.screenshot(path=str(tmp_path / "docs.png"))
    assert watched.problems == []
    assert requested and all(u.startswith((watched.served.url, "data:")) for u in requested)
