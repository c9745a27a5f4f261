"""Qualitätsdialog in a real browser: the evaluation form by keyboard only and without JavaScript; axe-core on
the project page, the report form and the dossier."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from app.auth.models import Role
from app.auth.service import create_user
from app.catalogue.models import Traeger
from app.db import make_engine
from app.quality.models import Indikator, Nutzerbewertung, Qualitaetsbericht
from tests import factories
from tests.browser.fixtures import LiveServer, assert_no_axe_violations, save_screenshot
from tests.browser.test_flows import focused, tab_until

TRAEGER_ID = "QD-T-001"
OFFER = "QD-A-001"
GRANT = "QD-LSZ-001"
DRAFT_GRANT = "QD-LSZ-002"
ADMIN = ("qd-admin@example.org", "ein langer Satz für die Verwaltung")
PROVIDER = ("qd-traeger@example.org", "ein langer Satz für den Träger")


@pytest.fixture(scope="module")
def quality_server(live_server: LiveServer) -> Iterator[LiveServer]:
    """A funded project with a linked offer, five evaluations, a submitted report; accounts for both areas."""
    settings = live_server.settings.model_copy(
        update={"argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1}
    )
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        if session.exec(select(Traeger).where(Traeger.external_id == TRAEGER_ID)).first() is None:
            owner = factories.traeger(session, external_id=TRAEGER_ID, name="Familiennetz Winzerla e.V.")
            place = factories.einrichtung(
                session, traeger_row=owner, ortsteil_slug="winzerla", external_id="QD-E-001"
            )
            offer = factories.angebot(
                session,
                einrichtung_row=place,
                external_id=OFFER,
                titel="Elterncafé Winzerla",
                zielgruppen=("familien",),
            )
            grant = factories.foerderung(
                session, traeger_row=owner, external_id=GRANT, jahr=2025, handlungsfeld_number=4,
                betrag_cents=980_000, projekt="Elterncafé mit Beratung",
                beschreibung="Offener Treff mit Beratung.",
            )  # fmt: skip
            grant.angebote = [offer]
            second = factories.foerderung(
                session, traeger_row=owner, external_id=DRAFT_GRANT, jahr=2025, handlungsfeld_number=4,
                betrag_cents=300_000, projekt="Familienlotsen Winzerla",
                beschreibung="Lotsinnen begleiten Familien.",
            )  # fmt: skip
            second.angebote = [offer]
            session.flush()
            session.add(
                Indikator(
                    handlungsfeld_number=4,
                    jahr=2025,
                    label="Beratungen durchgeführt",
                    art="zahl",
                    zielwert="50",
                )
            )
            session.add(
                Indikator(
                    handlungsfeld_number=4,
                    jahr=2025,
                    label="Sprechstunde im Stadtteil",
                    art="ja-nein",
                    zielwert="ja",
                )
            )
            assert offer.id is not None
            for score, rec in [(5, True), (4, True), (4, False), (3, False), (5, True)]:
                session.add(
                    Nutzerbewertung(
                        angebot_id=offer.id,
                        zufriedenheit=score,
                        weiterempfehlen=rec,
                        kommentar="Gute Beratung",
                    )
                )
            session.add(
                Qualitaetsbericht(
                    foerderung_id=grant.id,  # type: ignore[arg-type]
                    jahr=2025,
                    status="eingereicht",
                    projekt_konzept="Offener Treff zweimal pro Woche.",
                    teilnehmende_anzahl=64,
                    ergebnisse="Mehr Familien finden in die Beratung.",
                )
            )
            create_user(session, settings, email=ADMIN[0], role=Role.admin, password=ADMIN[1])
            create_user(
                session,
                settings,
                email=PROVIDER[0],
                role=Role.provider,
                traeger_external_id=TRAEGER_ID,
                password=PROVIDER[1],
            )
            session.commit()
    engine.dispose()
    yield live_server


def _login(page: Any, server: LiveServer, email: str, password: str) -> None:
    page.goto(f"{server.url}/anmelden")
    page.fill("#feld-email", email)
    page.fill("#feld-passwort", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_evaluation_form_by_keyboard_only(quality_server: LiveServer, page: Any) -> None:
    page.goto(f"{quality_server.url}/angebote/{OFFER}")
    first = tab_until(page, lambda f: f["name"] == "zufriedenheit")
    assert first["outline"] != "none"
    # Arrow keys move within a radio group (1 → 4), Tab to the next group, Space selects.
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "weiterempfehlen"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "kommentar"
    page.keyboard.type("Per Tastatur bewertet.")
    tab_until(page, lambda f: f["tag"] == "BUTTON" and "Bewertung senden" in f["text"])
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Danke" in page.locator("h1").inner_text()
    assert page.locator("[data-testid=bewertung-danke]").count() == 1


def test_evaluation_form_without_javascript(quality_server: LiveServer, context_factory: Any) -> None:
    page = context_factory(java_script_enabled=False).new_page()
    page.goto(f"{quality_server.url}/angebote/{OFFER}")
    page.locator("input[name=zufriedenheit][value='2']").check()
    # Missing answer: the server says so next to the group (400), the chosen value is kept.
    page.locator("form.evaluation-form button[type=submit]").click()
    assert page.locator("#bew-fehler-weiterempfehlen").is_visible()
    assert page.locator("input[name=zufriedenheit][value='2']").is_checked()
    page.locator("input[name=weiterempfehlen][value=nein]").check()
    page.locator("form.evaluation-form button[type=submit]").click()
    assert "Danke" in page.locator("h1").inner_text()


def test_project_page_has_no_axe_violations(quality_server: LiveServer, page: Any) -> None:
    response = page.goto(f"{quality_server.url}/foerderung/projekte/{GRANT}")
    assert response is not None and response.status == 200
    assert "von 5 aus" in page.locator("[data-testid=bewertung-aggregat]").inner_text()
    assert_no_axe_violations(page, label="Projektseite")
    page.goto(f"{quality_server.url}/angebote/{OFFER}")
    assert_no_axe_violations(page, label="Angebot mit Bewertungsformular")
    save_screenshot(page, "bewertung-formular")


def test_report_form_has_no_axe_violations(quality_server: LiveServer, context_factory: Any) -> None:
    page = context_factory().new_page()
    _login(page, quality_server, *PROVIDER)
    response = page.goto(f"{quality_server.url}/anbieter/qualitaet/{DRAFT_GRANT}")
    assert response is not None and response.status == 200
    assert page.locator("form.report-form").count() == 1
    assert_no_axe_violations(page, label="Qualitätsbericht")
    page.goto(f"{quality_server.url}/anbieter/qualitaet")
    assert_no_axe_violations(page, label="Träger-Qualitätsseite")
    save_screenshot(page, "bericht-formular")


def test_dossier_has_no_axe_violations_and_prints_without_forms(
    quality_server: LiveServer, context_factory: Any
) -> None:
    page = context_factory().new_page()
    _login(page, quality_server, *ADMIN)
    response = page.goto(f"{quality_server.url}/verwaltung/qualitaetsdialog/{GRANT}")
    assert response is not None and response.status == 200
    assert (
        "Mehr Familien finden in die Beratung." in page.locator("[data-testid=dossier-bericht]").inner_text()
    )
    assert_no_axe_violations(page, label="Dossier")
    save_screenshot(page, "dossier")
    page.emulate_media(media="print")
    assert page.locator("form").first.is_hidden()
    assert page.locator("[data-testid=dossier-aggregat]").is_visible()
    page.goto(f"{quality_server.url}/verwaltung/qualitaetsdialog?jahr=2025")
    assert_no_axe_violations(page, label="Qualitätsdialog-Übersicht")
