"""/daten and /api/docs in headless Chromium: axe-core clean, no request leaves 127.0.0.1, no horizontal
scroll on a phone, CSP respected (the browser fixtures of tests/browser, see conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.fixtures import MOBILE, assert_no_axe_violations, has_horizontal_scroll

PAGES = ("/daten", "/api/docs")
pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", PAGES)
def test_page_is_accessible(page: Any, live_server: Any, path: str) -> None:
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None and response.status == 200
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page, label=path)


@pytest.mark.parametrize("path", PAGES)
def test_page_fits_a_phone(context_factory: Any, live_server: Any, path: str) -> None:
    phone = context_factory(viewport=MOBILE, java_script_enabled=False).new_page()
    phone.goto(f"{live_server.url}{path}")
    assert not has_horizontal_scroll(phone), f"{path} scrollt auf 375 px waagerecht"


def test_docs_example_links_answer(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/api/docs")
    examples = [str(a.get_attribute("href")) for a in page.locator("article p a[href^='/api/']").all()]
    assert any(href.startswith("/api/v1/offers") for href in examples)
    for href in examples:
        response = page.request.get(f"{live_server.url}{href}")
        assert response.status == 200, href
