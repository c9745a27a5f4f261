"""The anonymous CSRF cookie: set only where a form is rendered, hardened; tokens bound to the browser."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.app.auth.fixtures import World, csrf_from, login, soup


def test_anonymous_cookie_is_set_with_a_form_and_hardened(client: TestClient, world: World) -> None:
    response = client.get("/anmelden")
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("__Host-fw_csrf="))
    lowered = cookie.lower()
    assert "httponly" in lowered and "secure" in lowered and "samesite=lax" in lowered and "path=/" in lowered
    # The same browser keeps its cookie and gets the same token on the next form.
    assert csrf_from(client, "/anmelden") == str(soup(response).select_one("input[name=csrf_token]")["value"])  # type: ignore[index]


def test_no_cookie_where_no_form_is_rendered(client: TestClient) -> None:
    assert "set-cookie" not in client.get("/healthz").headers
    assert "set-cookie" not in client.get("/api/v1/offers").headers


def test_token_changes_with_the_login_session(client: TestClient, world: World) -> None:
    anonymous = csrf_from(client, "/anmelden")
    login(client, "a@example.org")
    field = soup(client.get("/anbieter")).select_one("form[action='/abmelden'] input[name=csrf_token]")
    assert field is not None and field["value"] != anonymous
    # The pre-login token no longer works for a logged-in state change.
    assert client.post("/abmelden", data={"csrf_token": anonymous}).status_code == 403
    assert client.get("/anbieter").status_code == 200
