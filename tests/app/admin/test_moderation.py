"""Moderation: draft → diff → approve → public page, search, audit; reject with a reason for the provider."""

from __future__ import annotations

import socket
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.audit.models import AuditEntry
from app.auth.models import Role
from app.auth.service import create_user
from app.catalogue.models import Angebot, Einrichtung, Traeger
from app.provider.models import Draft, DraftStatus
from app.settings import SearchBackendName, Settings
from tests.app.admin.test_admin_pages import SAMPLE
from tests.app.auth.fixtures import PASSWORD, World, form_values, login_as, soup, text_of, token_on


def _propose(settings: Settings, path: str, **changes: object) -> None:
    with login_as(settings, "a@example.org") as provider:
        data = {**form_values(provider, path, path), **changes}
        assert provider.post(path, data=data).status_code == 303


def _only_draft(session: Session) -> Draft:
    session.expire_all()
    [draft] = session.exec(select(Draft)).all()
    return draft


def _search_ids(client: TestClient, q: str) -> list[str]:
    response = client.get("/api/v1/offers", params={"q": q})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_opening_hours_round_trip_with_audit(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    place_path = f"/anbieter/einrichtungen/{world.einrichtung_a.external_id}/bearbeiten"
    _propose(settings, place_path, oeffnungszeiten="Mo–Fr 8–18 Uhr")
    draft = _only_draft(session)
    public_path = f"/angebote/{world.angebot_a.external_id}"
    assert "Mo–Fr 9–15 Uhr" in client.get(public_path).text  # still the published version

    with login_as(settings, "admin@example.org") as admin:
        queue = soup(admin.get("/verwaltung/entwuerfe"))
        assert queue.select_one(f"a[href='/verwaltung/entwuerfe/{draft.id}']") is not None
        detail = soup(admin.get(f"/verwaltung/entwuerfe/{draft.id}"))
        row = detail.select_one("table.diff tbody tr")
        assert row is not None
        assert row.select_one("th").get_text() == "Öffnungszeiten"  # type: ignore[union-attr]
        assert row.select_one(".diff-old").get_text().strip() == "Mo–Fr 9–15 Uhr"  # type: ignore[union-attr]
        assert row.select_one(".diff-new").get_text().strip() == "Mo–Fr 8–18 Uhr"  # type: ignore[union-attr]
        action = f"/verwaltung/entwuerfe/{draft.id}/freigeben"
        token = token_on(admin, f"/verwaltung/entwuerfe/{draft.id}", action)
        assert admin.post(action, data={"csrf_token": token}).status_code == 303
        # Deciding twice is refused.
        assert admin.post(action, data={"csrf_token": token}).status_code == 409

    assert "Mo–Fr 8–18 Uhr" in client.get(public_path).text
    place = session.get_one(Einrichtung, world.einrichtung_a.id)
    session.refresh(place)
    assert set(place.online_edits) == {"oeffnungszeiten"}
    assert place.edited_online_by == "a@example.org" and place.edited_online_at is not None
    trail = session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity_id == world.einrichtung_a.external_id)
        .order_by(col(AuditEntry.id))
    ).all()
    assert [(e.source, e.action, e.field, e.old_value, e.new_value) for e in trail] == [
        ("provider", "propose", "oeffnungszeiten", "Mo–Fr 9–15 Uhr", "Mo–Fr 8–18 Uhr"),
        ("admin", "approve", "oeffnungszeiten", "Mo–Fr 9–15 Uhr", "Mo–Fr 8–18 Uhr"),
    ]
    assert trail[1].actor == "admin@example.org"


def test_offer_title_change_reaches_the_search_index(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    assert _search_ids(client, "Zaubergarten") == []
    _propose(
        settings, f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten", titel="Zaubergarten Nord"
    )
    draft = _only_draft(session)
    with login_as(settings, "admin@example.org") as admin:
        action = f"/verwaltung/entwuerfe/{draft.id}/freigeben"
        token = token_on(admin, f"/verwaltung/entwuerfe/{draft.id}", action)
        assert (
            admin.post(action, data={"csrf_token": token}).headers["location"]
            == "/verwaltung/entwuerfe?freigegeben=1"
        )
    assert _search_ids(client, "Zaubergarten") == [world.angebot_a.external_id]
    assert soup(client.get(f"/angebote/{world.angebot_a.external_id}")).h1.get_text() == "Zaubergarten Nord"  # type: ignore[union-attr]


def test_new_offer_is_created_on_approval(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    path = f"/anbieter/einrichtungen/{world.einrichtung_a.external_id}/neues-angebot"
    _propose(settings, path, titel="Vorlesestunde Nord", zielgruppen=["kinder"], kosten="kostenlos")
    draft = _only_draft(session)
    with login_as(settings, "admin@example.org") as admin:
        action = f"/verwaltung/entwuerfe/{draft.id}/freigeben"
        admin.post(action, data={"csrf_token": token_on(admin, f"/verwaltung/entwuerfe/{draft.id}", action)})
    session.expire_all()
    offer = session.exec(select(Angebot).where(Angebot.titel == "Vorlesestunde Nord")).one()
    assert offer.einrichtung_id == world.einrichtung_a.id
    assert offer.kosten_art == "kostenlos" and [z.code for z in offer.zielgruppen] == ["kinder"]
    assert "titel" in offer.online_edits
    assert client.get(f"/angebote/{offer.external_id}").status_code == 200
    assert _search_ids(client, "Vorlesestunde") == [offer.external_id]


def test_reject_keeps_published_version_and_shows_reason_to_provider(
    world: World, session: Session, settings: Settings
) -> None:
    _propose(settings, f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten", titel="Werbung!!!")
    draft = _only_draft(session)
    with login_as(settings, "admin@example.org") as admin:
        action = f"/verwaltung/entwuerfe/{draft.id}/ablehnen"
        token = token_on(admin, f"/verwaltung/entwuerfe/{draft.id}", action)
        missing = admin.post(action, data={"csrf_token": token, "begruendung": "  "})
        assert missing.status_code == 400
        assert "Begründung" in text_of(missing, "#moderationsfehler")
        reason = "Der Titel muss das Angebot beschreiben <b>bitte</b>."
        assert admin.post(action, data={"csrf_token": token, "begruendung": reason}).status_code == 303
    session.expire_all()
    assert session.get_one(Draft, draft.id).status == DraftStatus.rejected
    assert session.get_one(Angebot, world.angebot_a.id).titel == "Krabbelgruppe Nord"
    with login_as(settings, "a@example.org") as provider:
        dashboard = soup(provider.get("/anbieter"))
        assert reason in dashboard.get_text()
        assert dashboard.select("main b") == []  # shown as text
        detail = soup(provider.get(f"/anbieter/entwuerfe/{draft.id}"))
        assert detail.select_one("#entwurf-status").get_text() == "abgelehnt"  # type: ignore[union-attr]
        assert detail.select_one("#entwurf-begruendung").get_text() == reason  # type: ignore[union-attr]
    with login_as(settings, "b@example.org") as other:
        assert reason not in other.get("/anbieter").text
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "reject")).one()
    assert entry.actor == "admin@example.org" and reason in (entry.note or "")


def test_moderation_requires_csrf(world: World, session: Session, settings: Settings) -> None:
    _propose(settings, f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten", titel="Neuer Titel")
    draft = _only_draft(session)
    with login_as(settings, "admin@example.org") as admin:
        assert admin.post(f"/verwaltung/entwuerfe/{draft.id}/freigeben", data={}).status_code == 403
        wrong = {"csrf_token": "0" * 64, "begruendung": "nein"}
        assert admin.post(f"/verwaltung/entwuerfe/{draft.id}/ablehnen", data=wrong).status_code == 403
    session.expire_all()
    assert session.get_one(Draft, draft.id).status == DraftStatus.open
    assert session.get_one(Angebot, world.angebot_a.id).titel == "Krabbelgruppe Nord"


def test_approval_commits_even_when_the_search_engine_is_down(
    world: World, session: Session, settings: Settings
) -> None:
    _propose(settings, f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten", titel="Sternenhimmel")
    draft = _only_draft(session)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound but not listening: connections are refused
        down = settings.model_copy(
            update={"search_backend": SearchBackendName.meilisearch, "meili_url": f"http://127.0.0.1:{port}"}
        )
        with login_as(down, "admin@example.org") as admin:
            action = f"/verwaltung/entwuerfe/{draft.id}/freigeben"
            token = token_on(admin, f"/verwaltung/entwuerfe/{draft.id}", action)
            response = admin.post(action, data={"csrf_token": token})
            assert response.headers["location"] == "/verwaltung/entwuerfe?freigegeben=1"
            notice = text_of(admin.get(response.headers["location"]), "main .notice")
            assert "Suchindex" in notice
    session.expire_all()
    assert session.get_one(Angebot, world.angebot_a.id).titel == "Sternenhimmel"


def _approve_only_draft(session: Session, settings: Settings) -> None:
    draft = _only_draft(session)
    with login_as(settings, "admin@example.org") as admin:
        action = f"/verwaltung/entwuerfe/{draft.id}/freigeben"
        token = token_on(admin, f"/verwaltung/entwuerfe/{draft.id}", action)
        assert admin.post(action, data={"csrf_token": token}).status_code == 303
    session.expire_all()


def test_every_kind_of_offer_field_is_applied(world: World, session: Session, settings: Settings) -> None:
    changes = {
        "kosten": "3,50 €",
        "alter_von": "6 Monate",
        "alter_bis": "3",
        "gueltig_von": "01.01.2026",
        "gueltig_bis": "31.12.2030",
        "ortsteile": "Winzerla; Lobeda-West",
        "anmeldung": "nein",
        "themen": ["begegnung", "bildung"],
        "zielgruppen": ["familien", "kinder"],
        "sprachen": "Deutsch; Arabisch",
        "handlungsfeld_number": "3",
        "barrierefrei": "teilweise",
    }
    _propose(settings, f"/anbieter/angebote/{world.angebot_a.external_id}/bearbeiten", **changes)
    _approve_only_draft(session, settings)
    offer = session.get_one(Angebot, world.angebot_a.id)
    assert (offer.kosten_art, offer.kosten_cents, offer.kosten_text) == ("betrag", 350, None)
    assert (offer.alter_von, offer.alter_bis) == (0.5, 3)
    assert (offer.gueltig_von, offer.gueltig_bis) == (date(2026, 1, 1), date(2030, 12, 31))
    assert sorted(o.slug for o in offer.ortsteile) == ["neulobeda", "winzerla"]
    assert offer.anmeldung is False and offer.handlungsfeld_number == 3 and offer.barrierefrei == "teilweise"
    assert sorted(t.code for t in offer.themen) == ["begegnung", "bildung"]
    assert sorted(z.code for z in offer.zielgruppen) == ["familien", "kinder"]
    assert offer.sprachen == ["Deutsch", "Arabisch"]
    assert set(offer.online_edits) >= {
        "kosten_art",
        "kosten_cents",
        "ortsteile",
        "zielgruppen",
        "gueltig_bis",
    }


def test_institution_district_and_coordinates_are_applied(
    world: World, session: Session, settings: Settings
) -> None:
    changes = {
        "ortsteil": "winzerla",
        "plz": "07745",
        "lat": "50,9012",
        "lon": "11,5734",
        "sprachen": "Deutsch",
    }
    _propose(settings, f"/anbieter/einrichtungen/{world.einrichtung_a.external_id}/bearbeiten", **changes)
    _approve_only_draft(session, settings)
    place = session.get_one(Einrichtung, world.einrichtung_a.id)
    assert place.ortsteil.slug == "winzerla" and place.plz == "07745"
    assert (place.lat, place.lon) == (50.9012, 11.5734)
    assert place.sprachen == ["Deutsch"]
    assert set(place.online_edits) == {"ortsteil", "plz", "lat", "lon", "sprachen"}


def test_approved_online_edit_survives_reimport_of_the_same_workbook(
    world: World, session: Session, settings: Settings, engine: Engine
) -> None:
    from importers.sync import sync_workbook

    assert sync_workbook(SAMPLE, engine=engine, settings=settings).ok
    session.expire_all()
    imported = select(Angebot).where(col(Angebot.last_imported_at).is_not(None)).order_by(Angebot.external_id)
    offer = session.exec(imported.limit(1)).one()
    traeger = session.get_one(Traeger, session.get_one(Einrichtung, offer.einrichtung_id).traeger_id)
    create_user(
        session,
        settings,
        email="import-traeger@example.org",
        role=Role.provider,
        traeger_external_id=traeger.external_id,
        password=PASSWORD,
    )
    session.commit()
    with login_as(settings, "import-traeger@example.org") as provider:
        path = f"/anbieter/angebote/{offer.external_id}/bearbeiten"
        data = {**form_values(provider, path, path), "titel": "Online korrigierter Titel"}
        assert provider.post(path, data=data).status_code == 303
    _approve_only_draft(session, settings)
    again = sync_workbook(SAMPLE, engine=engine, settings=settings)
    assert again.ok
    session.expire_all()
    assert session.get_one(Angebot, offer.id).titel == "Online korrigierter Titel"
