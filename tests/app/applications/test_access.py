"""Who sees what: Träger only their own applications (never points), Prüfer no accounts, anonymous nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.applications.models import Antrag, Bewertung
from app.auth.models import UserAccount
from app.settings import Settings
from tests.app.applications.conftest import Cycle
from tests.app.auth.fixtures import login, login_as, post_form, soup, token_on


def test_anonymous_sees_nothing_of_the_funding_cycle(client: TestClient, cycle: Cycle) -> None:
    ext = cycle.antrag_a.external_id
    for path in (
        "/anbieter/antraege",
        f"/anbieter/antraege/{ext}",
        "/verwaltung/antraege",
        f"/verwaltung/antraege/{ext}",
        f"/verwaltung/antraege/rangliste?jahr={cycle.year}",
        f"/verwaltung/antraege/empfehlung?jahr={cycle.year}",
        f"/verwaltung/antraege/matrix.xlsx?jahr={cycle.year}",
    ):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/anmelden"), path
        assert "Elterncafé" not in response.text


def test_traeger_sees_own_application_status_but_not_others_nor_points(
    client: TestClient, cycle: Cycle
) -> None:
    assert login(client, "a@example.org").status_code == 303
    listing = client.get("/anbieter/antraege")
    assert listing.status_code == 200
    assert "Geheimes Elterncafé Nord" in listing.text and "Vertraulicher Seniorentreff" not in listing.text
    own = client.get(f"/anbieter/antraege/{cycle.antrag_a.external_id}")
    assert own.status_code == 200 and "in Prüfung" in own.text
    assert "Geheimgrund" not in own.text and "Punkte" not in own.text
    other = client.get(f"/anbieter/antraege/{cycle.antrag_b.external_id}")
    assert other.status_code == 404 and "Seniorentreff" not in other.text
    # Not even a submitted application of B can be changed through A's account.
    token = token_on(client, "/anbieter/antraege/neu", "/anbieter/antraege/neu")
    changed = client.post(
        f"/anbieter/antraege/{cycle.antrag_b.external_id}", data={"csrf_token": token, "projekt": "x"}
    )
    assert changed.status_code == 404
    for path in ("/verwaltung/antraege", f"/verwaltung/antraege/{cycle.antrag_a.external_id}"):
        assert client.get(path).status_code == 403


def test_pruefer_reviews_but_cannot_manage_accounts_or_decide(
    client: TestClient, cycle: Cycle, session: Session
) -> None:
    assert login(client, "pruefer@example.org").status_code == 303
    assert client.get("/verwaltung/antraege").status_code == 200
    for path in ("/verwaltung/konten", "/verwaltung", "/verwaltung/protokoll", "/verwaltung/import"):
        assert client.get(path).status_code == 403, path
    token = token_on(
        client,
        f"/verwaltung/antraege/{cycle.antrag_a.external_id}",
        f"/verwaltung/antraege/{cycle.antrag_a.external_id}/bewertung",
    )
    created = client.post(
        "/verwaltung/konten/einladen",
        data={"csrf_token": token, "email": "neu@example.org", "traeger": "T-1"},
    )
    assert created.status_code == 403
    locked = client.post(
        f"/verwaltung/konten/{cycle.world.provider_b.id}/sperren", data={"csrf_token": token}
    )
    assert locked.status_code == 403
    session.expire_all()
    assert session.get(UserAccount, cycle.world.provider_b.id).active  # type: ignore[union-attr]
    decided = client.post(
        f"/verwaltung/antraege/{cycle.antrag_a.external_id}/entscheidung",
        data={"csrf_token": token, "status": "beschlossen", "summe": "1.000"},
    )
    assert decided.status_code == 403
    session.expire_all()
    assert session.get(Antrag, cycle.antrag_a.id).status == "in-pruefung"  # type: ignore[union-attr]


def test_reviewer_sees_others_points_only_after_submitting_own(
    client: TestClient, cycle: Cycle, session: Session
) -> None:
    ext = cycle.antrag_a.external_id
    assert login(client, "pruefer@example.org").status_code == 303
    page = client.get(f"/verwaltung/antraege/{ext}")
    assert page.status_code == 200 and "Geheimgrund" not in page.text
    assert client.get(f"/verwaltung/antraege/rangliste?jahr={cycle.year}").status_code == 403
    # Incomplete form: re-rendered with the error, nothing saved.
    incomplete = post_form(
        client, f"/verwaltung/antraege/{ext}", f"/verwaltung/antraege/{ext}/bewertung",
        {f"punkte-{cycle.k1.id}": "4"},
    )  # fmt: skip
    assert incomplete.status_code == 422 and "Bitte alle Kriterien bewerten" in incomplete.text
    saved = post_form(
        client, f"/verwaltung/antraege/{ext}", f"/verwaltung/antraege/{ext}/bewertung",
        {f"punkte-{cycle.k1.id}": "4", f"begruendung-{cycle.k1.id}": "passt zum Fachplan",
         f"punkte-{cycle.k2.id}": "5", f"begruendung-{cycle.k2.id}": "keine Angebote im Ortsteil"},
    )  # fmt: skip
    assert saved.status_code == 303
    after = client.get(f"/verwaltung/antraege/{ext}")
    assert "Geheimgrund" in after.text
    rows = session.exec(select(Bewertung).where(Bewertung.pruefer == "pruefer@example.org")).all()
    assert sorted(b.punkte for b in rows) == [4, 5]
    # A second Prüfer who has not scored still sees neither points nor reasons.
    with login_as(client.app.state.settings, "pruefer2@example.org") as other:  # type: ignore[attr-defined]
        hidden = other.get(f"/verwaltung/antraege/{ext}")
        assert "passt zum Fachplan" not in hidden.text and "Geheimgrund" not in hidden.text


@pytest.mark.parametrize("path", ["/anbieter/antraege", "/verwaltung/antraege"])
def test_pages_are_private(client: TestClient, cycle: Cycle, path: str, settings: Settings) -> None:
    email = "a@example.org" if path.startswith("/anbieter") else "admin@example.org"
    with login_as(settings, email) as browser:
        response = browser.get(path)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        assert soup(response).select_one("h1") is not None
