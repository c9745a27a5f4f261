"""Users' evaluations: public form (CSRF, honeypot, limit), k-anonymous aggregate, German numbers, privacy."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.models import RateLimitEvent
from app.i18n import current_locale
from app.quality.evaluation import Aggregate, format_aggregate
from app.quality.models import Nutzerbewertung
from app.settings import Settings
from tests.app.auth.fixtures import login_as, new_client, soup, text_of, token_on
from tests.app.quality.conftest import Funded


def _offer_page(funded: Funded) -> str:
    return f"/angebote/{funded.world.angebot_a.external_id}"


def _action(funded: Funded) -> str:
    return f"/angebote/{funded.world.angebot_a.external_id}/bewertung"


def _evaluate(client: TestClient, funded: Funded, score: int, recommend: str, comment: str = "") -> int:
    token = token_on(client, _offer_page(funded), _action(funded))
    data = {
        "zufriedenheit": str(score),
        "weiterempfehlen": recommend,
        "kommentar": comment,
        "csrf_token": token,
    }
    return client.post(_action(funded), data=data).status_code


def _rows(session: Session) -> list[Nutzerbewertung]:
    session.expire_all()
    return list(session.exec(select(Nutzerbewertung)).all())


def _aggregate_text(client: TestClient, funded: Funded) -> str:
    page = client.get(f"/foerderung/projekte/{funded.grant_a.external_id}")
    assert page.status_code == 200
    return text_of(page, "[data-testid=bewertung-aggregat]").strip()


def test_offer_page_shows_funding_and_accessible_form(client: TestClient, funded: Funded) -> None:
    page = soup(client.get(_offer_page(funded)))
    note = page.select_one("[data-testid=lsz-foerderung]")
    assert note is not None and "Krabbeltreff im Norden" in note.get_text()
    assert note.select_one(f"a[href='/foerderung/projekte/{funded.grant_a.external_id}']") is not None
    form = page.select_one(f"form[action='{_action(funded)}']")
    assert form is not None and form.select_one("input[name=csrf_token]") is not None
    legends = [f.select_one("legend") for f in form.select("fieldset")]
    assert len(legends) == 2 and all(legends)
    assert [i["value"] for i in form.select("input[name=zufriedenheit]")] == ["1", "2", "3", "4", "5"]
    assert [i["value"] for i in form.select("input[name=weiterempfehlen]")] == ["ja", "nein"]
    assert all(i.find_parent("label") for i in form.select("input[type=radio]"))
    comment = form.select_one("textarea[name=kommentar]")
    assert comment is not None and comment["maxlength"] == "1000"


def test_offer_without_funding_has_no_form_and_refuses_posts(
    client: TestClient, funded: Funded, session: Session
) -> None:
    session.delete(funded.grant_a)
    session.commit()
    page = soup(client.get(_offer_page(funded)))
    assert page.select_one("[data-testid=lsz-foerderung]") is None
    token = token_on(client, _offer_page(funded), f"/rueckmeldung/{funded.world.angebot_a.external_id}")
    response = client.post(
        _action(funded), data={"zufriedenheit": "5", "weiterempfehlen": "ja", "csrf_token": token}
    )
    assert response.status_code == 404
    assert _rows(session) == []


def test_four_evaluations_stay_hidden_the_fifth_shows_the_aggregate(
    client: TestClient, funded: Funded, session: Session
) -> None:
    for score, recommend in [(5, "ja"), (4, "nein"), (3, "nein"), (4, "ja")]:
        assert _evaluate(client, funded, score, recommend) == 200
    assert _aggregate_text(client, funded) == "noch zu wenige Bewertungen"
    assert _evaluate(client, funded, 4, "nein") == 200
    # (5 + 4 + 3 + 4 + 4) / 5 = 4,0; 2 of 5 recommend = 40 %
    assert _aggregate_text(client, funded) == "Ø 4,0 von 5 aus 5 Bewertungen · 40 % würden es weiterempfehlen"
    assert _evaluate(client, funded, 2, "nein") == 200
    assert _aggregate_text(client, funded) == "Ø 3,7 von 5 aus 6 Bewertungen · 33 % würden es weiterempfehlen"
    # The other Träger's project is not affected.
    other = client.get(f"/foerderung/projekte/{funded.grant_b.external_id}")
    assert text_of(other, "[data-testid=bewertung-aggregat]").strip() == "noch zu wenige Bewertungen"


def test_german_number_format() -> None:
    token = current_locale.set("de")
    try:
        text = format_aggregate(Aggregate(1234, 4.25, 2 / 3))
    finally:
        current_locale.reset(token)
    assert text == "Ø 4,2 von 5 aus 1.234 Bewertungen · 67 % würden es weiterempfehlen" or text == (
        "Ø 4,3 von 5 aus 1.234 Bewertungen · 67 % würden es weiterempfehlen"
    )
    assert format_aggregate(Aggregate(4, 5.0, 1.0)) == "noch zu wenige Bewertungen"


def test_invalid_input_rerenders_with_field_errors(
    client: TestClient, funded: Funded, session: Session
) -> None:
    token = token_on(client, _offer_page(funded), _action(funded))
    response = client.post(
        _action(funded),
        data={"zufriedenheit": "7", "weiterempfehlen": "", "kommentar": "x" * 1001, "csrf_token": token},
    )
    assert response.status_code == 400
    page = soup(response)
    for field in ("zufriedenheit", "weiterempfehlen", "kommentar"):
        assert page.select_one(f"#bew-fehler-{field}") is not None, field
    kept = page.select_one("textarea[name=kommentar]")
    assert kept is not None and kept.get_text() == "x" * 1001
    assert _rows(session) == []


def test_csrf_is_required(client: TestClient, funded: Funded, session: Session) -> None:
    client.get(_offer_page(funded))
    data = {"zufriedenheit": "5", "weiterempfehlen": "ja"}
    assert client.post(_action(funded), data=data).status_code == 403
    assert client.post(_action(funded), data={**data, "csrf_token": "a" * 64}).status_code == 403
    assert _rows(session) == []


def test_honeypot_looks_like_success_and_stores_nothing(
    client: TestClient, funded: Funded, session: Session
) -> None:
    token = token_on(client, _offer_page(funded), _action(funded))
    data = {
        "zufriedenheit": "5",
        "weiterempfehlen": "ja",
        "website": "http://spam.example",
        "csrf_token": token,
    }
    response = client.post(_action(funded), data=data)
    assert response.status_code == 200 and "Danke" in response.text
    assert _rows(session) == []


def test_rate_limit_per_ip_as_for_feedback(funded: Funded, session: Session, settings: Settings) -> None:
    limited = settings.model_copy(update={"evaluation_max_posts": 3})
    with new_client(limited) as browser:
        assert _evaluate(browser, funded, 9, "ja") == 400  # a form with mistakes does not count
        for _ in range(3):
            assert _evaluate(browser, funded, 5, "ja") == 200
        assert _evaluate(browser, funded, 5, "ja") == 429
    assert len(_rows(session)) == 3
    # The limiter keeps keyed hashes only, never the address itself.
    keys = [e.key for e in session.exec(select(RateLimitEvent)).all()]
    assert keys and all("testclient" not in k and len(k) == 64 for k in keys)


def test_evaluation_stores_no_ip_and_comment_is_private(
    client: TestClient, funded: Funded, session: Session, settings: Settings
) -> None:
    assert _evaluate(client, funded, 5, "ja", "Sehr herzliche Leitung, danke!") == 200
    row = _rows(session)[0]
    assert set(Nutzerbewertung.model_fields) == {
        "id",
        "angebot_id",
        "zufriedenheit",
        "weiterempfehlen",
        "kommentar",
        "created_at",
    }
    assert row.kommentar == "Sehr herzliche Leitung, danke!"
    # Not on public pages …
    for path in (_offer_page(funded), f"/foerderung/projekte/{funded.grant_a.external_id}"):
        assert "herzliche Leitung" not in client.get(path).text
    # … visible to Träger A (own project), not to Träger B.
    with login_as(settings, "a@example.org") as a:
        assert "herzliche Leitung" in a.get("/anbieter/qualitaet").text
    with login_as(settings, "b@example.org") as b:
        assert "herzliche Leitung" not in b.get("/anbieter/qualitaet").text
        assert b.get(f"/anbieter/qualitaet/{funded.grant_a.external_id}").status_code == 404


def test_privacy_page_states_retention_from_settings(client: TestClient, settings: Settings) -> None:
    page = client.get("/datenschutz")
    text = text_of(page, "[data-testid=bewertung-aufbewahrung]")
    assert f"{settings.evaluation_comment_retention_days} Tagen" in text
    assert f"{settings.evaluation_retention_days} Tagen" in text
    assert "IP-Adresse" in text_of(page, "[data-testid=bewertung-datenschutz]")


def test_retention_deletes_old_comments_then_old_evaluations(
    client: TestClient, funded: Funded, session: Session, settings: Settings
) -> None:
    from datetime import timedelta

    from app.db import utcnow

    offer_id = funded.world.angebot_a.id
    assert offer_id is not None
    now = utcnow()
    comment_age = timedelta(days=settings.evaluation_comment_retention_days + 1)
    full_age = timedelta(days=settings.evaluation_retention_days + 1)
    session.add_all(
        [
            Nutzerbewertung(
                angebot_id=offer_id,
                zufriedenheit=4,
                weiterempfehlen=True,
                kommentar="alt",
                created_at=now - comment_age,
            ),
            Nutzerbewertung(
                angebot_id=offer_id,
                zufriedenheit=2,
                weiterempfehlen=False,
                kommentar="uralt",
                created_at=now - full_age,
            ),
        ]
    )
    session.commit()
    assert _evaluate(client, funded, 5, "ja", "neu") == 200
    rows = sorted(_rows(session), key=lambda r: r.created_at)
    assert [(r.zufriedenheit, r.kommentar) for r in rows] == [(4, None), (5, "neu")]


def test_an_evaluation_moves_the_page_cache_version(
    client: TestClient, funded: Funded, session: Session
) -> None:
    """Other workers' cached project pages must not keep an old average."""
    from app.page_cache import catalogue_version

    bind = session.get_bind()
    before = catalogue_version(bind)  # type: ignore[arg-type]
    assert _evaluate(client, funded, 3, "nein") == 200
    assert catalogue_version(bind) != before  # type: ignore[arg-type]
