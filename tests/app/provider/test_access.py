"""IDOR matrix: every provider route, both directions, GET and POST – another Träger's ids answer 404 and
nothing changes. Plus: anonymous users go to the login page, admins and providers stay in their areas."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.audit.models import AuditEntry
from app.catalogue.models import Angebot, Einrichtung
from app.provider.models import Draft, DraftKind
from app.settings import Settings
from tests.app.auth.fixtures import World, login, login_as, token_on

VALID_OFFER_FORM = {"titel": "Übernahmeversuch", "zielgruppen": ["familien"], "status": "aktiv"}
VALID_PLACE_FORM = {"name": "Übernahmeversuch", "art": "familienzentrum", "ort": "Jena",
                    "ortsteil": "jena-zentrum", "status": "aktiv"}  # fmt: skip


def _snapshot(session: Session) -> dict[str, Any]:
    session.expire_all()
    return {
        "drafts": session.exec(select(func.count()).select_from(Draft)).one(),
        "audit": session.exec(select(func.count()).select_from(AuditEntry)).one(),
        "places": sorted(
            (e.external_id, e.name, e.verified_at) for e in session.exec(select(Einrichtung)).all()
        ),
        "offers": sorted(
            (a.external_id, a.titel, a.verified_at) for a in session.exec(select(Angebot)).all()
        ),
    }


def _routes(world: World, owner: str, draft_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    e = (world.einrichtung_a if owner == "a" else world.einrichtung_b).external_id
    a = (world.angebot_a if owner == "a" else world.angebot_b).external_id
    return [
        ("GET", f"/anbieter/einrichtungen/{e}/bearbeiten", {}),
        ("GET", f"/anbieter/angebote/{a}/bearbeiten", {}),
        ("GET", f"/anbieter/einrichtungen/{e}/neues-angebot", {}),
        ("GET", f"/anbieter/entwuerfe/{draft_id}", {}),
        ("POST", f"/anbieter/einrichtungen/{e}/bearbeiten", VALID_PLACE_FORM),
        ("POST", f"/anbieter/angebote/{a}/bearbeiten", VALID_OFFER_FORM),
        ("POST", f"/anbieter/einrichtungen/{e}/neues-angebot", VALID_OFFER_FORM),
        ("POST", f"/anbieter/einrichtungen/{e}/bestaetigen", {}),
        ("POST", f"/anbieter/angebote/{a}/bestaetigen", {}),
    ]


def _draft_for(session: Session, world: World, owner: str) -> int:
    place = world.einrichtung_a if owner == "a" else world.einrichtung_b
    draft = Draft(
        kind=DraftKind.einrichtung.value,
        traeger_id=place.traeger_id,
        einrichtung_id=place.id,  # type: ignore[arg-type]
        changes={"name": "Vorschlag"},
        base_values={"name": place.name},
        created_by="x@example.org",
    )
    session.add(draft)
    session.commit()
    assert draft.id is not None
    return draft.id


@pytest.mark.parametrize(("me", "other"), [("a", "b"), ("b", "a")])
def test_foreign_entries_are_invisible_and_untouchable(
    client: TestClient, world: World, session: Session, me: str, other: str
) -> None:
    foreign_draft = _draft_for(session, world, other)
    own_draft = _draft_for(session, world, me)
    login(client, f"{me}@example.org")
    csrf = token_on(client, "/anbieter", "/abmelden")  # a valid token of this session
    before = _snapshot(session)
    for method, path, data in _routes(world, other, foreign_draft):
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={**data, "csrf_token": csrf})
        assert response.status_code == 404, (method, path, response.status_code)
        assert "Übernahmeversuch" not in response.text
    assert _snapshot(session) == before
    # Positive control: the same routes work on the provider's own entries.
    for method, path, _data in _routes(world, me, own_draft):
        if method == "GET":
            assert client.get(path).status_code == 200, path


def test_own_routes_answer_for_the_owner(client: TestClient, world: World, session: Session) -> None:
    login(client, "a@example.org")
    csrf = token_on(client, "/anbieter", "/abmelden")
    for method, path, data in _routes(world, "a", _draft_for(session, world, "a")):
        if method == "POST":
            response = client.post(path, data={**data, "csrf_token": csrf})
            assert response.status_code == 303, (path, response.status_code, response.text[:500])


def test_anonymous_visitors_are_sent_to_login(client: TestClient, world: World) -> None:
    for path in ("/anbieter", f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten", "/verwaltung"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/anmelden?weiter=")


def test_roles_stay_in_their_area(world: World, settings: Settings) -> None:
    with login_as(settings, "a@example.org") as provider:
        assert provider.get("/verwaltung").status_code == 403
        assert provider.get("/verwaltung/entwuerfe").status_code == 403
    with login_as(settings, "admin@example.org") as admin:
        assert admin.get("/anbieter").status_code == 403


def test_dashboard_lists_only_own_entries(client: TestClient, world: World) -> None:
    login(client, "a@example.org")
    page = client.get("/anbieter").text
    assert world.angebot_a.titel in page and world.einrichtung_a.name in page
    assert world.angebot_b.titel not in page and world.einrichtung_b.name not in page
