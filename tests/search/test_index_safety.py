"""The embedded index survives crashes and faults: a killed writer's journal never reaches a rebuilt file, an
unreadable index degrades to the database search (never a 500), failed rebuilds leave nothing behind, a full
disk is named as such."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.main import create_app
from app.settings import Environment, Settings
from search.base import OfferDocument, SearchQuery, SearchUnavailable
from search.documents import iter_public_documents
from search.drift import check_index, repair_index
from search.indexing import index_offers
from search.sqlite_fts import SqliteFtsBackend
from tests import db as testdb
from tests import factories as f
from tests.search.conftest import PUBLIC, ROOT, build_catalogue


@pytest.fixture
def indexed(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Engine, Settings]]:
    settings = Settings(
        env=Environment.test,
        database_url=sqlite_url,
        search_index_path=tmp_path / "search.db",
        secret_key="test-secret-key-" + "x" * 40,
    )
    engine = testdb.engine_for(sqlite_url)
    with Session(engine) as session:
        build_catalogue(session)
    assert index_offers(engine, settings).ok
    yield engine, settings
    engine.dispose()


# A writer that dies in the middle of a big transaction: with a tiny page cache SQLite spills changed pages
# into the file, so the journal next to it is "hot" when the process is killed.
_DYING_WRITER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 2")
conn.execute("BEGIN IMMEDIATE")
for n in range(3000):
    conn.execute("INSERT INTO meta VALUES (?, ?)", (f"ballast-{n}", "x" * 400))
conn.execute("UPDATE doc SET title = 'kaputt', description = zeroblob(2000)")
print("mitten im Schreiben", flush=True)
time.sleep(120)
"""


def test_rebuild_after_a_killed_writer_gives_a_consistent_index(indexed: tuple[Engine, Settings]) -> None:
    engine, settings = indexed
    path = settings.search_index_path
    writer = subprocess.Popen(
        [sys.executable, "-c", _DYING_WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "mitten im Schreiben"
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(10)
    finally:
        if writer.poll() is None:
            writer.kill()
    journal = path.with_name(path.name + "-journal")
    assert journal.exists() and journal.stat().st_size > 0  # the hot journal is there

    # The catalogue moved on meanwhile (the crashed import committed), so the rebuilt file differs.
    with Session(engine) as session:
        place = f.einrichtung(session, name="Haus am Markt")
        for n in range(60):
            f.angebot(session, einrichtung_row=place, titel=f"Neues Angebot {n}", beschreibung="Neu " * 50)
        session.commit()
    outcome = index_offers(engine, settings)  # what `python -m search reindex` does
    assert outcome.ok, outcome.message

    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert check.execute("SELECT count(*) FROM doc").fetchone()[0] == len(PUBLIC) + 60
        assert check.execute("SELECT count(*) FROM doc WHERE title = 'kaputt'").fetchone()[0] == 0
    finally:
        check.close()
    result = SqliteFtsBackend(path).search(SearchQuery(q="Krabbelgruppe"))
    assert result.total >= 1


def _damage(path: Path) -> None:
    """Overwrite the middle of the file (tables, not the header): SQLite still opens it, checks fail."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 3)
        handle.write(os.urandom(size // 3))


def test_damaged_index_degrades_to_database_search_and_healthz_says_down(
    indexed: tuple[Engine, Settings],
) -> None:
    _engine, settings = indexed
    _damage(settings.search_index_path)
    backend = SqliteFtsBackend(settings.search_index_path)
    with pytest.raises(SearchUnavailable):
        backend.search(SearchQuery(q="Krabbelgruppe"))
    assert backend.healthy() is False

    app = create_app(settings)
    with TestClient(app) as client:
        api = client.get("/api/v1/offers", params={"q": "Krabbelgruppe"})
        assert api.status_code == 200, api.text
        assert api.json()["total"] >= 1  # answered from the database
        page = client.get("/angebote", params={"q": "Krabbelgruppe"})
        assert page.status_code == 200
        assert "Suchmaschine ist gerade nicht erreichbar" in page.text
        health = client.get("/healthz").json()
        assert health["status"] == "degraded" and health["checks"]["search"].startswith("down")
    app.state.engine.dispose()


def test_failed_rebuild_leaves_no_partial_file_and_keeps_the_live_index(
    indexed: tuple[Engine, Settings],
) -> None:
    _engine, settings = indexed
    path = settings.search_index_path
    backend = SqliteFtsBackend(path)
    before = backend.fingerprints()

    def broken_source() -> Iterator[OfferDocument]:
        yield from ()
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        backend.rebuild(broken_source())
    assert not path.with_name(path.name + ".neu").exists()
    assert SqliteFtsBackend(path).fingerprints() == before


def test_index_disk_full_is_reported_as_such_not_as_a_failed_rollback(
    indexed: tuple[Engine, Settings],
) -> None:
    engine, settings = indexed
    backend = SqliteFtsBackend(settings.search_index_path)
    conn, _ = backend._conn()  # this thread's connection: give it no room to grow
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    with Session(engine) as session:
        docs = [d for d in iter_public_documents(session)]
    big = [
        OfferDocument(**{**d.__dict__, "id": f"X-{n}", "description": "Platz " * 3000})
        for n, d in enumerate(docs * 5)
    ]
    with pytest.raises(sqlite3.OperationalError) as raised:
        backend.upsert(big)
    assert "full" in str(raised.value)  # not "cannot rollback - no transaction is active"
    assert not conn.in_transaction
    conn.execute(f"PRAGMA max_page_count = {pages * 100}")
    assert backend.count() == len(PUBLIC)  # all or nothing


def test_leftover_fresh_file_of_a_killed_rebuild_is_replaced(indexed: tuple[Engine, Settings]) -> None:
    engine, settings = indexed
    path = settings.search_index_path
    leftover = path.with_name(path.name + ".neu")
    leftover.write_bytes(b"halb geschrieben" * 1000)
    leftover.with_name(leftover.name + "-journal").write_bytes(b"\0" * 512)
    assert index_offers(engine, settings).ok
    assert not leftover.exists() and not leftover.with_name(leftover.name + "-journal").exists()
    assert SqliteFtsBackend(path).count() == len(PUBLIC)


def test_index_in_a_full_filesystem_names_the_cause(indexed: tuple[Engine, Settings], tmp_path: Path) -> None:
    """A real tiny filesystem (tmpfs): the rebuild fails with a German message, the partial file is gone."""
    engine, settings = indexed
    mount = tmp_path / "klein"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"tmpfs lässt sich nicht einhängen: {done.stderr!r}")
    try:
        tiny = settings.model_copy(update={"search_index_path": mount / "search.db"})
        # Enough offers that the index does not fit into 64 KiB.
        with Session(engine) as session:
            place = f.einrichtung(session, name="Großes Haus")
            for n in range(150):
                f.angebot(
                    session, einrichtung_row=place, titel=f"Angebot Nummer {n}", beschreibung="Text " * 80
                )
            session.commit()
        outcome = index_offers(engine, tiny)
        assert not outcome.ok
        assert "kein Speicherplatz" in outcome.message
        assert sorted(p.name for p in mount.iterdir()) in ([], ["search.db"])
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_reindex_cli_runs_after_kill_9_of_a_reindex(indexed: tuple[Engine, Settings]) -> None:
    """kill -9 in the middle of `python -m search reindex`, then run it again: a consistent index."""
    _engine, settings = indexed
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "SEARCH_INDEX_PATH": str(settings.search_index_path),
        "SEARCH_BACKEND": "sqlite",
    }
    first = subprocess.Popen([sys.executable, "-m", "search", "reindex"], cwd=ROOT, env=env)
    try:
        first.wait(timeout=0.8)
    except subprocess.TimeoutExpired:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    again = subprocess.run(
        [sys.executable, "-m", "search", "reindex"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    status = subprocess.run(
        [sys.executable, "-m", "search", "status"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert status.returncode == 0, status.stdout


def test_index_file_changed_behind_the_applications_back_is_drift(indexed: tuple[Engine, Settings]) -> None:
    engine, settings = indexed
    assert check_index(settings, engine=engine).ok
    conn = sqlite3.connect(settings.search_index_path)
    with conn:
        conn.execute("UPDATE doc SET title = 'Falscher Titel' WHERE rowid = (SELECT min(rowid) FROM doc)")
    conn.close()
    report = check_index(settings, engine=engine)
    assert not report.ok and len(report.stale) == 1
    assert repair_index(settings, engine=engine).ok
