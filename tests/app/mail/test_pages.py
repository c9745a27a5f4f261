"""The mail-related pages: /konto, the Datenschutz list, invitations and reset links from /verwaltung."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.mail import delivery, kinds
from app.settings import Settings
from tests.app.auth.fixtures import World, login, login_as, soup, token_on
from tests.app.mail.smtp_server import SmtpServer


def _listed(client: TestClient, path: str) -> list[str]:
    items = soup(client.get(path)).select("#mail-arten li")
    return [li.get_text(" ", strip=True) for li in items]


def test_account_page_lists_the_mails_of_the_role(settings: Settings, world: World) -> None:
    with login_as(settings, "a@example.org") as provider:
        listed = _listed(provider, "/konto")
    assert listed == [k.label for k in kinds.kinds_for("provider")]
    assert any("Erinnerung an die jährliche Prüfung" in item for item in listed)
    assert not any("Tägliche Übersicht" in item for item in listed)
    with login_as(settings, "admin@example.org") as admin:
        admin_listed = _listed(admin, "/konto")
    assert any("Tägliche Übersicht" in item for item in admin_listed)
    assert not any("Freigabe" in item for item in admin_listed)


def test_account_page_needs_a_login(client: TestClient) -> None:
    assert client.get("/konto").headers["location"] == "/anmelden?weiter=/konto"


def test_privacy_page_lists_every_kind_of_mail(client: TestClient) -> None:
    listed = " ".join(_listed(client, "/datenschutz"))
    fragments = ("Einladung", "Zurücksetzen", "Ablehnung", "30 Tage", "Fehlermeldung", "Qualitätsberichte")
    for fragment in (*fragments, "tägliche Übersicht"):
        assert fragment in listed


def test_admin_invitation_and_reset_are_mailed_not_shown(
    client: TestClient, world: World, smtp: SmtpServer, settings: Settings
) -> None:
    login(client, "admin@example.org")
    action = "/verwaltung/konten/einladen"
    token = token_on(client, "/verwaltung/konten", action)
    response = client.post(
        action, data={"email": "neu@example.org", "traeger": world.traeger_b.external_id, "csrf_token": token}
    )
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("#einmal-link") is None
    assert "neu@example.org" in page.select_one("#mail-verschickt").get_text()  # type: ignore[union-attr]
    reset = f"/verwaltung/konten/{world.provider_a.id}/zuruecksetzen"
    client.post(reset, data={"csrf_token": token_on(client, "/verwaltung/konten", reset)})
    delivery.wait_for_background()
    [invitation] = smtp.to("neu@example.org")
    assert world.traeger_b.name in invitation.part("plain")
    assert "https://wegweiser.example.org/einladung/" in invitation.part("plain")
    [reset_mail] = smtp.to("a@example.org")
    assert "https://wegweiser.example.org/passwort-zuruecksetzen/" in reset_mail.part("plain")
