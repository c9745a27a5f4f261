"""Foundation: migrations, settings, health, start page, error pages, security headers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from alembic import command
from alembic.util.exc import CommandError
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine, func, inspect
from sqlmodel import Session, select

from app.catalogue import vocab
from app.catalogue.models import Handlungsfeld, Ortsteil, Thema, Zielgruppe
from app.db import metadata
from app.migrate import alembic_config
from app.settings import Environment, Settings
from tests import factories


def test_upgrade_head_creates_every_model_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables
    assert "alembic_version" in tables


def test_models_and_migrations_do_not_drift(database_url: str) -> None:
    try:
        command.check(alembic_config(database_url))
    except CommandError as exc:  # pragma: no cover - the failure message is the diff
        pytest.fail(f"Models and migrations differ: {exc}")


def test_migration_seeds_the_30_ortsteile_and_vocabularies(session: Session) -> None:
    ortsteile = session.exec(select(Ortsteil)).all()
    assert len(ortsteile) == 30
    assert {o.planungsraum_code for o in ortsteile} == {p.code for p in vocab.PLANUNGSRAEUME}
    neulobeda = next(o for o in ortsteile if o.slug == "neulobeda")
    assert "Lobeda-West" in neulobeda.aliases
    assert session.exec(select(func.count()).select_from(Zielgruppe)).one() == 13
    assert session.exec(select(func.count()).select_from(Thema)).one() == 13
    hf6 = session.get_one(Handlungsfeld, 6)
    assert hf6.label_de == "Dialog der Generationen"


def test_production_refuses_missing_or_weak_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(env=Environment.production)
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(env=Environment.production, secret_key="changeme")
    strong = "k" * 48
    assert Settings(env=Environment.production, secret_key=strong).secret_key == strong


def test_healthz_reports_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_start_page_counts_only_public_offers(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        place = factories.einrichtung(session)
        factories.angebot(session, einrichtung_row=place, titel="Krabbelgruppe")
        factories.angebot(session, einrichtung_row=place, titel="Eltern-Kind-Turnen")
        factories.angebot(
            session, einrichtung_row=place, titel="Alt", gueltig_bis=date.today() - timedelta(days=1)
        )
        factories.angebot(session, einrichtung_row=place, titel="Versteckt", published=False)
        factories.angebot(session, einrichtung_row=place, titel="Zu", status="geschlossen")
        closed = factories.einrichtung(session, status="geschlossen")
        factories.angebot(session, einrichtung_row=closed, titel="Im geschlossenen Haus")
        session.commit()

    page = BeautifulSoup(client.get("/").text, "html.parser")
    assert page.html is not None and page.html["lang"] == "de"
    assert page.select_one("[data-testid=offer-count]").get_text() == "2"  # type: ignore[union-attr]
    assert page.select_one("[data-testid=institution-count]").get_text() == "1"  # type: ignore[union-attr]


def test_offer_list_links_to_detail_page(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        offer = factories.angebot(session, titel="Familiencafé <Treff>", verified_at=date(2026, 3, 5))
        external_id = offer.external_id
        session.commit()
    listing = BeautifulSoup(client.get("/angebote").text, "html.parser")
    link = listing.select_one(f"a[href='/angebote/{external_id}']")
    assert link is not None and link.get_text() == "Familiencafé <Treff>"
    detail = client.get(f"/angebote/{external_id}")
    assert detail.status_code == 200
    assert "<Treff>" not in detail.text  # escaped
    soup = BeautifulSoup(detail.text, "html.parser")
    assert soup.h1 is not None and soup.h1.get_text() == "Familiencafé <Treff>"
    assert "05.03.2026" in soup.get_text()


def test_unknown_page_is_a_german_404(client: TestClient) -> None:
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.h1 is not None and soup.h1.get_text() == "Seite nicht gefunden"


def test_server_error_page_is_german(settings: Settings) -> None:
    from app.main import create_app

    app = create_app(settings)

    @app.get("/kaputt")
    def broken() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/kaputt")
    assert response.status_code == 500
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.h1 is not None and soup.h1.get_text() == "Interner Fehler"
    assert "boom" not in response.text


def test_security_headers_on_pages_and_static(client: TestClient) -> None:
    for path in ("/", "/static/css/site.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"]
    assert "max-age" in client.get("/static/css/site.css").headers["cache-control"]
