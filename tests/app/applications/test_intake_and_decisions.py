"""Online intake (draft → submitted) and the decision that turns an application into a public Förderung."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.applications.models import Antrag
from app.audit.models import AuditEntry
from app.catalogue.models import Foerderung
from tests.app.applications.conftest import Cycle
from tests.app.auth.fixtures import login, post_form

FORM = {
    "projekt": "Neues Familienfrühstück",
    "handlungsfeld": "3",
    "ortsteile": ["neulobeda", "winzerla"],
    "zielgruppen": ["familien"],
    "summe": "7.500,50",
    "art": "pilot",
    "beschreibung": "Frühstück für Familien.",
}


def test_traeger_writes_a_draft_then_submits_it(client: TestClient, cycle: Cycle, session: Session) -> None:
    assert login(client, "a@example.org").status_code == 303
    bad = post_form(
        client,
        "/anbieter/antraege/neu",
        "/anbieter/antraege/neu",
        {**FORM, "jahr": str(cycle.year), "summe": "viel"},
    )
    assert bad.status_code == 422 and "Betrag" in bad.text and "Neues Familienfrühstück" in bad.text
    draft = post_form(
        client,
        "/anbieter/antraege/neu",
        "/anbieter/antraege/neu",
        {**FORM, "jahr": str(cycle.year), "aktion": "entwurf"},
    )
    assert draft.status_code == 303
    antrag = session.exec(select(Antrag).where(Antrag.projekt == "Neues Familienfrühstück")).one()
    assert (antrag.status, antrag.summe_cents, antrag.traeger_id) == (
        "entwurf",
        750_050,
        cycle.world.traeger_a.id,
    )
    assert antrag.external_id == f"AN-{cycle.year}-003"
    # A draft is not yet the city's: reviewers do not see it.
    with_admin = client  # same browser, still the Träger
    page = with_admin.get(f"/anbieter/antraege/{antrag.external_id}")
    assert page.status_code == 200 and "Antrag einreichen" in page.text
    submitted = post_form(
        client, f"/anbieter/antraege/{antrag.external_id}", f"/anbieter/antraege/{antrag.external_id}",
        {**FORM, "jahr": str(cycle.year), "aktion": "einreichen"},
    )  # fmt: skip
    assert submitted.status_code == 303
    session.expire_all()
    antrag = session.get(Antrag, antrag.id)  # type: ignore[assignment]
    assert antrag.status == "eingegangen" and antrag.eingang is not None
    assert "eingegangen" in client.get("/anbieter/antraege").text
    again = post_form(
        client,
        "/anbieter/antraege",
        f"/anbieter/antraege/{antrag.external_id}",
        {**FORM, "jahr": str(cycle.year)},
    )
    assert again.status_code == 409  # submitted applications are no longer editable
    page = f"/anbieter/antraege/{antrag.external_id}"
    assert post_form(client, page, f"{page}/zurueckziehen", {}).status_code == 303
    session.expire_all()
    assert session.get(Antrag, antrag.id).status == "zurueckgezogen"  # type: ignore[union-attr]
    assert post_form(client, "/anbieter/antraege", f"{page}/zurueckziehen", {}).status_code == 409
    actions = {
        e.action for e in session.exec(select(AuditEntry).where(AuditEntry.entity_id == antrag.external_id))
    }
    assert {"create", "submit", "withdraw"} <= actions


def test_undecided_applications_are_never_public(client: TestClient, cycle: Cycle) -> None:
    secret = "Geheimes Elterncafé Nord"
    for path in (
        "/foerderung",
        f"/foerderung?jahr={cycle.year}",
        "/api/v1/funding",
        f"/api/v1/funding?year={cycle.year}",
        "/foerderung/download/alle/foerderungen.json",
        "/foerderung/download/alle/foerderungen.csv",
        "/foerderung/download/alle/foerderungen-360giving.json",
        "/api/hsds/services",
        "/api/hsds/organizations",
        "/daten",
    ):
        response = client.get(path)
        assert secret not in response.text, path
        assert cycle.antrag_a.external_id not in response.text, path
    project = client.get(f"/foerderung/projekte/{cycle.antrag_a.external_id}")
    assert project.status_code == 404 and secret not in project.text


def test_beschlossen_creates_the_foerderung_and_abgelehnt_closes_it(
    client: TestClient, cycle: Cycle, session: Session
) -> None:
    ext = cycle.antrag_a.external_id
    assert login(client, "admin@example.org").status_code == 303
    missing_amount = post_form(
        client,
        f"/verwaltung/antraege/{ext}",
        f"/verwaltung/antraege/{ext}/entscheidung",
        {"status": "beschlossen"},
    )
    assert missing_amount.status_code == 422 and "bewilligte Summe" in missing_amount.text
    decided = post_form(
        client, f"/verwaltung/antraege/{ext}", f"/verwaltung/antraege/{ext}/entscheidung",
        {"status": "beschlossen", "summe": "10.000,00", "datum": "15.03.2027"},
    )  # fmt: skip
    assert decided.status_code == 303
    foerderung = session.exec(select(Foerderung).where(Foerderung.external_id == ext)).one()
    assert (foerderung.betrag_cents, foerderung.jahr, foerderung.published) == (10_000_00, cycle.year, True)
    assert [o.slug for o in foerderung.ortsteile] == ["jena-nord"]
    public = client.get(f"/foerderung?jahr={cycle.year}")
    assert "Geheimes Elterncafé Nord" in public.text
    api = client.get("/api/v1/funding", params={"year": cycle.year}).json()
    assert [i["id"] for i in api["items"]] == [ext]
    # Still undecided: B stays private.
    assert "Vertraulicher Seniorentreff" not in public.text
    rejected = post_form(
        client,
        f"/verwaltung/antraege/{ext}",
        f"/verwaltung/antraege/{ext}/entscheidung",
        {"status": "abgelehnt"},
    )
    assert rejected.status_code == 303
    session.expire_all()
    assert session.get(Foerderung, foerderung.id).published is False  # type: ignore[union-attr]
    assert "Geheimes Elterncafé Nord" not in client.get(f"/foerderung?jahr={cycle.year}").text
    assert session.get(Antrag, cycle.antrag_a.id).status == "abgelehnt"  # type: ignore[union-attr]


def test_ranking_page_states_the_rule_and_exports(client: TestClient, cycle: Cycle) -> None:
    assert login(client, "admin@example.org").status_code == 303
    page = client.get(f"/verwaltung/antraege/rangliste?jahr={cycle.year}")
    assert page.status_code == 200
    assert "Gewicht % × Mittelwert ÷ 5 × 100" in page.text and "unvollständig bewertet" in page.text
    printable = client.get(f"/verwaltung/antraege/empfehlung?jahr={cycle.year}")
    assert (
        printable.status_code == 200
        and "Sozialausschuss" in printable.text
        and "applications.css" in printable.text
    )
    xlsx = client.get(f"/verwaltung/antraege/matrix.xlsx?jahr={cycle.year}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_matrix_xlsx_has_reviewers_per_criterion_and_keeps_text_as_text(
    client: TestClient, cycle: Cycle, session: Session
) -> None:
    antrag = session.get(Antrag, cycle.antrag_b.id)
    assert antrag is not None
    antrag.projekt = '=HYPERLINK("http://example.org","klick")'
    session.add(antrag)
    session.commit()
    assert login(client, "admin@example.org").status_code == 303
    response = client.get(f"/verwaltung/antraege/matrix.xlsx?jahr={cycle.year}")
    sheet = load_workbook(io.BytesIO(response.content))["Rangliste"]
    header = [c.value for c in sheet[1]]
    assert "K1 – FD Soziales" in header and "K2 – FD Soziales" in header and "Uneinig" in header
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=2)}
    a = rows[cycle.antrag_a.external_id]
    # A: K1 1 point, K2 2 points from FD Soziales → 60 × 1/5 + 40 × 2/5 = 28
    assert (a[0].value, a[5].value, a[6].value) == (1, 28.0, "im Budget")
    b = rows[cycle.antrag_b.external_id]
    assert b[2].value == '=HYPERLINK("http://example.org","klick")' and b[2].data_type == "s"
    assert (b[0].value, b[6].value) == (None, "unvollständig bewertet")
