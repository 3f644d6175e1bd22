"""User-provided text (segment names, customer fields) is escaped: markup shows as text."""

from __future__ import annotations

from urllib.parse import quote

from served_workspace import EXPERIMENT, XSS_CUSTOMER, XSS_GOAL, XSS_NAME, XSS_SEGMENT, Served


def _pages(served: Served) -> dict[str, str]:
    segment = f"/segments/value/{quote(XSS_SEGMENT, safe='')}"
    with served.client() as c:
        c.post("/login", data={"token": served.read_token, "next": "/"})
        return {
            path: c.get(path).text
            for path in (
                "/",
                "/schemes/value",
                segment,
                f"/customers/{XSS_CUSTOMER}",
                "/customers?q=onerror",
                "/migration?scheme=value",
                "/validity?scheme=value",
                f"/experiments/{EXPERIMENT}",
                "/actions?status=all",
            )
        }


def test_markup_in_names_is_escaped_on_every_page(served: Served) -> None:
    pages = _pages(served)
    for path, html in pages.items():
        assert "<script>window.__xss" not in html, path
        assert "<b>goal</b>" not in html, path
        assert "<img src=x" not in html, path
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in pages["/schemes/value"]
    assert "&lt;img src=x onerror=" in pages[f"/customers/{XSS_CUSTOMER}"]
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in pages["/migration?scheme=value"]
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in pages[f"/experiments/{EXPERIMENT}"]
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in pages["/validity?scheme=value"]
    assert XSS_GOAL not in pages["/"]
    assert "&lt;b&gt;goal&lt;/b&gt;&lt;script&gt;window.__xss=4" in pages["/"]


def test_chart_data_cannot_close_its_script_element(served: Served) -> None:
    html = _pages(served)["/"]
    # Segment names go into the chart JSON too; "</script>" there would end the element.
    assert XSS_SEGMENT not in html
    assert "\\u003cscript\\u003ewindow.__xss=1" in html


def test_pages_forbid_inline_scripts(served: Served) -> None:
    with served.client() as c:
        csp = c.get("/login").headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert XSS_NAME  # the customer name carries both an inline handler and a script element
