"""Public feedback: helpful yes/no, error reports, honeypot, rate limit, CSRF; seen by admin and owner."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import utcnow
from app.feedback.models import Feedback
from app.settings import Settings
from tests.app.auth.fixtures import World, login_as, soup, text_of, token_on


def _action(world: World) -> str:
    return f"/rueckmeldung/{world.angebot_a.external_id}"


def _token(client: TestClient, world: World) -> str:
    return token_on(client, f"/angebote/{world.angebot_a.external_id}", _action(world))


def _rows(session: Session) -> list[Feedback]:
    session.expire_all()
    return list(session.exec(select(Feedback)).all())


def test_offer_page_carries_both_forms_without_javascript(client: TestClient, world: World) -> None:
    page = soup(client.get(f"/angebote/{world.angebot_a.external_id}"))
    forms = page.select(f"form[action='{_action(world)}']")
    assert len(forms) == 2
    assert {b["value"] for b in forms[0].select("button[name=hilfreich]")} == {"ja", "nein"}
    assert forms[1].select_one("label[for=fb-nachricht]") is not None
    assert all(f.select_one("input[name=csrf_token]") for f in forms)


def test_helpful_votes_and_error_report_are_stored(
    client: TestClient, world: World, session: Session
) -> None:
    token = _token(client, world)
    assert (
        client.post(
            _action(world), data={"art": "hilfreich", "hilfreich": "ja", "csrf_token": token}
        ).status_code
        == 200
    )
    assert (
        client.post(
            _action(world), data={"art": "hilfreich", "hilfreich": "nein", "csrf_token": token}
        ).status_code
        == 200
    )
    report = {
        "art": "fehler",
        "nachricht": "Die Gruppe trifft sich jetzt mittwochs.",
        "kontakt": "",
        "csrf_token": token,
    }
    response = client.post(_action(world), data=report)
    assert response.status_code == 200 and "Danke" in response.text
    rows = _rows(session)
    assert sorted((r.kind, r.helpful, r.message, r.contact) for r in rows) == [
        ("fehler", None, "Die Gruppe trifft sich jetzt mittwochs.", None),
        ("hilfreich", False, None, None),
        ("hilfreich", True, None, None),
    ]


def test_error_report_needs_a_message_and_refuses_disguised_text(
    client: TestClient, world: World, session: Session
) -> None:
    token = _token(client, world)
    empty = client.post(_action(world), data={"art": "fehler", "nachricht": "   ", "csrf_token": token})
    assert empty.status_code == 400
    assert "was nicht stimmt" in text_of(empty, "#fb-fehler-nachricht")
    rtl = client.post(
        _action(world), data={"art": "fehler", "nachricht": "ok \u202eevil", "csrf_token": token}
    )
    assert rtl.status_code == 400 and "unsichtbare" in text_of(rtl, "#fb-fehler-nachricht")
    too_long = client.post(
        _action(world), data={"art": "fehler", "nachricht": "x" * 2001, "csrf_token": token}
    )
    assert too_long.status_code == 400 and "2000" in text_of(too_long, "#fb-fehler-nachricht")
    # What was typed comes back in the form.
    assert soup(too_long).select_one("#fb-nachricht").get_text() == "x" * 2001  # type: ignore[union-attr]
    assert _rows(session) == []


def test_honeypot_looks_like_success_but_stores_nothing(
    client: TestClient, world: World, session: Session
) -> None:
    data = {
        "art": "fehler",
        "nachricht": "Billige Uhren",
        "website": "http://spam.example",
        "csrf_token": _token(client, world),
    }
    response = client.post(_action(world), data=data)
    assert response.status_code == 200 and "Danke" in response.text
    assert _rows(session) == []


def test_rate_limit_per_ip(client: TestClient, world: World, session: Session, settings: Settings) -> None:
    token = _token(client, world)
    vote = {"art": "hilfreich", "hilfreich": "ja", "csrf_token": token}
    for _ in range(settings.feedback_max_posts):
        assert client.post(_action(world), data=vote).status_code == 200
    blocked = client.post(_action(world), data=vote)
    assert blocked.status_code == 429
    assert "später" in text_of(blocked, "#rueckmeldung-hinweis")
    assert len(_rows(session)) == settings.feedback_max_posts


def test_csrf_missing_or_foreign_is_refused(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    vote = {"art": "hilfreich", "hilfreich": "ja"}
    client.get(f"/angebote/{world.angebot_a.external_id}")
    assert client.post(_action(world), data=vote).status_code == 403
    assert client.post(_action(world), data={**vote, "csrf_token": "a" * 64}).status_code == 403
    assert _rows(session) == []


def test_unknown_offer_is_404(client: TestClient, world: World) -> None:
    token = _token(client, world)
    assert (
        client.post(
            "/rueckmeldung/A-GIBTSNICHT", data={"art": "hilfreich", "hilfreich": "ja", "csrf_token": token}
        ).status_code
        == 404
    )


def test_feedback_is_visible_to_admin_and_owning_provider_only(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    token = _token(client, world)
    message = '<script>alert("x")</script> Telefonnummer falsch'
    client.post(
        _action(world),
        data={"art": "fehler", "nachricht": message, "kontakt": "leser@example.org", "csrf_token": token},
    )
    client.post(_action(world), data={"art": "hilfreich", "hilfreich": "ja", "csrf_token": token})
    with login_as(settings, "admin@example.org") as admin:
        overview = admin.get("/verwaltung")
        assert text_of(overview, "#zahl-fehler").strip() == "1"
        assert "1 ja / 0 nein" in text_of(overview, "#zahl-hilfreich")
        page = admin.get("/verwaltung/rueckmeldungen")
        html = soup(page)
        assert html.select("main script") == []
        assert text_of(page, ".feedback-message") == message
        assert text_of(page, ".feedback-contact") == "leser@example.org"
        [row] = [r for r in _rows(session) if r.kind == "fehler"]
        action = f"/verwaltung/rueckmeldungen/{row.id}/loeschen"
        assert (
            admin.post(
                action, data={"csrf_token": token_on(admin, "/verwaltung/rueckmeldungen", action)}
            ).status_code
            == 303
        )
    assert [r.kind for r in _rows(session)] == ["hilfreich"]
    with login_as(settings, "a@example.org") as owner:
        dashboard = owner.get("/anbieter").text
        assert "Fehler gemeldet: 0" in dashboard and "hilfreich: 1 ja / 0 nein" in dashboard
    with login_as(settings, "b@example.org") as other:
        assert "hilfreich: 1 ja" not in other.get("/anbieter").text


def test_owner_sees_error_report_text_but_not_contact(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    token = _token(client, world)
    client.post(
        _action(world),
        data={
            "art": "fehler",
            "nachricht": "Adresse veraltet",
            "kontakt": "geheim@example.org",
            "csrf_token": token,
        },
    )
    with login_as(settings, "a@example.org") as owner:
        page = owner.get("/anbieter").text
        assert "Adresse veraltet" in page and "Fehler gemeldet: 1" in page
        assert "geheim@example.org" not in page
    with login_as(settings, "b@example.org") as other:
        assert "Adresse veraltet" not in other.get("/anbieter").text


def test_error_reports_are_deleted_after_six_months(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    old = Feedback(angebot_id=world.angebot_a.id, kind="fehler", message="uralt", contact="alt@example.org",  # type: ignore[arg-type]
                   created_at=utcnow() - timedelta(days=200))  # fmt: skip
    recent = Feedback(angebot_id=world.angebot_a.id, kind="fehler", message="neu",  # type: ignore[arg-type]
                      created_at=utcnow() - timedelta(days=100))  # fmt: skip
    vote = Feedback(angebot_id=world.angebot_a.id, kind="hilfreich", helpful=True,  # type: ignore[arg-type]
                    created_at=utcnow() - timedelta(days=400))  # fmt: skip
    session.add_all([old, recent, vote])
    session.commit()
    with login_as(settings, "admin@example.org") as admin:
        page = admin.get("/verwaltung/rueckmeldungen").text
    assert "uralt" not in page and "neu" in page
    assert sorted((r.kind, r.message) for r in _rows(session)) == [("fehler", "neu"), ("hilfreich", None)]
