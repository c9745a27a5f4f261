"""axe-core on the funding overview, a provider page and the planning view (real Chromium, live server)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, select

from app.catalogue.models import Traeger
from app.db import make_engine
from tests import factories
from tests.browser.fixtures import (
    MOBILE,
    LiveServer,
    assert_no_axe_violations,
    has_horizontal_scroll,
    save_screenshot,
)

TRAEGER_ID = "AXE-T-001"


@pytest.fixture(scope="module")
def funded_server(live_server: LiveServer) -> Iterator[LiveServer]:
    """The live server plus a few grants of our own (added once; the sample workbook may have none)."""
    engine = make_engine(live_server.settings.database_url)
    with Session(engine) as session:
        if session.exec(select(Traeger).where(Traeger.external_id == TRAEGER_ID)).first() is None:
            owner = factories.traeger(session, external_id=TRAEGER_ID, name="Generationenwerk Jena-Ost e.V.")
            place = factories.einrichtung(
                session, traeger_row=owner, ortsteil_slug="wenigenjena", external_id="AXE-E-001"
            )
            factories.angebot(
                session, einrichtung_row=place, external_id="AXE-A-001", zielgruppen=("senioren",)
            )
            for number, (year, hf, cents, places, stadtweit) in enumerate(
                [
                    (2021, 6, 1_250_000, ("wenigenjena",), False),
                    (2021, 4, 480_000, ("kernberge", "ziegenhain"), False),
                    (2022, 6, 1_300_000, (), True),
                ],
                start=1,
            ):
                factories.foerderung(
                    session,
                    traeger_row=owner,
                    external_id=f"AXE-LSZ-{number:03d}",
                    jahr=year,
                    handlungsfeld_number=hf,
                    betrag_cents=cents,
                    ortsteile=places,
                    stadtweit=stadtweit,
                    projekt=f"Generationencafé {number}",
                    beschreibung="Treffpunkt für Jung und Alt mit Mittagstisch.",
                    bewilligt_am=date(year - 1, 12, 1),
                )
            session.commit()
    engine.dispose()
    yield live_server


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/foerderung?jahr=2021", "foerderung"),
        ("/foerderung?jahr=alle&sortierung=projekt&richtung=auf", "foerderung-alle"),
        (f"/foerderung/traeger/{TRAEGER_ID}", "foerderung-traeger"),
        ("/foerderung/projekte/AXE-LSZ-002", "foerderung-projekt"),
        ("/planung", "planung"),
        ("/planung?nach=handlungsfelder", "planung-hf"),
    ],
)
def test_funding_and_planning_pages_have_no_axe_violations(
    funded_server: LiveServer, page: Any, path: str, name: str
) -> None:
    response = page.goto(f"{funded_server.url}{path}")
    assert response is not None and response.status == 200
    assert_no_axe_violations(page, label=path)
    save_screenshot(page, name)


def test_charts_render_as_svg_without_javascript(funded_server: LiveServer, context_factory: Any) -> None:
    context = context_factory(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{funded_server.url}/foerderung?jahr=2021")
    chart = page.locator("figure#chart-hf svg[role=img]")
    assert chart.count() == 1
    assert chart.locator("rect").count() >= 2
    # The sort links work without JavaScript: a plain navigation re-sorts on the server.
    page.locator('#tabelle-projekte a[data-sort="projekt"]').click()
    assert "sortierung=projekt" in page.url
    assert page.locator("#tabelle-projekte th[aria-sort=ascending] a[data-sort=projekt]").count() == 1


@pytest.mark.parametrize("path", ["/foerderung?jahr=alle", f"/foerderung/traeger/{TRAEGER_ID}", "/planung"])
def test_no_horizontal_page_scroll_on_a_phone(
    funded_server: LiveServer, context_factory: Any, path: str
) -> None:
    """Wide tables scroll inside their own region; the page itself stays 375 px wide."""
    page = context_factory(viewport=MOBILE).new_page()
    page.goto(f"{funded_server.url}{path}")
    assert not has_horizontal_scroll(page)
    save_screenshot(page, "planung" if path == "/planung" else "foerderung-mobil")
