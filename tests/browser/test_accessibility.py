"""axe-core reports no violations on every page type, in German and in English; screenshots at 375/1280 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.dataset import KNOWN
from tests.browser.fixtures import DESKTOP, MOBILE, LiveServer, assert_no_axe_violations, save_screenshot

PAGES = {
    "start": "/",
    "results": "/angebote",
    "results-filtered": "/angebote?thema=begegnung&ortsteil=neulobeda&sort=name",
    "results-empty": "/angebote?q=Krabelgrupe&ortsteil=maua",
    "results-district-hint": "/angebote?q=Krabbelgruppe+in+Lobeda",
    "offer": f"/angebote/{KNOWN.krabbelgruppe}",
    "offer-temporarily-closed": f"/angebote/{KNOWN.temporarily_closed}",
    "offer-moved": f"/angebote/{KNOWN.moved}",
    "offer-gone": f"/angebote/{KNOWN.expired}",
    "institution": f"/einrichtungen/{KNOWN.institution}",
    "districts": "/stadtteile",
    "district": "/stadtteile/neulobeda",
    "topic": "/themen/begegnung",
    "audiences": "/zielgruppen",
    "impressum": "/impressum",
    "datenschutz": "/datenschutz",
    "barrierefreiheit": "/barrierefreiheit",
    "leichte-sprache": "/leichte-sprache",
}


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_axe_violations(live_server: LiveServer, page: Any, name: str, lang: str) -> None:
    path = PAGES[name]
    separator = "&" if "?" in path else "?"
    page.goto(f"{live_server.url}{path}{separator}lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page, label=f"{name} ({lang})")


SCREENSHOT_PAGES = (
    "start",
    "results-filtered",
    "results-empty",
    "offer",
    "institution",
    "district",
    "impressum",
)


@pytest.mark.parametrize("name", SCREENSHOT_PAGES)
def test_screenshots_and_mobile_axe(live_server: LiveServer, context_factory: Any, name: str) -> None:
    """Each page type at phone and desktop width, kept in test-artifacts/; axe also at 375 px."""
    for viewport in (MOBILE, DESKTOP):
        page = context_factory(viewport=viewport).new_page()
        page.goto(live_server.url + PAGES[name])
        path = save_screenshot(page, name)
        assert path.stat().st_size > 1000
        if viewport is MOBILE:
            assert_no_axe_violations(page, label=f"{name} (375 px)")
