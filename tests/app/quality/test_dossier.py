"""The admin dossier and overview: access, contents (report, indicators, evaluations, feedback), minutes."""

from __future__ import annotations

from datetime import date

from bs4 import Tag
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.feedback.models import Feedback
from app.quality.models import Indikator, Massnahme, Nutzerbewertung, Qualitaetsbericht, Qualitaetsdialog
from app.settings import Settings
from tests.app.auth.fixtures import login_as, soup, text_of, token_on
from tests.app.quality.conftest import Funded


def _text(node: Tag, selector: str) -> str:
    found = node.select_one(selector)
    assert found is not None, selector
    return found.get_text()


def _dossier(funded: Funded) -> str:
    return f"/verwaltung/qualitaetsdialog/{funded.grant_a.external_id}"


def test_anonymous_and_providers_cannot_open_dossiers(
    client: TestClient, funded: Funded, settings: Settings
) -> None:
    response = client.get(_dossier(funded))
    assert response.status_code == 303 and response.headers["location"].startswith("/anmelden")
    assert client.get("/verwaltung/qualitaetsdialog").status_code == 303
    with login_as(settings, "a@example.org") as a:
        assert a.get(_dossier(funded)).status_code == 403
        assert a.get("/verwaltung/qualitaetsdialog").status_code == 403


def test_dossier_shows_report_indicators_evaluations_feedback(
    funded: Funded, session: Session, settings: Settings
) -> None:
    offer_id = funded.world.angebot_a.id
    assert offer_id is not None
    target = Indikator(
        handlungsfeld_number=6, jahr=2025, label="Erreichte Familien", art="zahl", zielwert="30"
    )
    session.add(target)
    session.flush()
    session.add(
        Qualitaetsbericht(
            foerderung_id=funded.grant_a.id,  # type: ignore[arg-type]
            jahr=2025,
            status="eingereicht",
            ergebnisse="Neue Elterngruppe gegründet.",
            teilnehmende_anzahl=1234,
            indikatoren={str(target.id): "25"},
        )
    )
    for score, rec, comment in [
        (5, True, "Toll"),
        (4, True, None),
        (2, False, "Zu voll"),
        (4, False, None),
        (5, True, None),
    ]:
        session.add(
            Nutzerbewertung(angebot_id=offer_id, zufriedenheit=score, weiterempfehlen=rec, kommentar=comment)
        )
    session.add(Feedback(angebot_id=offer_id, kind="fehler", message="Telefonnummer veraltet"))
    session.add(Feedback(angebot_id=offer_id, kind="hilfreich", helpful=True))
    session.commit()
    with login_as(settings, "admin@example.org") as admin:
        page = admin.get(_dossier(funded))
        assert page.status_code == 200
        assert "Neue Elterngruppe gegründet." in text_of(page, "[data-testid=dossier-bericht]")
        assert "1.234" in text_of(page, "[data-testid=dossier-bericht]")
        row = soup(page).select_one("[data-testid=indikatoren] tbody tr")
        assert row is not None and "Ziel nicht erreicht" in row.get_text() and "25" in row.get_text()
        assert text_of(page, "[data-testid=dossier-aggregat]").strip() == (
            "Gesamt: Ø 4,0 von 5 aus 5 Bewertungen · 60 % würden es weiterempfehlen"
        )
        assert str(date.today().year) in text_of(page, "[data-testid=bewertung-jahre]")
        comments = text_of(page, "[data-testid=dossier-kommentare]")
        assert "Toll" in comments and "Zu voll" in comments
        feedback = text_of(page, "[data-testid=dossier-feedback]")
        assert "ja: 1" in feedback and "davon offen: 1" in feedback
        assert "Telefonnummer veraltet" in page.text
        assert text_of(page, "[data-testid=traeger-meldungen]").endswith(": 1")
        assert "12.500,00" in text_of(page, "[data-testid=foerdersumme]")
        # Overview: status and average per project of the year.
        overview = soup(admin.get("/verwaltung/qualitaetsdialog?jahr=2025"))
        row_a = overview.select_one(f"tr[data-foerder-id='{funded.grant_a.external_id}']")
        row_b = overview.select_one(f"tr[data-foerder-id='{funded.grant_b.external_id}']")
        assert row_a is not None and row_b is not None
        assert _text(row_a, "[data-testid=status]") == "eingereicht"
        assert "Ø 4,0 von 5" in _text(row_a, "[data-testid=bewertung]")
        assert _text(row_a, "[data-testid=offen]") == "1" and _text(row_b, "[data-testid=offen]") == "0"
        assert _text(row_b, "[data-testid=status]") == "fehlt"
        assert _text(row_b, "[data-testid=bewertung]") == "noch zu wenige Bewertungen"


def test_minutes_and_actions_are_recorded_and_mark_discussed(
    funded: Funded, session: Session, settings: Settings
) -> None:
    with login_as(settings, "admin@example.org") as admin:
        action = f"{_dossier(funded)}/protokoll"
        token = token_on(admin, _dossier(funded), action)
        data = {"gespraech_am": "12.03.2026", "protokoll": "Gruppe läuft gut.", "csrf_token": token}
        assert admin.post(action, data=data).status_code == 303
        bad = admin.post(f"{_dossier(funded)}/massnahmen", data={"text": "", "csrf_token": token})
        assert bad.status_code == 400
        good = {"text": "Zweiten Termin anbieten", "wiedervorlage_am": "30.09.2026", "csrf_token": token}
        assert admin.post(f"{_dossier(funded)}/massnahmen", data=good).status_code == 303
        page = admin.get(_dossier(funded))
        assert "Zweiten Termin anbieten" in text_of(page, "[data-testid=massnahmen]")
        assert "30.09.2026" in text_of(page, "[data-testid=massnahmen]")
        assert text_of(page, "[data-testid=dossier-status]") == "besprochen"
    session.expire_all()
    dialog = session.get(Qualitaetsdialog, funded.grant_a.id)
    assert dialog is not None and dialog.gespraech_am == date(2026, 3, 12)
    assert [m.text for m in session.exec(select(Massnahme)).all()] == ["Zweiten Termin anbieten"]


def test_admin_links_offers_online_unknown_ids_are_refused(
    client: TestClient, funded: Funded, session: Session, settings: Settings
) -> None:
    with login_as(settings, "admin@example.org") as admin:
        action = f"{_dossier(funded)}/angebote"
        token = token_on(admin, _dossier(funded), action)
        bad = admin.post(action, data={"angebote": "A-GIBTSNICHT", "csrf_token": token})
        assert bad.status_code == 400 and "A-GIBTSNICHT" in bad.text
        both = f"{funded.world.angebot_a.external_id}; {funded.world.angebot_b.external_id}"
        assert admin.post(action, data={"angebote": both, "csrf_token": token}).status_code == 303
    session.expire_all()
    grant = session.get(type(funded.grant_a), funded.grant_a.id)
    assert grant is not None and sorted(a.external_id for a in grant.angebote) == sorted(
        [funded.world.angebot_a.external_id, funded.world.angebot_b.external_id]
    )
    assert "angebote" in grant.online_edits
    page = soup(client.get(f"/foerderung/projekte/{funded.grant_a.external_id}"))
    titles = [a.get_text() for a in page.select("[data-testid=projekt-angebote] a")]
    assert titles == ["Krabbelgruppe Nord", "Seniorencafé Süd"]
    note = soup(client.get(f"/angebote/{funded.world.angebot_b.external_id}")).select_one(
        "[data-testid=lsz-foerderung]"
    )
    assert note is not None and "Krabbeltreff im Norden" in note.get_text()


def test_open_data_has_aggregates_not_comments(client: TestClient, funded: Funded, session: Session) -> None:
    offer_id = funded.world.angebot_a.id
    assert offer_id is not None
    for score, rec in [(5, True), (4, True), (3, False), (4, False)]:
        session.add(
            Nutzerbewertung(angebot_id=offer_id, zufriedenheit=score, weiterempfehlen=rec, kommentar="Geheim")
        )
    session.commit()

    def item() -> dict:
        body = client.get("/api/v1/funding", params={"year": 2025}).json()
        return next(i for i in body["items"] if i["id"] == funded.grant_a.external_id)

    assert item()["evaluation"] == {"count": 4, "average": None, "recommend_percent": None}
    assert item()["offer_ids"] == [funded.world.angebot_a.external_id]
    session.add(Nutzerbewertung(angebot_id=offer_id, zufriedenheit=4, weiterempfehlen=True))
    session.commit()
    assert item()["evaluation"] == {"count": 5, "average": 4.0, "recommend_percent": 60}
    excel = client.get("/foerderung/download/2025/foerderungen-excel.csv")
    lines = excel.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    row = next(line for line in lines if line.startswith(funded.grant_a.external_id)).split(";")
    assert row[header.index("Bewertungen")] == "5"
    assert row[header.index("Zufriedenheit (Ø 1–5)")] == "4,0"
    assert row[header.index("Weiterempfehlung (%)")] == "60"
    document = client.get("/foerderung/download/2025/foerderungen.json")
    assert "Geheim" not in document.text and "Geheim" not in excel.text
    grant = next(i for i in document.json()["items"] if i["id"] == funded.grant_a.external_id)
    assert grant["bewertung"] == {"anzahl": 5, "zufriedenheit_mittel": 4.0, "weiterempfehlung_prozent": 60}
