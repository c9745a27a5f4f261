"""Degrade: a Meilisearch that is stopped, or that accepts connections but never answers (slow)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.main import create_app
from app.settings import SearchBackendName, Settings
from search import get_backend
from search.base import SearchQuery
from search.indexing import index_offers
from search.service import search_offers
from tests import db as testdb
from tests.search.conftest import MASTER_KEY, build_catalogue, start_meili, stop_meili

pytestmark = pytest.mark.meili


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP port that accepts connections and never sends a byte – a hanging engine."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    listener.close()


def _settings(url: str, database_url: str, directory: Path) -> Settings:
    return Settings(
        database_url=database_url,
        search_backend=SearchBackendName.meilisearch,
        meili_url=url,
        meili_master_key=MASTER_KEY,
        meili_timeout_seconds=0.3,
        search_index_path=directory / "unused.db",
    )


def test_a_hanging_engine_times_out_and_the_database_answers(
    silent_port: int, sqlite_url: str, tmp_path: Path
) -> None:
    engine = testdb.engine_for(sqlite_url)
    with Session(engine) as session:
        ids = build_catalogue(session)
    backend = get_backend(_settings(f"http://127.0.0.1:{silent_port}", sqlite_url, tmp_path))
    with Session(engine) as session:
        result = search_offers(session, backend, SearchQuery(q="Seniorengymnastik", ortsteile=("loebstedt",)))
    engine.dispose()
    assert result.degraded
    assert result.ids == [ids["senioren_loebstedt"]]


def test_stopping_meilisearch_switches_pages_and_api_to_the_database(sqlite_url: str, tmp_path: Path) -> None:
    server = start_meili(tmp_path / "meili")
    try:
        settings = _settings(server.url, sqlite_url, tmp_path)
        engine = testdb.engine_for(sqlite_url)
        with Session(engine) as session:
            ids = build_catalogue(session)
        engine.dispose()
        assert index_offers(testdb.engine_for(sqlite_url), settings).ok
        app = create_app(settings)
        with TestClient(app) as client:
            before = client.get("/api/v1/offers", params={"q": "Krabelgruppe"}).json()
            assert client.get("/healthz").json()["checks"]["search"] == "ok"
            stop_meili(server)
            after = client.get("/api/v1/offers", params={"q": "Krabbelgruppe"}).json()
            health = client.get("/healthz").json()
        app.state.engine.dispose()
    finally:
        stop_meili(server)
    assert [i["id"] for i in before["items"]] == [ids["krabbel"]]
    assert before["hinweis"] is None
    assert [i["id"] for i in after["items"]] == [ids["krabbel"]]
    assert "nicht erreichbar" in after["hinweis"]
    assert health["checks"]["search"] == "down: meilisearch"
    assert health["status"] == "degraded"
