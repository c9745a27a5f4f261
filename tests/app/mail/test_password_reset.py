"""Self-service reset at /passwort-vergessen: the same answer for everyone, a mail only for real accounts."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.forgot import ANSWER_SECONDS
from app.mail import delivery
from app.mail.models import OutboxMail
from app.settings import Settings
from tests.app.auth.fixtures import PASSWORD, World, csrf_from, login, new_client, soup, token_on
from tests.app.mail.smtp_server import SmtpServer

RESET_LINK = re.compile(r"https://wegweiser\.example\.org(/passwort-zuruecksetzen/[^\s\"<]+)")


def _ask(client: TestClient, email: str) -> tuple[int, str, float]:
    token = csrf_from(client, "/passwort-vergessen")
    started = time.monotonic()
    response = client.post("/passwort-vergessen", data={"email": email, "csrf_token": token})
    elapsed = time.monotonic() - started
    main = soup(response).select_one("main")
    return response.status_code, str(main), elapsed


def test_login_page_links_to_the_reset_form(client: TestClient) -> None:
    assert soup(client.get("/anmelden")).select_one("a[href='/passwort-vergessen']") is not None


def test_same_answer_for_known_and_unknown_address_mail_only_for_known(
    client: TestClient, world: World, smtp: SmtpServer, settings: Settings
) -> None:
    known = _ask(client, "A@example.org")
    # Delivered within the fixed answer time: the link is in the inbox when the page appears.
    assert [m.recipients for m in smtp.messages] == [["a@example.org"]]
    unknown = _ask(client, "niemand@example.org")
    assert known[0] == unknown[0] == 200
    assert known[1] == unknown[1]  # byte-identical page content
    assert "Wenn zu dieser Adresse ein Konto besteht" in known[1]
    assert min(known[2], unknown[2]) >= ANSWER_SECONDS
    # Both wait for the same floor; the remaining difference is scheduling noise (generous under a loaded CI).
    assert abs(known[2] - unknown[2]) < 1.0
    delivery.wait_for_background()
    assert [m.recipients for m in smtp.messages] == [["a@example.org"]]
    [mail] = smtp.messages
    assert mail.subject == "Passwort zurücksetzen – Familienwegweiser Jena"
    [path] = RESET_LINK.findall(mail.part("plain"))
    assert f'href="{settings.base_url}{path}"' in mail.part("html")


def test_reset_link_from_the_mail_sets_a_new_password(
    client: TestClient, world: World, smtp: SmtpServer, settings: Settings
) -> None:
    _ask(client, "b@example.org")
    _ask(client, "b@example.org")  # two outstanding links
    delivery.wait_for_background()
    first, _second = (RESET_LINK.findall(m.part("plain"))[0] for m in smtp.to("b@example.org"))
    with new_client(settings) as browser:
        token = token_on(browser, first, first)
        new = "Holunderblüten am Fuchsturm"
        done = browser.post(first, data={"passwort": new, "passwort2": new, "csrf_token": token})
        assert done.status_code == 200
        assert login(browser, "b@example.org", new).status_code == 303
    assert login(new_client(settings), "b@example.org", PASSWORD).status_code == 400


def test_inactive_accounts_get_no_mail_and_requests_are_rate_limited(
    client: TestClient, world: World, smtp: SmtpServer, settings: Settings, session: Session
) -> None:
    world.provider_a.active = False
    session.add(world.provider_a)
    session.commit()
    assert _ask(client, "a@example.org")[0] == 200
    limit = settings.password_reset_max_requests
    for _ in range(limit - 1):
        assert _ask(client, "b@example.org")[0] == 200
    status, page, _elapsed = _ask(client, "b@example.org")
    assert status == 429 and "Zu viele Anfragen" in page
    delivery.wait_for_background()
    assert smtp.to("a@example.org") == []
    assert len(smtp.to("b@example.org")) == limit - 1
    assert len(session.exec(select(OutboxMail)).all()) == limit - 1


def test_invalid_address_is_a_field_error(client: TestClient, world: World) -> None:
    token = csrf_from(client, "/passwort-vergessen")
    response = client.post("/passwort-vergessen", data={"email": "kein-at", "csrf_token": token})
    assert response.status_code == 400 and soup(response).select_one("#fehler-email") is not None
