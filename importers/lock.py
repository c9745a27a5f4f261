"""One import at a time: a lock taken BEFORE the catalogue state is read, released when the run ends.

Two imports that both plan from the state read before either writes would silently merge (the final
catalogue would match neither workbook). So a writing sync holds this lock from reading the state until its
index update is done:

- PostgreSQL: a session-level advisory lock on a dedicated connection (released by the server when the
  process dies, also on kill -9); the holder puts its start time into ``application_name`` so a second
  import can say since when the first one runs.
- SQLite: an exclusive ``flock`` on ``<database>.import-lock`` next to the database file (released by the
  kernel when the process dies); the file holds the start time and process id.

A second import waits up to ``wait_seconds`` and then gives up with :class:`ImportBusy` ("ein anderer Import
läuft seit …"); nothing is read or written by it.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

# pg_advisory_lock key "FWJ1": one number for the whole application, shared by every process.
ADVISORY_KEY = 0x46574A31
_APP_NAME_PREFIX = "familienwegweiser-import seit "
_POLL_SECONDS = 0.2
_LOCAL = ZoneInfo("Europe/Berlin")


class ImportLockError(RuntimeError):
    """The lock itself cannot be taken (e.g. the lock file cannot be created); German message."""


class ImportBusy(RuntimeError):
    """Another import holds the lock; the message names since when (German, for CLI and admin page)."""

    def __init__(self, since: datetime | None, holder: str = "") -> None:
        self.since = since
        when = (
            since.astimezone(_LOCAL).strftime("%d.%m.%Y, %H:%M:%S Uhr") if since is not None else "unbekannt"
        )
        who = f" ({holder})" if holder else ""
        super().__init__(
            f"Es wurde nichts gespeichert: ein anderer Import läuft seit {when}{who}. "
            "Bitte warten, bis er fertig ist, und die Arbeitsmappe dann erneut einlesen."
        )


@contextmanager
def import_lock(engine: Engine, *, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the import lock for the ``with`` block; raises :class:`ImportBusy` after ``wait_seconds``."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, wait_seconds):
            yield
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield  # a private in-memory database cannot be shared by two imports
        return
    with _file_lock(Path(database).with_name(Path(database).name + ".import-lock"), wait_seconds):
        yield


def _deadline(wait_seconds: float) -> float:
    return time.monotonic() + max(wait_seconds, 0.0)


# --- PostgreSQL --------------------------------------------------------------------------------------------


@contextmanager
def _advisory_lock(engine: Engine, wait_seconds: float) -> Iterator[None]:
    conn = engine.connect()
    try:
        deadline = _deadline(wait_seconds)
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar_one():
            conn.commit()
            if time.monotonic() >= deadline:
                raise ImportBusy(*_pg_holder(conn))
            time.sleep(_POLL_SECONDS)
        since = datetime.now(UTC).isoformat(timespec="seconds")
        conn.execute(
            text("SELECT set_config('application_name', :name, false)"),
            {"name": f"{_APP_NAME_PREFIX}{since} pid {os.getpid()}"},
        )
        conn.commit()  # the advisory lock belongs to the session, not to this transaction
        try:
            yield
        finally:
            _pg_release(conn)
    finally:
        conn.close()


def _pg_release(conn: Connection) -> None:
    try:
        conn.rollback()
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
        conn.execute(text("RESET application_name"))
        conn.commit()
    except SQLAlchemyError:
        # The connection died: the server has dropped the lock together with the session. Make sure the
        # pool does not hand out this connection again.
        conn.invalidate()


def _pg_holder(conn: Connection) -> tuple[datetime | None, str]:
    row = conn.execute(
        text(
            "SELECT a.application_name, a.backend_start, a.pid FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :k LIMIT 1"
        ),
        {"k": ADVISORY_KEY},
    ).first()
    conn.commit()
    if row is None:
        return None, ""
    name, backend_start, pid = row
    since: datetime | None = backend_start
    if isinstance(name, str) and name.startswith(_APP_NAME_PREFIX):
        stamp = name.removeprefix(_APP_NAME_PREFIX).split(" ", 1)[0]
        with suppress(ValueError):
            since = datetime.fromisoformat(stamp)
    return since, f"PostgreSQL-Sitzung {pid}"


# --- SQLite ------------------------------------------------------------------------------------------------


@contextmanager
def _file_lock(path: Path, wait_seconds: float) -> Iterator[None]:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ImportLockError(
            f"Die Import-Sperre {path} kann nicht angelegt werden: {exc.strerror or exc}. "
            "Es wurde nichts gespeichert."
        ) from exc
    try:
        deadline = _deadline(wait_seconds)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ImportBusy(*_file_holder(path)) from None
                time.sleep(_POLL_SECONDS)
        stamp = json.dumps({"since": datetime.now(UTC).isoformat(timespec="seconds"), "pid": os.getpid()})
        os.ftruncate(fd, 0)
        os.pwrite(fd, stamp.encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _file_holder(path: Path) -> tuple[datetime | None, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
        since = datetime.fromisoformat(data["since"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, ""
    return since, f"Prozess {data.get('pid', '?')}"
