"""Keeping the index in step with the database, and degrading when the engine is gone – both backends."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.catalogue.models import Angebot
from app.settings import SearchBackendName, Settings
from search import get_backend
from search.base import SearchQuery, SearchUnavailable
from search.indexing import index_offers
from search.service import DEGRADED_NOTICE, search_offers
from tests import db as testdb
from tests import factories as f
from tests.search.conftest import MASTER_KEY, PUBLIC, World, build_catalogue, free_port


def _offer(engine: Engine, external_id: str) -> Angebot:
    with Session(engine) as session:
        return session.exec(select(Angebot).where(Angebot.external_id == external_id)).one()


def test_changed_offers_are_upserted_and_non_public_removed(fresh_world: World) -> None:
    world = fresh_world
    with Session(world.engine) as session:
        krabbel = session.exec(select(Angebot).where(Angebot.external_id == world.ids["krabbel"])).one()
        krabbel.titel = "Spielgruppe Pusteblume"
        turnen = session.exec(select(Angebot).where(Angebot.external_id == world.ids["turnen"])).one()
        turnen.published = False
        session.commit()
    outcome = index_offers(
        world.engine, world.settings, [world.ids["krabbel"], world.ids["turnen"], "A-GIBTS-NICHT"]
    )
    assert outcome.ok
    assert (outcome.indexed, outcome.removed) == (1, 2)
    assert world.names(world.find("Pusteblume")) == ["krabbel"]
    assert world.find("Zwergenland").total == 0
    assert world.find("turnen").total == 0
    assert world.backend.count() == len(PUBLIC) - 1


def test_full_reindex_replaces_the_index(fresh_world: World) -> None:
    world = fresh_world
    with Session(world.engine) as session:
        f.angebot(session, titel="Waldspielgruppe Eichhörnchen")
        session.commit()
    before = world.backend.count()
    outcome = index_offers(world.engine, world.settings)
    assert outcome.ok
    assert outcome.indexed == before + 1
    assert world.backend.count() == before + 1
    assert world.find("Eichhörnchen").total == 1


def test_dead_meilisearch_degrades_to_the_database(fresh_world: World, tmp_path: Path) -> None:
    world = fresh_world
    dead = Settings(
        database_url=world.settings.database_url,
        search_backend=SearchBackendName.meilisearch,
        meili_url=f"http://127.0.0.1:{free_port()}",
        meili_master_key=MASTER_KEY,
        meili_timeout_seconds=0.5,
    )
    backend = get_backend(dead)
    assert backend.healthy() is False
    with pytest.raises(SearchUnavailable):
        backend.search(SearchQuery(q="Krabbelgruppe"))
    with Session(world.engine) as session:
        result = search_offers(session, backend, SearchQuery(q="Mütter", facets=("ortsteil",)))
        filtered = search_offers(session, backend, SearchQuery(ortsteile=("winzerla",)))
    assert result.degraded is True
    assert result.backend == "database"
    assert result.ids == [world.ids["muetter"]]
    assert result.facets == {"ortsteil": {"jena-west": 1}}
    assert set(filtered.ids) == {world.ids[n] for n in ("hausaufgaben", "senioren_winzerla", "telefon")}
    assert "nicht erreichbar" in DEGRADED_NOTICE


def test_index_offers_never_raises_when_the_engine_is_down(fresh_world: World) -> None:
    dead = fresh_world.settings.model_copy(
        update={
            "search_backend": SearchBackendName.meilisearch,
            "meili_url": f"http://127.0.0.1:{free_port()}",
            "meili_timeout_seconds": 0.3,
        }
    )
    outcome = index_offers(fresh_world.engine, dead, [fresh_world.ids["krabbel"]])
    assert outcome.ok is False
    assert "python -m search reindex" in outcome.message
    assert index_offers(fresh_world.engine, dead).ok is False


def test_unreadable_embedded_index_degrades(fresh_world: World, tmp_path: Path) -> None:
    blocker = tmp_path / "kein-verzeichnis"
    blocker.write_text("x")
    broken = get_backend(
        fresh_world.settings.model_copy(
            update={"search_index_path": blocker / "search.db", "search_backend": SearchBackendName.sqlite}
        )
    )
    with Session(fresh_world.engine) as session:
        result = search_offers(session, broken, SearchQuery(q="Krabelgruppe"))
    assert result.degraded is True
    # The database fallback knows no typos – but it still answers, and suggests the right word.
    assert result.total == 0
    assert result.suggestion == "Krabbelgruppe"


def test_a_locked_embedded_index_degrades_instead_of_hanging(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=sqlite_url, search_index_path=tmp_path / "idx.db")
    engine = testdb.engine_for(sqlite_url)
    with Session(engine) as session:
        ids = build_catalogue(session)
    assert index_offers(engine, settings).ok
    backend = get_backend(settings)
    writer = sqlite3.connect(settings.search_index_path, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # another process in the middle of a large write
    try:
        with Session(engine) as session:
            during = search_offers(session, backend, SearchQuery(q="Krabbelgruppe"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    after = backend.search(SearchQuery(q="Krabelgruppe"))
    engine.dispose()
    assert during.degraded
    assert during.ids == [ids["krabbel"]]
    assert not after.degraded
    assert after.ids == [ids["krabbel"]]
