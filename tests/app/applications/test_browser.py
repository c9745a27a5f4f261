"""In real Chromium: a Prüfer scores an application with the keyboard only; the funding-cycle pages (review,
list, ranking, Förderempfehlung, Träger intake, planning cube) have no axe-core violations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from app.applications.models import Antrag, Bewertung, Foerderjahr, Kriterium
from app.auth.models import Role
from app.auth.service import create_user
from app.db import make_engine
from tests import factories
from tests.app.applications.conftest import YEAR
from tests.app.auth.fixtures import PASSWORD
from tests.browser.fixtures import assert_no_axe_violations, private_server_settings, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def cycle_server(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    settings = private_server_settings(sqlite_template, tmp_path, "applications")
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        traeger = factories.traeger(session, name="Familienwerk Saaletal e.V.")
        place = factories.einrichtung(session, traeger_row=traeger, ortsteil_slug="neulobeda")
        factories.angebot(session, einrichtung_row=place, zielgruppen=("familien",), handlungsfeld_number=3)
        factories.foerderung(
            session, traeger_row=traeger, jahr=YEAR - 1, handlungsfeld_number=3, ortsteile=("neulobeda",)
        )
        session.add(Foerderjahr(jahr=YEAR, budget_cents=100_000_00))
        k1 = Kriterium(
            external_id="K1", name="Bezug zur Fachplanung", gewicht=60, beschreibung="0 = kein Bezug"
        )
        k2 = Kriterium(external_id="K2", name="Ungedeckter Bedarf", gewicht=40)
        session.add_all([k1, k2])
        antrag = Antrag(
            external_id=f"AN-{YEAR}-001", jahr=YEAR, traeger_id=traeger.id, projekt="Elterncafé Neulobeda",  # type: ignore[arg-type]
            handlungsfeld_number=3, ortsteile=["neulobeda"], zielgruppen=["familien", "alleinerziehende"],
            summe_cents=12_000_00, status="in-pruefung", beschreibung="Ein offenes Café für Eltern.",
        )  # fmt: skip
        session.add(antrag)
        session.flush()
        for k in (k1, k2):
            session.add(Bewertung(antrag_id=antrag.id, kriterium_id=k.id, pruefer="FD Soziales", punkte=3))  # type: ignore[arg-type]
        create_user(session, settings, email="pruefer@example.org", role=Role.pruefer, password=PASSWORD)
        create_user(session, settings, email="verwaltung@example.org", role=Role.admin, password=PASSWORD)
        create_user(session, settings, email="traeger@example.org", role=Role.provider,
                    traeger_external_id=traeger.external_id, password=PASSWORD)  # fmt: skip
        session.commit()
    engine.dispose()
    with serving(settings):
        yield settings.base_url


def _login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()


def _tab_to(page: Any, selector: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches ``selector`` (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} ist mit der Tabulatortaste nicht erreichbar")


def test_reviewer_scores_by_keyboard_only_and_pages_pass_axe(page: Any, cycle_server: str) -> None:
    base = cycle_server
    _login(page, base, "pruefer@example.org")
    assert page.url.endswith("/verwaltung/antraege")
    assert_no_axe_violations(page, label="Anträge bewerten")
    page.goto(f"{base}/verwaltung/antraege/AN-{YEAR}-001")
    assert_no_axe_violations(page, label="Antrag bewerten")
    assert page.locator("td.gap").count() >= 1  # Alleinerziehende: no offer in Neulobeda → a gap
    # Keyboard only from here: Tab into the first criterion's points, Space picks 0, arrows move to 4.
    _tab_to(page, "input[type=radio][name^=punkte-]")
    page.keyboard.press("Space")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")  # → Begründung
    page.keyboard.type("Passt zum Fachplan, HF 3.")
    page.keyboard.press("Tab")  # → the second criterion's points
    page.keyboard.press("Space")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.type("Keine vergleichbaren Angebote für Alleinerziehende.")
    _tab_to(page, "#bewertung-speichern")
    page.keyboard.press("Enter")
    page.wait_for_url("**gespeichert=bewertung")
    assert "Ihre Bewertung ist gespeichert" in page.content()
    checked = page.eval_on_selector_all("input[type=radio]:checked", "els => els.map(e => e.value)")
    assert checked == ["4", "5"]
    assert "FD Soziales" in page.content()  # others' points become visible after submitting
    assert_no_axe_violations(page, label="Antrag nach der Bewertung")
    page.goto(f"{base}/verwaltung/antraege/rangliste?jahr={YEAR}")
    assert "74,0" in page.content()  # K1 (3+4)/2 → 60 × 3,5/5 = 42; K2 (3+5)/2 → 40 × 4/5 = 32
    assert_no_axe_violations(page, label="Rangliste")
    page.goto(f"{base}/verwaltung/antraege/empfehlung?jahr={YEAR}")
    assert_no_axe_violations(page, label="Förderempfehlung")


def test_traeger_intake_and_planning_cube_pass_axe(page: Any, cycle_server: str) -> None:
    base = cycle_server
    _login(page, base, "traeger@example.org")
    page.goto(f"{base}/anbieter/antraege")
    assert_no_axe_violations(page, label="Meine Förderanträge")
    page.goto(f"{base}/anbieter/antraege/neu")
    assert_no_axe_violations(page, label="Neuer Antrag")
    page.get_by_role("button", name="Antrag einreichen").click()
    page.wait_for_load_state()
    assert "Bitte prüfen Sie die markierten Felder" in page.content()
    assert_no_axe_violations(page, label="Antrag mit Fehlern")
    page.goto(f"{base}/anbieter/antraege/AN-{YEAR}-001")
    assert_no_axe_violations(page, label="Eigener Antrag")
    page.goto(f"{base}/planung?ansicht=ortsteil-zielgruppe&hf=3")
    assert_no_axe_violations(page, label="Planungswürfel")
