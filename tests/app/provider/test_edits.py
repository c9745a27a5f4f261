"""Provider edits become drafts; validation re-renders with 400; hostile input is refused or kept as text."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit.models import AuditEntry
from app.catalogue.models import Angebot, Einrichtung
from app.provider.models import Draft, DraftKind
from tests.app.auth.fixtures import World, form_values, login, soup, text_of, token_on


def _drafts(session: Session) -> list[Draft]:
    session.expire_all()
    return list(session.exec(select(Draft)).all())


def test_saving_creates_a_draft_and_leaves_the_published_entry_alone(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, "a@example.org")
    path = f"/anbieter/einrichtungen/{world.einrichtung_a.external_id}/bearbeiten"
    data = form_values(client, path, path)
    assert data["oeffnungszeiten"] == "Mo–Fr 9–15 Uhr"  # the form starts from the published values
    data["oeffnungszeiten"] = "Mo–Do 8–16 Uhr, Fr 8–12 Uhr"
    response = client.post(path, data=data)
    assert response.status_code == 303
    [draft] = _drafts(session)
    assert draft.kind == DraftKind.einrichtung
    assert draft.changes == {"oeffnungszeiten": "Mo–Do 8–16 Uhr, Fr 8–12 Uhr"}  # only what changed
    assert draft.base_values == {"oeffnungszeiten": "Mo–Fr 9–15 Uhr"}
    place = session.get_one(Einrichtung, world.einrichtung_a.id)
    session.refresh(place)
    assert place.oeffnungszeiten == "Mo–Fr 9–15 Uhr"
    proposal = session.exec(select(AuditEntry).where(AuditEntry.action == "propose")).one()
    assert (proposal.source, proposal.actor, proposal.field) == (
        "provider",
        "a@example.org",
        "oeffnungszeiten",
    )
    dashboard = soup(client.get("/anbieter?gespeichert=entwurf"))
    assert "in Prüfung" in dashboard.get_text()


def test_saving_again_replaces_the_open_draft(client: TestClient, world: World, session: Session) -> None:
    login(client, "a@example.org")
    path = f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten"
    for title in ("Krabbelgruppe Nord (neu)", "Krabbelgruppe Nordlicht"):
        data = form_values(client, path, path)
        data["titel"] = title
        assert client.post(path, data=data).status_code == 303
    [draft] = _drafts(session)
    assert draft.changes == {"titel": "Krabbelgruppe Nordlicht"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("plz", "10115", "Jena"),
        ("email", "kein-at-zeichen", "E-Mail"),
        ("website", "nicht eine adresse", "Web-Adresse"),
        ("lat", "48,1", "Jena"),
        ("name", "", "Bitte ausfüllen"),
        ("ortsteil", "atlantis", "Ortsteil"),
        ("name", "x" * 301, "Höchstens 300 Zeichen"),
        ("beschreibung", "a\x07b", "Steuerzeichen"),
        ("name", "Familienzentrum \u202egnuzrov", "unsichtbare"),
        ("strasse", "Löbdergraben\u200b 12", "unsichtbare"),
    ],
)
def test_invalid_institution_input_rerenders_with_field_error(
    client: TestClient, world: World, session: Session, field: str, value: str, message: str
) -> None:
    login(client, "a@example.org")
    path = f"/anbieter/einrichtungen/{world.einrichtung_a.external_id}/bearbeiten"
    data = form_values(client, path, path)
    data[field] = value
    response = client.post(path, data=data)
    assert response.status_code == 400
    page = soup(response)
    error = page.select_one(f"#fehler-{field}")
    assert error is not None and message in error.get_text()
    assert page.select_one(f"#feld-{field}[aria-invalid=true]") is not None
    assert _drafts(session) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"zielgruppen": []}, "zielgruppen", "Bitte ausfüllen"),
        ({"alter_von": "10", "alter_bis": "3"}, "alter_bis", "mindestens so groß"),
        ({"gueltig_von": "01.06.2026", "gueltig_bis": "01.05.2026"}, "gueltig_bis", "vor"),
        ({"gueltig_bis": "31.02.2026"}, "gueltig_bis", "unmögliches Datum"),
        ({"kosten": "-5 €"}, "kosten", "negativ"),
        ({"ortsteile": "Lobda"}, "ortsteile", "meinten Sie"),
        ({"zielgruppen": ["drachen"]}, "zielgruppen", "Liste"),
    ],
)
def test_invalid_offer_input_rerenders_with_field_error(
    client: TestClient, world: World, session: Session, changes: dict[str, object], field: str, message: str
) -> None:
    login(client, "a@example.org")
    path = f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten"
    data = {**form_values(client, path, path), **changes}
    response = client.post(path, data=data)
    assert response.status_code == 400
    error = soup(response).select_one(f"#fehler-{field}")
    assert error is not None and message in error.get_text(), response.text[:3000]
    assert _drafts(session) == []


def test_offer_values_are_parsed_like_the_workbook(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, "a@example.org")
    path = f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten"
    data = {
        **form_values(client, path, path),
        "kosten": "3,50 €",
        "alter_von": "6 Monate",
        "alter_bis": "3",
        "gueltig_bis": "31.12.2027",
        "ortsteile": "Winzerla; Lobeda-West",
        "anmeldung": "ja",
        "themen": ["begegnung", "bildung"],
    }
    assert client.post(path, data=data).status_code == 303
    [draft] = _drafts(session)
    assert draft.changes["kosten_cents"] == 350
    assert draft.changes["kosten_art"] == "betrag"
    assert draft.changes["alter_von"] == 0.5
    assert draft.changes["gueltig_bis"] == "2027-12-31"
    assert draft.changes["ortsteile"] == ["neulobeda", "winzerla"]
    assert draft.changes["anmeldung"] is True
    assert draft.changes["themen"] == ["begegnung", "bildung"]


def test_script_tags_are_kept_as_text_and_unicode_is_normalised(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, "a@example.org")
    path = f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten"
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> Cafe\u0301'
    data = {**form_values(client, path, path), "titel": hostile, "beschreibung": "x" * 5000}
    assert client.post(path, data=data).status_code == 303
    [draft] = _drafts(session)
    assert draft.changes["titel"] == '<script>alert("x")</script><img src=x onerror=alert(1)> Café'
    page = client.get(f"/anbieter/entwuerfe/{draft.id}")
    html = soup(page)
    assert html.select("main script") == [] and html.select("main img") == []
    assert '<script>alert("x")</script>' in html.select_one(".diff-new").get_text()  # type: ignore[union-attr]


def test_too_long_description_is_refused(client: TestClient, world: World, session: Session) -> None:
    login(client, "a@example.org")
    path = f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten"
    response = client.post(path, data={**form_values(client, path, path), "beschreibung": "x" * 5001})
    assert response.status_code == 400
    assert "Höchstens 5000 Zeichen" in text_of(response, "#fehler-beschreibung")


def test_confirm_unchanged_sets_verified_date_without_draft(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, "a@example.org")
    action = f"/anbieter/angebote/{world.angebot_a.external_id}/bestaetigen"
    response = client.post(action, data={"csrf_token": token_on(client, "/anbieter", action)})
    assert response.status_code == 303
    offer = session.get_one(Angebot, world.angebot_a.id)
    session.refresh(offer)
    assert offer.verified_at == date.today()
    assert "verified_at" in offer.online_edits
    assert offer.edited_online_by == "a@example.org"
    assert _drafts(session) == []
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "verify")).one()
    assert entry.entity_id == world.angebot_a.external_id and entry.new_value == date.today().isoformat()


def test_csrf_missing_or_wrong_on_provider_forms_changes_nothing(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, "a@example.org")
    path = f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten"
    data = {**form_values(client, path, path), "titel": "Gefälscht"}
    data.pop("csrf_token")
    assert client.post(path, data=data).status_code == 403
    assert client.post(path, data={**data, "csrf_token": "f" * 64}).status_code == 403
    confirm = f"/anbieter/einrichtungen/{world.einrichtung_a.external_id}/bestaetigen"
    assert client.post(confirm, data={}).status_code == 403
    assert _drafts(session) == []
    place = session.get_one(Einrichtung, world.einrichtung_a.id)
    session.refresh(place)
    assert place.verified_at is None


def test_new_offer_proposal_is_a_draft(client: TestClient, world: World, session: Session) -> None:
    login(client, "a@example.org")
    path = f"/anbieter/einrichtungen/{world.einrichtung_a.external_id}/neues-angebot"
    data = {**form_values(client, path, path), "titel": "Vorlesestunde", "zielgruppen": ["kinder"]}
    assert client.post(path, data=data).status_code == 303
    [draft] = _drafts(session)
    assert draft.kind == DraftKind.neues_angebot
    assert draft.changes["titel"] == "Vorlesestunde" and draft.changes["zielgruppen"] == ["kinder"]
    assert session.exec(select(Angebot).where(Angebot.titel == "Vorlesestunde")).first() is None
