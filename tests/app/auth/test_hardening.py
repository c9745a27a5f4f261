"""Issue 14: proxy headers, throttling without lockout, password links, HSTS, demo accounts, warnings."""

from __future__ import annotations

import logging
import re
from collections.abc import Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.models import RateLimitEvent
from app.auth.service import account_delay
from app.auth.tokens import Purpose, make_link
from app.cli import main as cli_main
from app.main import create_app
from app.security import ExposedDevelopmentWarning, warn_if_exposed_in_development
from app.settings import Environment, Settings
from tests.app.auth.fixtures import PASSWORD, World, csrf_from, login, token_on
from tests.importers.conftest import REPO

WRONG = "falsches passwort 123"


def _browser(settings: Settings, ip: str) -> TestClient:
    """A browser whose TCP peer is ``ip`` (the proxy, or a client talking to the app directly)."""
    return TestClient(
        create_app(settings), base_url="https://testserver", follow_redirects=False, client=(ip, 50000)
    )


def _login(browser: TestClient, email: str, password: str, forwarded_for: str | None = None) -> int:
    token = csrf_from(browser, "/anmelden")
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    data = {"email": email, "passwort": password, "csrf_token": token}
    return browser.post("/anmelden", data=data, headers=headers).status_code


# --- 4: X-Forwarded-For only from the proxy ----------------------------------------------------------------


def test_a_spoofed_forwarded_for_does_not_reset_the_limit(world: World, settings: Settings) -> None:
    with _browser(settings, "203.0.113.9") as attacker:  # not the proxy: its header is ignored
        for n in range(settings.login_max_failures):
            assert _login(attacker, "a@example.org", WRONG, forwarded_for=f"198.51.100.{n}") == 400
        assert _login(attacker, "a@example.org", PASSWORD, forwarded_for="198.51.100.200") == 429


def test_the_configured_proxy_is_believed(world: World, settings: Settings) -> None:
    proxied = settings.model_copy(update={"forwarded_allow_ips": "203.0.113.1"})
    with _browser(proxied, "203.0.113.1") as proxy:
        for _ in range(settings.login_max_failures):
            assert _login(proxy, "a@example.org", WRONG, forwarded_for="198.51.100.7") == 400
        assert _login(proxy, "a@example.org", PASSWORD, forwarded_for="198.51.100.7") == 429
        # Another client behind the same proxy is a different address: not blocked.
        assert _login(proxy, "a@example.org", PASSWORD, forwarded_for="198.51.100.8") == 303


def test_deployment_trusts_only_the_proxy_and_runs_in_production() -> None:
    compose = (REPO / "compose.yaml").read_text(encoding="utf-8")
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    forwarded = re.findall(r"FORWARDED_ALLOW_IPS:\s*(\S+)", compose)
    assert forwarded and all("*" not in value for value in forwarded), forwarded
    assert re.search(r"^\s+ENV: production$", compose, re.MULTILINE)
    assert re.search(r"^\s+ENV=production", dockerfile, re.MULTILINE)
    assert "FORWARDED_ALLOW_IPS=127.0.0.1" in dockerfile
    assert "forwarded-allow-ips" not in dockerfile  # the app reads the setting itself (one place)


# --- 5: throttle per pair and per address, delays per account ------------------------------------------


def test_an_attacker_cannot_lock_the_owner_out(world: World, settings: Settings) -> None:
    with _browser(settings, "203.0.113.66") as attacker:
        for _ in range(settings.login_max_failures):
            assert _login(attacker, "a@example.org", WRONG) == 400
        assert _login(attacker, "a@example.org", WRONG) == 429  # the attacker's pair is blocked …
    with _browser(settings, "198.51.100.20") as owner:
        assert _login(owner, "a@example.org", PASSWORD) == 303  # … the owner elsewhere is not


def _age_events(session: Session, seconds: int) -> None:
    """Let time pass for the rate limits: every recorded event moves ``seconds`` into the past."""
    session.expire_all()
    for event in session.exec(select(RateLimitEvent)).all():
        event.at -= timedelta(seconds=seconds)
        session.add(event)
    session.commit()


def test_account_failures_from_many_addresses_grow_delays_not_a_lock(
    world: World, settings: Settings, session: Session
) -> None:
    assert [account_delay(n, settings) for n in range(5, 13)] == [0, 1, 2, 4, 8, 16, 32, 60]
    failures = settings.login_max_failures + 4
    for n in range(failures):
        if n:
            _age_events(session, 61)  # each bot waits out the current delay (still inside the window)
        with _browser(settings, f"203.0.113.{n + 10}") as bot:
            assert _login(bot, "a@example.org", WRONG) == 400
    with _browser(settings, "198.51.100.30") as owner:
        token = csrf_from(owner, "/anmelden")
        form = {"email": "a@example.org", "passwort": PASSWORD, "csrf_token": token}
        waiting = owner.post("/anmelden", data=form)
        assert waiting.status_code == 429
        assert 1 <= int(waiting.headers["retry-after"]) <= account_delay(failures, settings)
        assert "Sekunden" in waiting.text
        _age_events(session, account_delay(failures, settings) + 1)
        assert _login(owner, "a@example.org", PASSWORD) == 303  # the delay passed: no lock


# --- 6: password links and the current-password check -------------------------------------------------


def _use_link(client: TestClient, settings: Settings, link: str, password: str) -> int:
    path = link.removeprefix(settings.base_url)
    page = client.get(path)
    if page.status_code != 200:
        return page.status_code
    token = token_on(client, path, path)
    return client.post(
        path, data={"passwort": password, "passwort2": password, "csrf_token": token}
    ).status_code


def test_using_one_link_voids_all_outstanding_links(
    client: TestClient, world: World, settings: Settings
) -> None:
    user_id = world.provider_b.id
    assert user_id is not None
    older = make_link(settings, Purpose.reset, user_id)
    invitation = make_link(settings, Purpose.invitation, user_id)
    newer = make_link(settings, Purpose.reset, user_id)
    assert _use_link(client, settings, newer, "Kastanienallee im Herbst") == 200
    assert _use_link(client, settings, older, "Lindenblüten im Juni") == 400
    assert _use_link(client, settings, invitation, "Lindenblüten im Juni") == 400
    assert login(client, "b@example.org", "Kastanienallee im Herbst").status_code == 303
    # A link issued after the change works.
    later = make_link(settings, Purpose.reset, user_id)
    assert _use_link(client, settings, later, "Lindenblüten im Juni") == 200


def test_changing_the_password_voids_outstanding_links(
    client: TestClient, world: World, settings: Settings
) -> None:
    assert world.provider_a.id is not None
    link = make_link(settings, Purpose.reset, world.provider_a.id)
    login(client, "a@example.org")
    new = "Morgennebel über der Saale"
    token = token_on(client, "/konto/passwort", "/konto/passwort")
    form = {"bisher": PASSWORD, "passwort": new, "passwort2": new, "csrf_token": token}
    assert client.post("/konto/passwort", data=form).status_code == 200
    response = client.get(link.removeprefix(settings.base_url))
    assert response.status_code == 400 and "gilt nicht mehr" in response.text


def test_current_password_guesses_are_limited(client: TestClient, world: World, settings: Settings) -> None:
    login(client, "a@example.org")
    new = "Morgennebel über der Saale"
    for _ in range(settings.login_max_failures):
        token = token_on(client, "/konto/passwort", "/konto/passwort")
        form = {"bisher": "geraten geraten", "passwort": new, "passwort2": new, "csrf_token": token}
        assert client.post("/konto/passwort", data=form).status_code == 400
    token = token_on(client, "/konto/passwort", "/konto/passwort")
    right = {"bisher": PASSWORD, "passwort": new, "passwort2": new, "csrf_token": token}
    blocked = client.post("/konto/passwort", data=right)
    assert blocked.status_code == 429 and "Zu viele" in blocked.text


# --- 7: production strictness --------------------------------------------------------------------------


def test_hsts_in_production_only_and_configurable(settings: Settings) -> None:
    production = settings.model_copy(update={"env": Environment.production})
    with TestClient(create_app(production), base_url="https://testserver") as client:
        hsts = client.get("/").headers["strict-transport-security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 365 * 24 * 3600  # type: ignore[union-attr]
    longer = production.model_copy(update={"hsts_max_age_seconds": 63_072_000})
    with TestClient(create_app(longer), base_url="https://testserver") as client:
        assert "max-age=63072000" in client.get("/").headers["strict-transport-security"]
    with TestClient(create_app(settings)) as client:
        assert "strict-transport-security" not in client.get("/").headers
    with pytest.raises(ValueError, match="greater than or equal"):
        Settings(hsts_max_age_seconds=3600)


def test_a_demo_session_ends_outside_development(
    monkeypatch: pytest.MonkeyPatch, world: World, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = settings.model_copy(update={"env": Environment.development})
    monkeypatch.setattr("app.cli.get_settings", lambda: dev)
    assert cli_main(["demo-accounts"], settings=dev) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if "admin" in ln)
    email, password = line.split()[1], line.split("Passwort: ")[1].split("  ")[0]
    with TestClient(create_app(dev), base_url="https://testserver", follow_redirects=False) as browser:
        assert login(browser, email, password).status_code == 303
        cookies = dict(browser.cookies)
    with TestClient(create_app(settings), base_url="https://testserver", follow_redirects=False) as other:
        other.cookies.update(cookies)
        assert other.get("/verwaltung").status_code == 303  # the session no longer counts


def _drive(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine that never waits, without an event loop (another test may have one running)."""
    with pytest.raises(StopIteration):
        coroutine.send(None)


def test_a_loud_warning_when_development_listens_beyond_loopback(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    dev = settings.model_copy(update={"env": Environment.development})
    with caplog.at_level(logging.WARNING, logger="app.security"):
        assert not warn_if_exposed_in_development(dev.model_copy(update={"host": "127.0.0.1"}))
        assert warn_if_exposed_in_development(dev.model_copy(update={"host": "0.0.0.0"}))  # noqa: S104
        assert not warn_if_exposed_in_development(
            settings.model_copy(update={"env": Environment.production, "host": "0.0.0.0"})  # noqa: S104
        )
    assert "ENV=development" in caplog.text and "0.0.0.0" in caplog.text  # noqa: S104
    caplog.clear()
    # Started by hand on all interfaces (no HOST): the first request that arrived from outside warns.
    seen: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["path"])

    middleware = ExposedDevelopmentWarning(inner, dev)
    with caplog.at_level(logging.WARNING, logger="app.security"):
        _drive(middleware({"type": "http", "path": "/", "server": ("127.0.0.1", 8000)}, None, None))  # type: ignore[arg-type]
        assert not middleware.warned
        _drive(middleware({"type": "http", "path": "/", "server": ("192.0.2.10", 8000)}, None, None))  # type: ignore[arg-type]
    assert middleware.warned and "192.0.2.10" in caplog.text and seen == ["/", "/"]


def test_base_url_follows_the_port_in_development(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("PORT", "8123")
    assert Settings().base_url == "http://127.0.0.1:8123"
    monkeypatch.setenv("BASE_URL", "https://familienwegweiser.example.org")
    assert Settings().base_url == "https://familienwegweiser.example.org"
