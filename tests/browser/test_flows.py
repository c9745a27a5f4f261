"""Finding „Krabbelgruppe in Lobeda“: keyboard only, JavaScript off, on a phone and on a desktop."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.dataset import KNOWN
from tests.browser.fixtures import DESKTOP, MOBILE, LiveServer, has_horizontal_scroll
from tests.browser.test_accessibility import PAGES


def query_of(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def focused(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                return {tag: e.tagName, id: e.id || '', name: e.getAttribute('name') || '',
                        text: (e.innerText || '').trim(), outline: s.outlineStyle}; }"""
        )
    )


def tab_until(page: Any, predicate: Any, limit: int = 120) -> dict[str, str]:
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        if predicate(info):
            return info
    pytest.fail("Element per Tabulator nicht erreichbar")


def test_search_flow_with_the_keyboard_only(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Zum Inhalt springen" and skip["outline"] != "none"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "q"  # the skip link leads straight to the search field
    page.keyboard.type("Krabbelgruppe")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "ortsteil"
    page.keyboard.type("Neulobeda")
    page.keyboard.press("Tab")
    button = focused(page)
    assert button["tag"] == "BUTTON" and button["outline"] != "none"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert query_of(page) == {"q": ["Krabbelgruppe"], "ortsteil": ["neulobeda"]}
    # A filter by keyboard: Space ticks the box, the form applies it.
    tab_until(page, lambda i: i["name"] == "zielgruppe")
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert "zielgruppe" in query_of(page)
    link = tab_until(page, lambda i: i["tag"] == "A" and i["text"] == "Krabbelgruppe Lobeda")
    assert link["outline"] != "none"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Krabbelgruppe Lobeda"


def test_javascript_disabled_can_search_filter_paginate_and_open(
    live_server: LiveServer, context_factory: Any
) -> None:
    page = context_factory(java_script_enabled=False, viewport=MOBILE).new_page()
    page.goto(live_server.url + "/")
    page.fill("#q", "Krabbelgruppe")
    page.select_option("#ortsteil", "neulobeda")
    page.click("form[role=search] button[type=submit]")
    assert query_of(page) == {"q": ["Krabbelgruppe"], "ortsteil": ["neulobeda"]}
    assert page.locator("[data-locate]").is_hidden()  # proof that no script ran
    page.check("input[name=kostenlos]")
    page.click("button.apply")
    assert query_of(page)["kostenlos"] == ["true"]
    assert "Krabbelgruppe Lobeda" in page.locator("ol.cards").inner_text()
    page.goto(live_server.url + "/angebote")
    links = "ol.cards .card-title a"
    first = page.eval_on_selector_all(links, "as => as.map(a => a.getAttribute('href'))")
    page.click("nav.pagination a[rel=next]")
    assert query_of(page)["seite"] == ["2"]
    second = page.eval_on_selector_all(links, "as => as.map(a => a.getAttribute('href'))")
    assert second and not set(first) & set(second)
    title = page.locator(links).first.inner_text()
    page.locator(links).first.click()
    assert urlsplit(page.url).path == second[0]
    assert page.locator("h1").inner_text() == title


def test_javascript_applies_filters_at_once(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url + "/angebote?q=Krabbelgruppe")
    with page.expect_navigation():
        page.locator("input[name=zielgruppe]").first.check()
    assert "zielgruppe" in query_of(page)
    with page.expect_navigation():
        page.select_option("#von", "loebstedt")
    assert query_of(page)["sort"] == ["distance"] and query_of(page)["von"] == ["loebstedt"]


@pytest.mark.parametrize("name", list(PAGES))
def test_no_horizontal_scrolling_at_375_px(live_server: LiveServer, context_factory: Any, name: str) -> None:
    page = context_factory(viewport=MOBILE).new_page()
    page.goto(live_server.url + PAGES[name])
    assert not has_horizontal_scroll(page), name


def test_results_have_two_columns_at_1280_and_one_at_375(
    live_server: LiveServer, context_factory: Any
) -> None:
    for viewport, columns in ((DESKTOP, 2), (MOBILE, 1)):
        page = context_factory(viewport=viewport).new_page()
        page.goto(live_server.url + "/angebote?thema=begegnung")
        filters = page.locator(".filters").bounding_box()
        results = page.locator(".results").bounding_box()
        beside = filters["x"] + filters["width"] <= results["x"]
        side_by_side = beside and abs(filters["y"] - results["y"]) < 5
        assert side_by_side is (columns == 2), viewport
        if columns == 1:  # on a phone the results come first, the filters below them
            assert filters["y"] >= results["y"] + results["height"]


def test_print_view_hides_navigation_and_shows_the_address(live_server: LiveServer, page: Any) -> None:
    page.goto(f"{live_server.url}/angebote/{KNOWN.krabbelgruppe}")
    page.emulate_media(media="print")
    assert page.locator("header.site-header").is_hidden()
    assert page.locator("nav").first.is_hidden()
    assert page.locator("#share-url").is_hidden()
    address = page.locator(".print-url")
    assert address.is_visible() and address.inner_text().endswith(f"/angebote/{KNOWN.krabbelgruppe}")
    page.emulate_media(media="screen")
    assert page.locator("header.site-header").is_visible() and address.is_hidden()


def test_near_me_sorts_by_the_browser_position(live_server: LiveServer, context_factory: Any) -> None:
    near_loebstedt = {"latitude": 50.9452, "longitude": 11.5941}
    page = context_factory(geolocation=near_loebstedt, permissions=["geolocation"]).new_page()
    page.goto(live_server.url + "/angebote?thema=begegnung&zielgruppe=senioren&zielgruppe=familien")
    with page.expect_navigation():
        page.click("[data-locate]")
    query = query_of(page)
    assert query["sort"] == ["distance"] and query["lat"] == ["50.9452"] and query["lon"] == ["11.5941"]
    first = page.locator("ol.cards .card-title a").first.inner_text()
    assert first == "Mittagstisch für Seniorinnen und Senioren"  # its place is a few metres away
    chip = page.locator("a.chip", has_text="Entfernung ab meinem Standort")
    assert chip.count() == 1
