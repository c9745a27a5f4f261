"""The self-service reset pages are accessible (axe) and work without JavaScript."""

from __future__ import annotations

from typing import Any

from tests.browser.fixtures import LiveServer, assert_no_axe_violations


def test_forgotten_password_form_and_answer(live_server: LiveServer, page: Any) -> None:
    page.goto(f"{live_server.url}/anmelden")
    page.get_by_role("link", name="Passwort vergessen?").click()
    assert page.url.endswith("/passwort-vergessen")
    assert_no_axe_violations(page, label="passwort-vergessen")
    page.get_by_label("E-Mail-Adresse").fill("jemand@example.org")
    page.get_by_role("button", name="Link anfordern").click()
    assert "Wenn zu dieser Adresse ein Konto besteht" in page.locator("#link-angefordert").inner_text()
    assert_no_axe_violations(page, label="passwort-vergessen (Antwort)")
