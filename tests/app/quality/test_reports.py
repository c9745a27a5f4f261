"""Qualitätsberichte: draft → submitted, read-only afterwards, corrections as kept versions, indicators."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEntry
from app.quality.models import Indikator, Qualitaetsbericht
from app.settings import Settings
from tests.app.auth.fixtures import login_as, soup, token_on
from tests.app.quality.conftest import Funded


def _path(funded: Funded) -> str:
    return f"/anbieter/qualitaet/{funded.grant_a.external_id}"


def _versions(session: Session, funded: Funded) -> list[Qualitaetsbericht]:
    session.expire_all()
    stmt = (
        select(Qualitaetsbericht)
        .where(Qualitaetsbericht.foerderung_id == funded.grant_a.id)
        .order_by(col(Qualitaetsbericht.version))
    )
    return list(session.exec(stmt).all())


def _post(browser: TestClient, funded: Funded, data: dict[str, str]) -> int:
    token = token_on(browser, _path(funded), _path(funded))
    return browser.post(_path(funded), data={**data, "csrf_token": token}).status_code


def test_draft_submit_readonly_and_correction_versions(
    funded: Funded, session: Session, settings: Settings
) -> None:
    yes_no = Indikator(
        handlungsfeld_number=6, jahr=2025, label="Generationenfest durchgeführt", art="ja-nein", zielwert="ja"
    )
    number = Indikator(
        handlungsfeld_number=6, jahr=2025, label="Erreichte Seniorinnen", art="zahl", zielwert="40"
    )
    session.add_all([yes_no, number])
    session.commit()
    with login_as(settings, "a@example.org") as a:
        form = soup(a.get(_path(funded)))
        assert form.select_one(f"input[name=indikator_{yes_no.id}][value=ja]") is not None
        assert form.select_one(f"input[name=indikator_{number.id}]") is not None
        draft = {
            "projekt_konzept": "Offener Treff für Eltern mit Babys.",
            "teilnehmende_anzahl": "37",
            "ergebnisse": "Feste Gruppe entstanden.",
            f"indikator_{yes_no.id}": "ja",
            f"indikator_{number.id}": "45",
            "aktion": "entwurf",
        }
        assert _post(a, funded, draft) == 303
        assert [(v.version, v.status) for v in _versions(session, funded)] == [(1, "entwurf")]
        # A bad number re-renders with the field error and changes nothing.
        assert _post(a, funded, {**draft, "teilnehmende_anzahl": "viele"}) == 400
        assert _versions(session, funded)[0].teilnehmende_anzahl == 37
        assert _post(a, funded, {**draft, "aktion": "einreichen"}) == 303
        [v1] = _versions(session, funded)
        assert v1.status == "eingereicht" and v1.submitted_by == "a@example.org"
        assert v1.indikatoren == {str(yes_no.id): "ja", str(number.id): "45"}
        # Read-only now: the page has no edit form, and a POST is refused without changing anything.
        page = soup(a.get(_path(funded)))
        assert page.select_one("[data-testid=bericht-lesen]") is not None
        assert page.select_one("textarea[name=projekt_konzept]") is None
        token = token_on(a, _path(funded), f"{_path(funded)}/korrektur")
        refused = a.post(_path(funded), data={**draft, "ergebnisse": "geändert", "csrf_token": token})
        assert refused.status_code == 409
        assert _versions(session, funded)[0].ergebnisse == "Feste Gruppe entstanden."
        # A correction is a new version; the submitted one is kept unchanged.
        assert (
            a.post(
                f"{_path(funded)}/korrektur", data={"grund": "Zahl korrigiert", "csrf_token": token}
            ).status_code
            == 303
        )
        assert _post(a, funded, {**draft, "teilnehmende_anzahl": "39", "aktion": "einreichen"}) == 303
    v1, v2 = _versions(session, funded)
    assert (v1.version, v1.status, v1.teilnehmende_anzahl) == (1, "eingereicht", 37)
    assert (v2.version, v2.status, v2.teilnehmende_anzahl, v2.korrekturgrund) == (
        2,
        "eingereicht",
        39,
        "Zahl korrigiert",
    )
    actions = session.exec(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "qualitaetsbericht")
        .order_by(col(AuditEntry.id))
    ).all()
    assert list(actions) == ["submit", "correct", "submit"]


def test_provider_b_cannot_read_or_write_a_report_of_a(
    funded: Funded, session: Session, settings: Settings
) -> None:
    with login_as(settings, "a@example.org") as a:
        assert _post(a, funded, {"ergebnisse": "Geheimer Bericht A", "aktion": "entwurf"}) == 303
    with login_as(settings, "b@example.org") as b:
        assert b.get(_path(funded)).status_code == 404
        page = b.get("/anbieter/qualitaet")
        assert "Geheimer Bericht A" not in page.text and funded.grant_a.projekt not in page.text
        own = f"/anbieter/qualitaet/{funded.grant_b.external_id}"
        token = token_on(b, own, own)
        response = b.post(
            _path(funded), data={"ergebnisse": "überschrieben", "aktion": "einreichen", "csrf_token": token}
        )
        assert response.status_code == 404
    [v1] = _versions(session, funded)
    assert (v1.status, v1.ergebnisse) == ("entwurf", "Geheimer Bericht A")


def test_reports_due_lists_unsubmitted_projects_with_traeger_and_date(
    funded: Funded, session: Session, settings: Settings
) -> None:
    from datetime import date

    from app.quality.models import Berichtsfrist
    from app.quality.service import reports_due

    assert reports_due(session, date(2026, 1, 1)) == []
    session.add(Berichtsfrist(jahr=2025, faellig_am=date(2026, 3, 31)))
    session.commit()
    due = reports_due(session, date(2026, 1, 1))
    assert [(d.foerderung.external_id, d.traeger.name, d.faellig_am, d.status) for d in due] == [
        ("LSZ-2025-001", "Familienhilfe Nord e.V.", date(2026, 3, 31), "fehlt"),
        ("LSZ-2025-002", "Generationen Süd gGmbH", date(2026, 3, 31), "fehlt"),
    ]
    with login_as(settings, "a@example.org") as a:
        assert _post(a, funded, {"ergebnisse": "fertig", "aktion": "einreichen"}) == 303
    session.expire_all()
    assert [d.foerderung.external_id for d in reports_due(session, date(2026, 1, 1))] == ["LSZ-2025-002"]


def test_admin_adds_and_removes_indicators_answered_ones_stay(
    funded: Funded, session: Session, settings: Settings
) -> None:
    page = "/verwaltung/qualitaetsdialog/indikatoren?jahr=2025"
    add = "/verwaltung/qualitaetsdialog/indikatoren"
    with login_as(settings, "admin@example.org") as admin:
        token = token_on(admin, page, add)
        bad = {
            "jahr": "2025",
            "handlungsfeld": "6",
            "bezeichnung": "Fest",
            "art": "zahl",
            "zielwert": "viele",
        }
        assert admin.post(add, data={**bad, "csrf_token": token}).status_code == 400
        for label in ("Generationenfest durchgeführt", "Tippfehler"):
            data = {
                "jahr": "2025",
                "handlungsfeld": "6",
                "bezeichnung": label,
                "art": "ja-nein",
                "zielwert": "ja",
            }
            assert admin.post(add, data={**data, "csrf_token": token}).status_code == 303
        session.expire_all()
        kept, typo = session.exec(select(Indikator).order_by(col(Indikator.id))).all()
        with login_as(settings, "a@example.org") as a:
            assert _post(a, funded, {f"indikator_{kept.id}": "ja", "aktion": "entwurf"}) == 303
        remove = "/verwaltung/qualitaetsdialog/indikatoren/{}/loeschen"
        assert (
            admin.post(remove.format(typo.id), data={"jahr": "2025", "csrf_token": token}).status_code == 303
        )
        refused = admin.post(remove.format(kept.id), data={"jahr": "2025", "csrf_token": token})
        assert refused.status_code == 409
    session.expire_all()
    assert [i.label for i in session.exec(select(Indikator)).all()] == ["Generationenfest durchgeführt"]
