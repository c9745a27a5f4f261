"""Meilisearch rebuilds: one at a time, the index is created with its settings, nothing partial goes live."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from search.base import OfferDocument
from search.documents import iter_public_documents
from search.meili import MeiliBackend, SearchIndexError, index_settings
from tests import db as testdb
from tests.search.conftest import MASTER_KEY, PUBLIC, MeiliServer, backend_settings, build_catalogue

pytestmark = pytest.mark.meili


def _live(server: MeiliServer, uid: str) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {MASTER_KEY}"}
    stats = httpx.get(f"{server.url}/indexes/{uid}/stats", headers=headers).json()
    settings = httpx.get(f"{server.url}/indexes/{uid}/settings", headers=headers).json()
    return int(stats["numberOfDocuments"]), settings


def test_a_second_rebuild_waits_its_turn_and_the_first_publishes_a_complete_index(
    request: pytest.FixtureRequest, meili_server: MeiliServer, sqlite_url: str, tmp_path: Path
) -> None:
    settings = backend_settings("meilisearch", request, sqlite_url, tmp_path)
    engine = testdb.engine_for(sqlite_url)
    with Session(engine, expire_on_commit=False) as session:
        build_catalogue(session)
        docs = list(iter_public_documents(session))
    engine.dispose()
    first = MeiliBackend(url=settings.meili_url, api_key=MASTER_KEY, index=settings.meili_index)
    second = MeiliBackend(url=settings.meili_url, api_key=MASTER_KEY, index=settings.meili_index)
    started, go_on = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def slow() -> Iterator[OfferDocument]:
        started.set()  # the fresh index of the first run exists now
        go_on.wait(30)
        yield from docs

    def run_first() -> None:
        try:
            results["first"] = first.rebuild(slow())
        except Exception as exc:
            results["first"] = exc

    thread = threading.Thread(target=run_first)
    thread.start()
    assert started.wait(30)
    try:
        with pytest.raises(SearchIndexError, match="läuft seit"):
            second.rebuild(iter(docs[:3]))
    finally:
        go_on.set()
        thread.join(60)
    assert results["first"] == len(PUBLIC)
    count, live_settings = _live(meili_server, settings.meili_index)
    assert count == len(PUBLIC)
    wanted = index_settings()["filterableAttributes"]
    assert sorted(live_settings["filterableAttributes"]) == sorted(wanted)
    # The lock is gone: the next rebuild runs.
    assert second.rebuild(iter(docs)) == len(PUBLIC)
    first.close()
    second.close()


def test_a_stale_lock_of_a_killed_rebuild_does_not_block_forever(
    request: pytest.FixtureRequest,
    meili_server: MeiliServer,
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = backend_settings("meilisearch", request, sqlite_url, tmp_path)
    backend = MeiliBackend(url=settings.meili_url, api_key=MASTER_KEY, index=settings.meili_index)
    backend._write("POST", "/indexes", json={"uid": f"{settings.meili_index}_sperre", "primaryKey": "key"})
    with pytest.raises(SearchIndexError, match="läuft seit"):
        backend.rebuild(iter([]))
    monkeypatch.setattr("search.meili.REBUILD_LOCK_MAX_AGE_SECONDS", 0.0)
    assert backend.rebuild(iter([])) == 0
    backend.close()
