"""SQLite has one writer: while an import holds the write lock, a visitor's post gets a clear 503 with
Retry-After (and nothing half-stored), not a 500; once the lock is gone the same post goes through."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.feedback.models import Feedback
from app.settings import Environment, Settings
from tests.app.auth.fixtures import World, soup, token_on


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env=Environment.test,
        database_url=sqlite_url,
        search_index_path=tmp_path / "search.db",
        secret_key="test-secret-key-" + "x" * 40,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
        sqlite_busy_timeout_seconds=0.3,
    )


def test_feedback_while_the_database_is_locked(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    action = f"/rueckmeldung/{world.angebot_a.external_id}"
    token = token_on(client, f"/angebote/{world.angebot_a.external_id}", action)
    vote = {"art": "hilfreich", "hilfreich": "ja", "csrf_token": token}
    writer = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # what an import's write phase does for seconds
    try:
        busy = client.post(action, data=vote)
        assert busy.status_code == 503
        assert int(busy.headers["Retry-After"]) > 0
        assert "nicht gespeichert" in soup(busy).get_text()
        api = client.post(action, data=vote, headers={"Accept": "application/json"})
        assert api.status_code == 503 and "nicht gespeichert" in api.json()["detail"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert list(session.exec(select(Feedback)).all()) == []
    assert client.post(action, data=vote).status_code == 200
