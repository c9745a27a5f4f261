"""Login, session cookies, rotation, logout, generic errors, rate limits, CSRF on the login form."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, func, select

from app.auth.models import UserSession
from app.auth.sessions import token_hash
from app.settings import Settings
from tests.app.auth.fixtures import PASSWORD, World, csrf_from, login, new_client, soup

SESSION = "__Host-fw_session"


def _session_rows(session: Session) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(UserSession)).one())


def test_login_sets_hardened_cookie_and_lands_in_own_area(client: TestClient, world: World) -> None:
    response = login(client, "A@Example.org ", PASSWORD)  # case and spaces of the address don't matter
    assert response.status_code == 303
    assert response.headers["location"] == "/anbieter"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION + "="))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "path"} <= flags
    assert "samesite=lax" in cookie.lower()
    assert client.get("/anmelden").headers["location"] == "/anbieter"  # already logged in


def test_admin_lands_in_verwaltung(client: TestClient, world: World) -> None:
    assert login(client, "admin@example.org").headers["location"] == "/verwaltung"


def test_login_rotates_session_id_and_ends_the_old_one(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    login(client, "a@example.org")
    first = client.cookies[SESSION]
    # The same browser logs in again (e.g. as a colleague): token from a page of the current session.
    login_again = client.post(
        "/anmelden",
        data={"email": "b@example.org", "passwort": PASSWORD, "csrf_token": csrf_from(client, "/anbieter")},
    )
    assert login_again.status_code == 303
    second = client.cookies[SESSION]
    assert second != first
    assert session.get(UserSession, token_hash(first)) is None
    assert session.get(UserSession, token_hash(second)) is not None


def _set_cookie_value(response: Response, name: str) -> str:
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith(name + "="))
    return header.split(";")[0].split("=", 1)[1]


def test_planted_session_cookie_is_not_adopted(client: TestClient, world: World, session: Session) -> None:
    planted = "A" * 43
    # The CSRF token is bound to the session cookie, so the attacker's browser state is consistent:
    client.cookies.set(SESSION, planted)
    token = csrf_from(client, "/anmelden")
    response = client.post(
        "/anmelden", data={"email": "a@example.org", "passwort": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    issued = _set_cookie_value(response, SESSION)
    assert issued != planted
    assert session.get(UserSession, token_hash(planted)) is None
    assert session.get(UserSession, token_hash(issued)) is not None


def test_logout_invalidates_the_session_on_the_server(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    login(client, "a@example.org")
    stolen = client.cookies[SESSION]
    assert _session_rows(session) == 1
    page = client.get("/anbieter")
    form_token = soup(page).select_one("form[action='/abmelden'] input[name=csrf_token]")
    assert form_token is not None
    out = client.post("/abmelden", data={"csrf_token": form_token["value"]})
    assert out.status_code == 303
    assert _session_rows(session) == 0
    with new_client(settings) as thief:
        thief.cookies.set(SESSION, stolen, domain="testserver")
        assert thief.get("/anbieter").status_code == 303  # back to the login page


def test_login_error_is_the_same_for_unknown_account_and_wrong_password(
    client: TestClient, world: World
) -> None:
    unknown = login(client, "niemand@example.org", "irgendein langes passwort")
    wrong = login(client, "a@example.org", "irgendein langes passwort")
    assert unknown.status_code == wrong.status_code == 400
    message_unknown = soup(unknown).select_one("#anmeldefehler")
    message_wrong = soup(wrong).select_one("#anmeldefehler")
    assert message_unknown is not None and message_wrong is not None
    assert message_unknown.get_text() == message_wrong.get_text()
    assert "E-Mail-Adresse oder Passwort" in message_wrong.get_text()
    assert SESSION not in client.cookies


def test_rate_limit_per_account_blocks_even_the_right_password(client: TestClient, world: World) -> None:
    for _ in range(5):
        assert login(client, "a@example.org", "falsches passwort 123").status_code == 400
    blocked = login(client, "a@example.org", PASSWORD)
    assert blocked.status_code == 429
    text = soup(blocked).select_one("#anmeldefehler")
    assert text is not None and "15 Minuten" in text.get_text()
    assert SESSION not in client.cookies


def test_rate_limit_per_ip_across_accounts(client: TestClient, world: World, settings: Settings) -> None:
    for n in range(settings.login_max_failures_per_ip):
        login(client, f"rater{n}@example.org", "falsches passwort 123")
    assert login(client, "b@example.org", PASSWORD).status_code == 429


def test_login_without_or_with_foreign_csrf_token_is_refused(
    client: TestClient, world: World, settings: Settings, session: Session
) -> None:
    data = {"email": "a@example.org", "passwort": PASSWORD}
    assert client.post("/anmelden", data=data).status_code == 403
    assert client.post("/anmelden", data={**data, "csrf_token": "0" * 64}).status_code == 403
    with new_client(settings) as other:
        foreign = csrf_from(other, "/anmelden")
    client.get("/anmelden")  # this browser has its own CSRF cookie
    assert client.post("/anmelden", data={**data, "csrf_token": foreign}).status_code == 403
    assert _session_rows(session) == 0


def test_next_parameter_cannot_redirect_off_site(client: TestClient, world: World) -> None:
    token = csrf_from(client, "/anmelden")
    response = client.post(
        "/anmelden",
        data={
            "email": "a@example.org",
            "passwort": PASSWORD,
            "weiter": "//evil.example/",
            "csrf_token": token,
        },
    )
    assert response.headers["location"] == "/anbieter"


def test_private_pages_are_not_cached(client: TestClient, world: World) -> None:
    assert client.get("/anmelden").headers["cache-control"] == "no-store"
    login(client, "a@example.org")
    assert client.get("/anbieter").headers["cache-control"] == "no-store"


def test_locked_account_loses_its_session_and_cannot_log_in(
    client: TestClient, world: World, settings: Settings, session: Session
) -> None:
    with new_client(settings) as provider:
        login(provider, "a@example.org")
        login(client, "admin@example.org")
        action = f"/verwaltung/konten/{world.provider_a.id}/sperren"
        token = soup(client.get("/verwaltung/konten")).select_one(
            f"form[action='{action}'] input[name=csrf_token]"
        )
        assert token is not None
        assert client.post(action, data={"csrf_token": token["value"]}).status_code == 303
        assert provider.get("/anbieter").status_code == 303
        assert login(provider, "a@example.org").status_code == 400


def test_changing_the_password_needs_the_old_one_and_ends_other_sessions(
    client: TestClient, world: World, settings: Settings
) -> None:
    with new_client(settings) as other_device:
        login(other_device, "a@example.org")
        login(client, "a@example.org")
        token = soup(client.get("/konto/passwort")).select_one(
            "form[action='/konto/passwort'] input[name=csrf_token]"
        )
        assert token is not None
        new = "Morgennebel über der Saale"
        form = {"passwort": new, "passwort2": new, "csrf_token": token["value"]}
        wrong = client.post("/konto/passwort", data={**form, "bisher": "falsch falsch falsch"})
        assert wrong.status_code == 400 and soup(wrong).select_one("#fehler-bisher") is not None
        done = client.post("/konto/passwort", data={**form, "bisher": PASSWORD})
        assert done.status_code == 200 and soup(done).select_one("#passwort-geaendert") is not None
        assert client.get("/anbieter").status_code == 200  # this browser got a fresh session
        assert other_device.get("/anbieter").status_code == 303  # the other one is logged out
    with new_client(settings) as fresh:
        assert login(fresh, "a@example.org", PASSWORD).status_code == 400
        assert login(fresh, "a@example.org", new).status_code == 303
