"""The browser fixtures themselves: the live server answers and the guard catches external requests."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.fixtures import LiveServer, assert_no_axe_violations, new_guarded_context


def test_live_server_serves_the_start_page_with_sample_data(live_server: LiveServer, page: Any) -> None:
    response = page.goto(live_server.url + "/")
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == "de"
    assert int(page.get_by_test_id("offer-count").inner_text()) > 20
    assert_no_axe_violations(page)


def test_request_guard_blocks_requests_leaving_127_0_0_1(live_server: LiveServer, browser: Any) -> None:
    context, guard = new_guarded_context(browser)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        # The CSP already stops fetch()/img from other origins; a navigation is what the guard must catch.
        with pytest.raises(PlaywrightError):
            page.goto("http://example.org/tracker.gif")
    finally:
        context.close()
    assert guard.external == ["http://example.org/tracker.gif"]


def test_axe_check_fails_on_a_real_violation(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url + "/impressum")
    page.evaluate("() => document.querySelector('main').append(document.createElement('input'))")
    with pytest.raises(pytest.fail.Exception, match="label"):
        assert_no_axe_violations(page)
