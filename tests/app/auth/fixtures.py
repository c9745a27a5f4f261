"""Accounts fixtures and helpers (a plugin loaded by tests/conftest.py): two Träger with accounts, login."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from app.auth.models import Role, UserAccount
from app.auth.service import create_user
from app.catalogue.models import Angebot, Einrichtung, Traeger
from app.main import create_app
from app.settings import Settings
from tests import factories

PASSWORD = "ein langer Satz als Passwort"
OTHER_PASSWORD = "noch ein langer Satz fürs Konto"


class Browser(TestClient):
    """A second browser; closing it also closes its app's database connections."""

    def close(self) -> None:
        super().close()
        self.app.state.engine.dispose()  # type: ignore[attr-defined]

    def __exit__(self, *args: object) -> None:
        super().__exit__(*args)
        self.app.state.engine.dispose()  # type: ignore[attr-defined]


def new_client(settings: Settings) -> TestClient:
    return Browser(create_app(settings), base_url="https://testserver", follow_redirects=False)


@dataclass
class World:
    traeger_a: Traeger
    traeger_b: Traeger
    einrichtung_a: Einrichtung
    einrichtung_b: Einrichtung
    angebot_a: Angebot
    angebot_b: Angebot
    provider_a: UserAccount
    provider_b: UserAccount
    admin: UserAccount


@pytest.fixture
def world(session: Session, settings: Settings) -> World:
    ta = factories.traeger(session, name="Familienhilfe Nord e.V.")
    tb = factories.traeger(session, name="Generationen Süd gGmbH")
    ea = factories.einrichtung(
        session, traeger_row=ta, name="Familienzentrum Nord", oeffnungszeiten="Mo–Fr 9–15 Uhr"
    )
    eb = factories.einrichtung(session, traeger_row=tb, name="Treffpunkt Süd", ortsteil_slug="winzerla")
    aa = factories.angebot(
        session, einrichtung_row=ea, titel="Krabbelgruppe Nord", zielgruppen=("eltern-baby",)
    )
    ab = factories.angebot(session, einrichtung_row=eb, titel="Seniorencafé Süd", zielgruppen=("senioren",))
    pa = create_user(
        session,
        settings,
        email="a@example.org",
        role=Role.provider,
        traeger_external_id=ta.external_id,
        password=PASSWORD,
    )
    pb = create_user(
        session,
        settings,
        email="b@example.org",
        role=Role.provider,
        traeger_external_id=tb.external_id,
        password=PASSWORD,
    )
    admin = create_user(session, settings, email="admin@example.org", role=Role.admin, password=PASSWORD)
    session.commit()
    return World(ta, tb, ea, eb, aa, ab, pa, pb, admin)


def soup(response: Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def csrf_from(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    field = soup(page).select_one("input[name=csrf_token]")
    assert field is not None, f"no CSRF field on {path}"
    return str(field["value"])


def login_as(settings: Settings, email: str, password: str = PASSWORD) -> TestClient:
    """A second browser, logged in (caller closes it)."""
    browser = new_client(settings)
    response = login(browser, email, password)
    assert response.status_code == 303, response.text
    return browser


def form_values(client: TestClient, page: str, action: str) -> dict[str, str | list[str]]:
    """The form as the browser would submit it unchanged (values prefilled by the page)."""
    form = soup(client.get(page)).select_one(f"form[action='{action}']")
    assert form is not None
    data: dict[str, str | list[str]] = {}
    for control in form.select("input, textarea, select"):
        name = str(control.get("name"))
        if control.name == "textarea":
            data[name] = control.get_text()
        elif control.name == "select":
            chosen = control.select_one("option[selected]")
            data[name] = str(chosen["value"]) if chosen else ""
        elif control.get("type") == "checkbox":
            if control.has_attr("checked"):
                existing = data.setdefault(name, [])
                assert isinstance(existing, list)
                existing.append(str(control["value"]))
        else:
            data[name] = str(control.get("value", ""))
    return data


def token_on(client: TestClient, path: str, action: str) -> str:
    """The CSRF token of the form posting to ``action`` on ``path``."""
    field = soup(client.get(path)).select_one(f"form[action='{action}'] input[name=csrf_token]")
    assert field is not None, f"no form for {action} on {path}"
    return str(field["value"])


def login(client: TestClient, email: str, password: str = PASSWORD) -> Response:
    token = csrf_from(client, "/anmelden")
    return client.post("/anmelden", data={"email": email, "passwort": password, "csrf_token": token})


def post_form(client: TestClient, form_page: str, action: str, data: dict[str, object]) -> Response:
    """Submit like a browser: fetch the page for its CSRF token, then post."""
    token = csrf_from(client, form_page)
    return client.post(action, data={**data, "csrf_token": token})


def text_of(response: Response, selector: str) -> str:
    """The text of the one element matching ``selector`` (fails clearly when it is missing)."""
    element = soup(response).select_one(selector)
    assert element is not None, f"{selector} not found"
    return element.get_text()
