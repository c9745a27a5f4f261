"""Database faults during an import: the real cause in German, nothing half-written (exit 2)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, func, select

from app.catalogue.models import Angebot
from app.db import make_engine
from app.settings import Settings
from importers.sync import sync_workbook
from tests.importers import builders as b


def _offers(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(Angebot)).one()
    engine.dispose()
    return count


def _big_workbook(tmp_path: Path) -> Path:
    sheets = b.base_sheets()
    rows = sheets["Angebote"]
    template = next(r for r in rows if r and r[0] == "A-1")
    for n in range(400):  # enough rows that they cannot fit
        rows.append([f"A-X{n}", *template[1:3], "Beschreibung " * 40, *template[4:]])
    return b.write_xlsx(sheets, tmp_path / "gross.xlsx")


def test_sqlite_database_full_is_named_and_nothing_is_written(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)

    @event.listens_for(engine, "connect")
    def _no_room(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    settings = Settings(database_url=sqlite_url, search_index_path=tmp_path / "search.db")
    report = sync_workbook(_big_workbook(tmp_path), engine=engine, settings=settings)
    engine.dispose()
    assert report.exit_code == 2
    assert report.fatal is not None and "kein Speicherplatz" in report.fatal
    assert "migrate" not in report.fatal
    assert _offers(sqlite_url) == 0


def test_sqlite_database_on_a_full_filesystem(sqlite_url: str, tmp_path: Path) -> None:
    """The same on a real tiny filesystem: the database file sits on a tmpfs with no room to grow."""
    mount = tmp_path / "klein"
    mount.mkdir()
    source = Path(sqlite_url.removeprefix("sqlite:///"))
    size_kib = source.stat().st_size // 1024 + 96  # room for the WAL index, not for the new rows
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"tmpfs lässt sich nicht einhängen: {done.stderr!r}")
    try:
        target = mount / "app.db"
        shutil.copyfile(source, target)
        url = f"sqlite:///{target}"
        settings = Settings(database_url=url, search_index_path=tmp_path / "search.db")
        engine = make_engine(url)
        sheets = b.base_sheets()
        rows = sheets["Angebote"]
        template = next(r for r in rows if r and r[0] == "A-1")
        for n in range(400):  # enough rows that they cannot fit
            rows.append([f"A-X{n}", *template[1:3], "Beschreibung " * 40, *template[4:]])
        report = sync_workbook(
            b.write_xlsx(sheets, tmp_path / "gross.xlsx"), engine=engine, settings=settings
        )
        engine.dispose()
        assert report.exit_code == 2, report.fatal
        assert report.fatal is not None and "kein Speicherplatz" in report.fatal
        assert _offers(url) == 0
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
