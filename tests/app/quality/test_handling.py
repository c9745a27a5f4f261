"""Error reports that get handled: audited status transitions, assignee, reply for the Träger, IDOR,
and the Redaktion's direct edit (audited, reindexed, no draft)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEntry
from app.catalogue.models import Angebot
from app.feedback.models import Feedback
from app.provider.models import Draft
from app.quality.models import FeedbackHandling
from app.settings import Settings
from search import get_backend
from search.base import SearchQuery
from tests.app.auth.fixtures import form_values, login_as, soup, text_of, token_on
from tests.app.quality.conftest import Funded


def _report(
    session: Session, funded: Funded, angebot: Angebot | None = None, text: str = "Termin falsch"
) -> int:
    fb = Feedback(angebot_id=(angebot or funded.world.angebot_a).id, kind="fehler", message=text)  # type: ignore[arg-type]
    session.add(fb)
    session.commit()
    assert fb.id is not None
    return fb.id


def _post(browser: TestClient, page: str, action: str, data: dict[str, str]) -> int:
    token = token_on(browser, page, action)
    return browser.post(action, data={**data, "csrf_token": token}).status_code


def _audit(session: Session, feedback_id: int) -> list[tuple[str | None, str | None, str | None, str]]:
    session.expire_all()
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.entity_type == "rueckmeldung", AuditEntry.entity_id == str(feedback_id))
        .order_by(col(AuditEntry.id))
    )
    return [(e.field, e.old_value, e.new_value, e.actor) for e in session.exec(stmt).all()]


def test_status_transitions_are_audited_and_reply_reaches_the_provider(
    funded: Funded, session: Session, settings: Settings
) -> None:
    fid = _report(session, funded)
    action = f"/verwaltung/meldungen/{fid}"
    with login_as(settings, "admin@example.org") as admin:
        data = {"status": "in-bearbeitung", "zustaendig": "traeger", "antwort": "Bitte Termin prüfen."}
        assert _post(admin, "/verwaltung/meldungen", action, data) == 303
        # Not allowed: in Bearbeitung → neu.
        assert _post(admin, "/verwaltung/meldungen", action, {"status": "neu"}) == 409
    assert _audit(session, fid) == [
        ("status", "neu", "in-bearbeitung", "admin@example.org"),
        ("zustaendig", "redaktion", "traeger", "admin@example.org"),
        ("antwort", None, "Bitte Termin prüfen.", "admin@example.org"),
    ]
    with login_as(settings, "a@example.org") as a:
        dashboard = text_of(a.get("/anbieter"), "[data-testid=meldung-stand]")
        assert "in Bearbeitung" in dashboard and "Bitte Termin prüfen." in dashboard
        page = a.get("/anbieter/qualitaet")
        item = soup(page).select_one(f"#meldung-{fid}")
        assert item is not None and "Bitte Termin prüfen." in item.get_text()
        status = item.select_one(".meldung-status")
        assert status is not None and "in Bearbeitung" in status.get_text()
        own = f"/anbieter/qualitaet/meldungen/{fid}"
        assert _post(a, "/anbieter/qualitaet", own, {"status": "erledigt", "antwort": "Korrigiert."}) == 303
    handling = session.get(FeedbackHandling, fid)
    assert handling is not None and handling.status == "erledigt" and handling.antwort == "Korrigiert."
    assert _audit(session, fid)[-2:] == [
        ("status", "in-bearbeitung", "erledigt", "a@example.org"),
        ("antwort", "Bitte Termin prüfen.", "Korrigiert.", "a@example.org"),
    ]


def test_provider_b_cannot_see_or_answer_reports_on_a(
    funded: Funded, session: Session, settings: Settings
) -> None:
    fid = _report(session, funded, text="Geheime Meldung zu A")
    with login_as(settings, "b@example.org") as b:
        assert "Geheime Meldung zu A" not in b.get("/anbieter/qualitaet").text
        own = f"/anbieter/qualitaet/{funded.grant_b.external_id}"
        token = token_on(b, own, own)
        response = b.post(
            f"/anbieter/qualitaet/meldungen/{fid}",
            data={"status": "abgelehnt", "antwort": "nein", "csrf_token": token},
        )
        assert response.status_code == 404
        assert b.get("/verwaltung/meldungen").status_code == 403
    assert session.get(FeedbackHandling, fid) is None
    with login_as(settings, "a@example.org") as a:
        assert "Geheime Meldung zu A" in a.get("/anbieter/qualitaet").text


def test_redaktion_edits_an_entry_directly_audited_and_reindexed(
    funded: Funded, session: Session, settings: Settings
) -> None:
    offer = funded.world.angebot_a
    fid = _report(session, funded, text="Heißt jetzt Krabbelkreis")
    page = f"/verwaltung/korrektur/angebote/{offer.external_id}?meldung={fid}"
    action = f"/verwaltung/korrektur/angebote/{offer.external_id}"
    with login_as(settings, "admin@example.org") as admin:
        data = form_values(admin, page, action)
        bad = admin.post(action, data={**data, "titel": ""})
        assert bad.status_code == 400
        response = admin.post(action, data={**data, "titel": "Krabbelkreis Nord"})
        assert response.status_code == 303, response.text
    session.expire_all()
    fresh = session.get(Angebot, offer.id)
    assert fresh is not None and fresh.titel == "Krabbelkreis Nord"
    assert "titel" in fresh.online_edits and fresh.edited_online_by == "admin@example.org"
    assert session.exec(select(Draft)).all() == []  # no moderation of itself
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity_id == offer.external_id, AuditEntry.action == "direct-edit"
        )
    ).one()
    assert (entry.field, entry.old_value, entry.new_value, entry.source) == (
        "titel",
        "Krabbelgruppe Nord",
        "Krabbelkreis Nord",
        "admin",
    )
    assert entry.note is not None and str(fid) in entry.note
    hits = get_backend(settings).search(SearchQuery(q="Krabbelkreis"))
    assert offer.external_id in hits.ids


def test_provider_cannot_use_direct_edit(funded: Funded, settings: Settings) -> None:
    with login_as(settings, "a@example.org") as a:
        assert (
            a.get(f"/verwaltung/korrektur/angebote/{funded.world.angebot_a.external_id}").status_code == 403
        )
