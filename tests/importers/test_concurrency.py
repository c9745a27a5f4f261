"""One import at a time: two syncs started together never merge; the second one reports the first (exit 2)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.catalogue.models import Angebot
from app.settings import Settings
from importers.lock import import_lock
from importers.report import SyncReport
from importers.sync import sync_workbook
from tests.importers import builders as b
from tests.importers.conftest import REPO


def _titles(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        offers = session.exec(select(Angebot).where(col(Angebot.published))).all()
        return {a.external_id: a.titel for a in offers}


def _workbooks(tmp_path: Path) -> tuple[Path, Path, Path]:
    base = b.write_xlsx(b.base_sheets(), tmp_path / "basis.xlsx")
    first = b.base_sheets()
    b.set_cell(first, "Angebote", "A-1", "Titel", "Krabbelgruppe Alpha")
    second = b.base_sheets()
    b.set_cell(second, "Angebote", "A-2", "Titel", "Seniorentreff Beta")
    return base, b.write_xlsx(first, tmp_path / "a.xlsx"), b.write_xlsx(second, tmp_path / "b.xlsx")


def test_two_imports_at_once_end_as_one_workbook(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    base, first, second = _workbooks(tmp_path)
    assert sync_workbook(base, engine=engine, settings=settings).exit_code == 0
    expected = {
        "a": {**_titles(engine), "A-1": "Krabbelgruppe Alpha"},
        "b": {**_titles(engine), "A-2": "Seniorentreff Beta"},
    }
    # Both runs meet after reading the catalogue and before planning – the moment that used to let both plans
    # start from the same old state. With the lock the second never gets there (the barrier times out).
    barrier = threading.Barrier(2, timeout=3)
    reports: dict[str, SyncReport] = {}

    def progress(stage: str, _step: int, _steps: int) -> None:
        if stage == "Vergleichen":
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()

    def run(name: str, path: Path) -> None:
        reports[name] = sync_workbook(path, engine=engine, settings=settings, progress=progress)

    threads = [threading.Thread(target=run, args=(n, p)) for n, p in (("a", first), ("b", second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    codes = sorted(r.exit_code for r in reports.values())
    assert codes == [0, 2], {n: (r.exit_code, r.fatal) for n, r in reports.items()}
    loser = next(r for r in reports.values() if r.exit_code == 2)
    assert loser.fatal is not None and "ein anderer Import läuft seit" in loser.fatal
    winner = next(n for n, r in reports.items() if r.exit_code == 0)
    assert _titles(engine) == expected[winner]


def test_a_running_import_blocks_the_next_until_it_ends(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    base, first, _second = _workbooks(tmp_path)
    sync_workbook(base, engine=engine, settings=settings)
    before = _titles(engine)
    with import_lock(engine):
        refused = sync_workbook(first, engine=engine, settings=settings)
        assert refused.exit_code == 2
        assert refused.fatal is not None and "ein anderer Import läuft seit" in refused.fatal
        assert _titles(engine) == before
    # Released: the same workbook goes through; a waiting run gets in as soon as the lock is free.
    assert sync_workbook(first, engine=engine, settings=settings).exit_code == 0
    assert _titles(engine)["A-1"] == "Krabbelgruppe Alpha"


def test_a_waiting_import_runs_once_the_other_finished(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    base, first, _second = _workbooks(tmp_path)
    sync_workbook(base, engine=engine, settings=settings)
    release = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with import_lock(engine):
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    threading.Timer(0.5, release.set).start()
    report = sync_workbook(first, engine=engine, settings=settings, lock_wait_seconds=15)
    holder.join(10)
    assert report.exit_code == 0, report.fatal
    assert _titles(engine)["A-1"] == "Krabbelgruppe Alpha"


_HOLDER = """
import sys, time
from app.db import make_engine
from importers.lock import import_lock
with import_lock(make_engine(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(120)
"""


def _cli(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SEARCH_INDEX_PATH": str(tmp_path / "search.db"),
        "SEARCH_BACKEND": "sqlite",
        "ENV": "test",
    }
    return subprocess.run(
        [sys.executable, "-m", "importers", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_refuses_while_another_process_imports_and_recovers_after_kill_9(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    url = settings.database_url
    base, first, _second = _workbooks(tmp_path)
    assert _cli(url, tmp_path, "sync", str(base)).returncode == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, url], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        refused = _cli(url, tmp_path, "sync", str(first))
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "ein anderer Import läuft seit" in refused.stdout
        os.kill(holder.pid, signal.SIGKILL)  # a crashed import must not leave the lock behind
        holder.wait(10)
        applied = _cli(url, tmp_path, "sync", str(first), "--json")
        assert applied.returncode == 0, applied.stdout + applied.stderr
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)
    assert _titles(engine)["A-1"] == "Krabbelgruppe Alpha"


@pytest.mark.parametrize("count", [3])
def test_many_imports_at_once_leave_exactly_one_workbook(
    engine: Engine, settings: Settings, tmp_path: Path, count: int
) -> None:
    """Processes, not threads: real separate importers started together (what the acceptance run does)."""
    url = settings.database_url
    base, first, second = _workbooks(tmp_path)
    assert _cli(url, tmp_path, "sync", str(base)).returncode == 0
    books = [first, second, first][:count]
    env = {**os.environ, "DATABASE_URL": url, "SEARCH_INDEX_PATH": str(tmp_path / "s.db"), "ENV": "test"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "importers", "sync", str(p), "--json"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in books
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    codes = [p.returncode for p in procs]
    assert set(codes) <= {0, 2}, outs
    assert 0 in codes
    titles = _titles(engine)
    assert (titles["A-1"], titles["A-2"]) in {
        ("Krabbelgruppe Alpha", "Seniorentreff"),
        ("Krabbelgruppe", "Seniorentreff Beta"),
    }
