"""The issue's "done when", in real Chromium: a provider fixes opening hours, an admin approves the diff, the
public page shows it – every page on the way without axe-core violations. A private uvicorn server is used so
the shared browser live server's data stays untouched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from app.auth.models import Role
from app.auth.service import create_user
from app.db import make_engine
from tests import factories
from tests.app.auth.fixtures import PASSWORD
from tests.browser.fixtures import assert_no_axe_violations, private_server_settings, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def accounts_server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    settings = private_server_settings(sqlite_template, tmp_path, "accounts")
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        traeger = factories.traeger(session, name="Kinderland Jena e.V.")
        place = factories.einrichtung(session, traeger_row=traeger, name="Kinderhaus Sonnenschein",
                                      oeffnungszeiten="Mo–Fr 7–16 Uhr")  # fmt: skip
        offer = factories.angebot(
            session, einrichtung_row=place, titel="Eltern-Kind-Turnen", zielgruppen=("kinder",)
        )
        create_user(session, settings, email="kinderland@example.org", role=Role.provider,
                    traeger_external_id=traeger.external_id, password=PASSWORD)  # fmt: skip
        create_user(session, settings, email="redaktion@example.org", role=Role.admin, password=PASSWORD)
        session.commit()
        ids = {"place": place.external_id, "offer": offer.external_id}
    engine.dispose()
    with serving(settings):
        yield settings.base_url, ids


def _login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/anmelden")
    assert_no_axe_violations(page, label="Anmeldung")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_provider_edit_admin_approval_public_page(
    accounts_server: tuple[str, dict[str, str]], page: Any, browser: Any
) -> None:
    base, ids = accounts_server
    _login(page, base, "kinderland@example.org")
    page.wait_for_url(f"{base}/anbieter")
    assert_no_axe_violations(page, label="Anbieter-Übersicht")
    page.get_by_role("link", name="Einrichtung bearbeiten Kinderhaus Sonnenschein").click()
    assert_no_axe_violations(page, label="Einrichtung bearbeiten")
    page.get_by_label("Öffnungszeiten").fill("Mo–Fr 7–17 Uhr, Sa 9–12 Uhr")
    page.get_by_role("button", name="Zur Prüfung senden").click()
    page.wait_for_url(f"{base}/anbieter?gespeichert=entwurf")
    assert "in Prüfung" in page.content()
    assert "Mo–Fr 7–16 Uhr" in page.context.request.get(f"{base}/angebote/{ids['offer']}").text()

    admin_context = browser.new_context(locale="de-DE")
    admin = admin_context.new_page()
    try:
        _login(admin, base, "redaktion@example.org")
        admin.wait_for_url(f"{base}/verwaltung")
        assert_no_axe_violations(admin, label="Verwaltung")
        admin.goto(f"{base}/verwaltung/entwuerfe")
        assert_no_axe_violations(admin, label="Moderation")
        admin.locator("table a").first.click()
        assert_no_axe_violations(admin, label="Entwurf")
        assert admin.locator("td.diff-new").inner_text() == "Mo–Fr 7–17 Uhr, Sa 9–12 Uhr"
        admin.get_by_role("button", name="Freigeben und veröffentlichen").click()
        admin.wait_for_url(f"{base}/verwaltung/entwuerfe?freigegeben=1")
        admin.goto(f"{base}/verwaltung/protokoll")
        assert_no_axe_violations(admin, label="Protokoll")
        assert admin.locator("table.audit tbody tr").count() == 2
        for path in (
            "/verwaltung/konten",
            "/verwaltung/ungeprueft",
            "/verwaltung/rueckmeldungen",
            "/verwaltung/import",
        ):
            admin.goto(base + path)
            assert_no_axe_violations(admin, label=path)
    finally:
        admin_context.close()

    page.goto(f"{base}/angebote/{ids['offer']}")
    assert "Mo–Fr 7–17 Uhr, Sa 9–12 Uhr" in page.content()
    page.get_by_role("button", name="Ja").click()
    assert "Danke" in page.content()
    assert_no_axe_violations(page, label="Danke")
