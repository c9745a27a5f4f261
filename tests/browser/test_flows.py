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
    # The skip link leads straight to the search form: life situations (one radio group), district, word.
    assert focused(page)["name"] == "lebenslage"
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "ortsteil"
    page.keyboard.type("Neulobeda")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "q"
    page.keyboard.type("Krabbelgruppe")
    page.keyboard.press("Tab")
    button = focused(page)
    assert button["tag"] == "BUTTON" and button["outline"] != "none"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert query_of(page) == {"q": ["Krabbelgruppe"], "ortsteil": ["neulobeda"]}
    # A filter by keyboard: Space ticks the box, the apply button sends the form.
    tab_until(page, lambda i: i["name"] == "zielgruppe")
    page.keyboard.press("Space")
    tab_until(page, lambda i: i["tag"] == "BUTTON" and i["text"] == "Filter anwenden")
    with page.expect_navigation():
        page.keyboard.press("Enter")
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
    page.click("[data-testid=filter-toggle]")  # the phone's filter disclosure, native <details>
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
    assert urlsplit(page.url).path == urlsplit(second[0]).path
    assert page.locator("h1").inner_text() == title
    # The way back leads to the same results page, not to the start of the list.
    page.click("[data-testid=back-to-search]")
    assert query_of(page)["seite"] == ["2"]


def test_several_ticks_are_applied_with_one_submit(live_server: LiveServer, page: Any) -> None:
    """No reload per tick (the page would jump to the top and lose focus): tick, tick, then apply."""
    page.goto(live_server.url + "/angebote?q=Krabbelgruppe")
    boxes = page.locator("input[name=zielgruppe]")
    url = page.url
    boxes.nth(0).check()
    page.wait_for_timeout(300)
    assert page.url == url and boxes.nth(0).is_checked()
    with page.expect_navigation():
        page.click("button.apply")
    assert "zielgruppe" in query_of(page)
    page.select_option("#sort", "distance")
    page.select_option("#von", "loebstedt")
    with page.expect_navigation():
        page.click(".sort-row button[type=submit]")
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
        if columns == 1:  # on a phone the filter control stands above the results
            assert filters["y"] + filters["height"] <= results["y"]


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
