"""Between a commit and the index update: hits the database no longer publishes are dropped, and ``total``
counts only what can be shown (pages never show fewer items than they claim)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col

from app.catalogue.models import Angebot
from app.main import create_app
from app.settings import Environment
from tests.search.conftest import World


def test_unpublished_but_still_indexed_offer_is_not_counted(fresh_world: World) -> None:
    before = fresh_world.find("Beratung")
    assert fresh_world.ids["schwanger"] in before.ids and before.total == len(before.ids)
    with Session(fresh_world.engine) as session:  # committed, index not yet updated
        session.execute(
            update(Angebot)
            .where(col(Angebot.external_id) == fresh_world.ids["schwanger"])
            .values(published=False)
        )
        session.commit()
    after = fresh_world.find("Beratung")
    assert fresh_world.ids["schwanger"] not in after.ids
    assert after.total == len(after.ids) == before.total - 1

    settings = fresh_world.settings.model_copy(update={"env": Environment.test, "secret_key": "k" * 48})
    app = create_app(settings)
    with TestClient(app) as client:
        body = client.get("/api/v1/offers", params={"q": "Beratung"}).json()
        assert body["total"] == len(body["items"]) == before.total - 1
        assert fresh_world.ids["schwanger"] not in [i["id"] for i in body["items"]]
        # The results page loads its cards with the public rule and discards the hit the same way.
        page = BeautifulSoup(client.get("/angebote", params={"q": "Beratung"}).text, "html.parser")
        links = [str(a["href"]).split("?")[0] for a in page.select("ol.cards .card-title a")]
        assert f"/angebote/{fresh_world.ids['schwanger']}" not in links
        shown = page.select_one("[data-testid=result-count]")
        assert shown is not None and shown.get_text().startswith(f"{len(links)} Angebot")
        assert len(links) == before.total - 1
    app.state.engine.dispose()
