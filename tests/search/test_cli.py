"""``python -m search reindex|status`` as a user runs them (a real process, environment configuration)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session

from tests import db as testdb
from tests.search.conftest import PUBLIC, ROOT, build_catalogue, free_port


def _run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "search", command],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def env(sqlite_url: str, tmp_path: Path) -> dict[str, str]:
    engine = testdb.engine_for(sqlite_url)
    with Session(engine) as session:
        build_catalogue(session)
    engine.dispose()
    return {
        "DATABASE_URL": sqlite_url,
        "SEARCH_BACKEND": "sqlite",
        "SEARCH_INDEX_PATH": str(tmp_path / "idx.db"),
    }


def test_reindex_then_status(env: dict[str, str]) -> None:
    before = _run("status", env)
    assert "Dokumente im Index: 0" in before.stdout
    assert "weichen ab" in before.stdout
    reindex = _run("reindex", env)
    assert reindex.returncode == 0, reindex.stderr
    assert f"{len(PUBLIC)} Angebote im Suchindex." in reindex.stdout
    status = _run("status", env)
    assert status.returncode == 0
    assert "Backend:            sqlite" in status.stdout
    assert f"Dokumente im Index: {len(PUBLIC)}" in status.stdout
    assert "weichen ab" not in status.stdout


def test_status_and_reindex_report_a_dead_engine(env: dict[str, str]) -> None:
    dead = {**env, "SEARCH_BACKEND": "meilisearch", "MEILI_URL": f"http://127.0.0.1:{free_port()}"}
    status = _run("status", dead)
    assert status.returncode == 1
    assert "NICHT erreichbar" in status.stdout
    reindex = _run("reindex", dead)
    assert reindex.returncode == 1
    assert "konnte nicht aktualisiert werden" in reindex.stdout


def test_ensure_engine_does_nothing_for_the_embedded_backend(env: dict[str, str]) -> None:
    result = _run("ensure-engine", env)
    assert result.returncode == 0
    assert "kein Suchserver nötig" in result.stdout
