"""Search follows commits: a tracked session's committed changes reach the index, rollbacks do not."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from app.catalogue.models import Angebot, Einrichtung
from app.search_sync import track
from app.settings import Settings
from search import get_backend
from search.base import SearchQuery
from search.indexing import index_offers
from tests import factories


def _found(settings: Settings, q: str) -> list[str]:
    return get_backend(settings).search(SearchQuery(q=q)).ids


def test_committed_changes_reach_the_index_and_rollbacks_do_not(settings: Settings, engine: Engine) -> None:
    index_offers(engine, settings)  # an empty, built index
    with track(Session(engine, expire_on_commit=False), settings) as session:
        kept = factories.angebot(session, titel="Zwergenturnen Lobeda")
        session.commit()
    with track(Session(engine), settings) as session:
        factories.angebot(session, titel="Kräuterwanderung Winzerla")
        session.rollback()
    assert _found(settings, "Zwergenturnen") == [kept.external_id]
    assert _found(settings, "Kräuterwanderung") == []


def test_renaming_an_institution_updates_its_offers(settings: Settings, engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        offer = factories.angebot(session, titel="Elterncafé")
        session.commit()
    index_offers(engine, settings)
    assert _found(settings, "Sternwarte") == []
    with track(Session(engine), settings) as session:
        einrichtung = session.exec(
            select(Einrichtung).join(Angebot).where(Angebot.external_id == offer.external_id)
        ).one()
        einrichtung.name = "Familienzentrum Sternwarte"
        session.add(einrichtung)
        session.commit()
    assert _found(settings, "Sternwarte") == [offer.external_id]
