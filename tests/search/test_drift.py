"""Drift between index and database is visible (content fingerprints, not counts) and repairable."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col

from app.catalogue.models import Angebot
from app.db import utcnow
from app.main import create_app
from app.settings import Environment
from search.documents import SEARCHABLE_FIELDS, iter_public_documents
from search.drift import check_index, repair_index
from search.meili import MeiliBackend
from tests.search.conftest import PUBLIC, ROOT, World


def _cli(world: World, command: str) -> subprocess.CompletedProcess[str]:
    s = world.settings
    env = {
        **os.environ,
        "DATABASE_URL": s.database_url,
        "SEARCH_BACKEND": s.search_backend.value,
        "SEARCH_INDEX_PATH": str(s.search_index_path),
        "MEILI_URL": s.meili_url,
        "MEILI_MASTER_KEY": s.meili_master_key,
        "MEILI_INDEX": s.meili_index,
    }
    return subprocess.run(
        [sys.executable, "-m", "search", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _change(world: World, name: str, **values: object) -> None:
    """A change that reached the database but not the index (a crash between commit and index update)."""
    with Session(world.engine) as session:
        session.execute(
            update(Angebot)
            .where(col(Angebot.external_id) == world.ids[name])
            .values(updated_at=utcnow(), **values)
        )
        session.commit()


def test_equal_counts_with_stale_titles_are_drift_and_status_exits_non_zero(fresh_world: World) -> None:
    assert check_index(fresh_world.settings).ok
    clean = _cli(fresh_world, "status")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    _change(fresh_world, "krabbel", titel="Krabbelgruppe Sonnenschein")
    _change(fresh_world, "schwanger", titel="Beratung rund um die Geburt")
    report = check_index(fresh_world.settings)
    assert report.public == report.indexed == len(PUBLIC)  # the old count check saw nothing
    assert not report.ok
    assert report.stale == sorted([fresh_world.ids["krabbel"], fresh_world.ids["schwanger"]])
    status = _cli(fresh_world, "status")
    assert status.returncode == 1, status.stdout
    assert "veraltet" in status.stdout and fresh_world.ids["krabbel"] in status.stdout

    repaired = repair_index(fresh_world.settings)
    assert repaired.ok and repaired.repaired
    assert fresh_world.find("Sonnenschein").ids == [fresh_world.ids["krabbel"]]
    assert _cli(fresh_world, "status").returncode == 0


def test_missing_and_extra_documents_are_found_and_repaired_by_the_cli(fresh_world: World) -> None:
    _change(fresh_world, "cafe", published=False)  # still in the index: "extra"
    fresh_world.backend.delete([fresh_world.ids["kita"]])  # lost from the index: "missing"
    report = check_index(fresh_world.settings)
    assert report.extra == [fresh_world.ids["cafe"]]
    assert report.missing == [fresh_world.ids["kita"]]
    assert _cli(fresh_world, "status").returncode == 1
    repair = _cli(fresh_world, "repair")
    assert repair.returncode == 0, repair.stdout + repair.stderr
    assert check_index(fresh_world.settings).ok


def test_healthz_says_index_behind_past_the_threshold(fresh_world: World) -> None:
    settings = fresh_world.settings.model_copy(
        update={"env": Environment.test, "secret_key": "k" * 48, "index_max_lag_seconds": 0.5}
    )
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/healthz").json()["checks"]["search"] == "ok"
        _change(fresh_world, "krabbel", titel="Krabbelgruppe Regenbogen")
        time.sleep(0.7)
        health = client.get("/healthz").json()
        assert health["status"] == "degraded"
        assert health["checks"]["search"].startswith("degraded: index behind")
        assert repair_index(fresh_world.settings).ok
        assert client.get("/healthz").json()["checks"]["search"] == "ok"
    app.state.engine.dispose()


def test_index_holding_other_content_is_drift(fresh_world: World) -> None:
    """The index holds other content than the database (e.g. a stale update that lost a race)."""
    with Session(fresh_world.engine) as session:
        [doc] = [d for d in iter_public_documents(session) if d.id == fresh_world.ids["turnen"]]
    fresh_world.backend.upsert([replace(doc, title="Eltern-Kind-Turnen (alt)", kostenlos=True)])
    report = check_index(fresh_world.settings)
    assert report.stale == [fresh_world.ids["turnen"]]
    assert _cli(fresh_world, "status").returncode == 1


def test_index_built_with_other_settings_is_drift_and_rebuilt(fresh_world: World) -> None:
    """An index with another layout – Meilisearch settings changed behind the application's back, or an
    embedded file written by an older version – has every document drifted; the repair rebuilds it."""
    backend = fresh_world.backend
    if isinstance(backend, MeiliBackend):
        older = [f for f in SEARCHABLE_FIELDS if f != "title_parts"]
        backend._write("PATCH", f"/indexes/{backend.index}/settings", json={"searchableAttributes": older})
    else:
        with sqlite3.connect(fresh_world.settings.search_index_path) as conn:
            conn.execute("UPDATE meta SET value = 'aelter' WHERE key = 'schema'")
    report = check_index(fresh_world.settings)
    assert report.stale == sorted(fresh_world.ids[name] for name in PUBLIC)
    assert _cli(fresh_world, "status").returncode == 1

    repaired = repair_index(fresh_world.settings)
    assert repaired.ok and repaired.repaired
    assert fresh_world.find("Krabbelgruppe").ids == [fresh_world.ids["krabbel"]]
    if isinstance(backend, MeiliBackend):
        live = backend._request("GET", f"/indexes/{backend.index}/settings")
        assert live["searchableAttributes"] == list(SEARCHABLE_FIELDS)
