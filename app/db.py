"""Engine, session dependency and the shared column types."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

# Stable constraint names so Alembic migrations are reproducible on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use app.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(database_url: str, *, sqlite_busy_timeout: float = 30.0, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout (several workers share the file).

    SQLite has one writer at a time: a write that waits longer than ``sqlite_busy_timeout`` for another
    writer (an import holds the lock for its whole write phase) fails with "database is locked" – the web
    app answers that with 503 + Retry-After (app.errors).
    """
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": sqlite_busy_timeout},
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return create_engine(database_url, pool_pre_ping=True, **kwargs)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work outside a request (CLI, importer): commit on success, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# --- what went wrong: driver errors named in German (importer reports, 503 pages) --------------------------

_SQLITE_KINDS = {5: "busy", 6: "busy", 8: "readonly", 10: "io", 13: "full", 14: "unreachable"}
_PG_KINDS = {"53100": "full", "55P03": "busy", "40P01": "busy", "25006": "readonly", "57P01": "unreachable"}
DB_FAULT_MESSAGES = {
    "busy": "Die Datenbank ist gerade durch einen anderen Schreibvorgang (z. B. einen Import) gesperrt.",
    "full": "Auf dem Datenträger der Datenbank ist kein Speicherplatz mehr frei.",
    "readonly": "Die Datenbank ist schreibgeschützt (Dateirechte oder Nur-Lese-Datenträger).",
    "io": "Die Datenbankdatei kann nicht gelesen oder geschrieben werden (Ein-/Ausgabefehler).",
    "unreachable": "Die Datenbank ist nicht erreichbar.",
}


def db_fault(exc: BaseException) -> str | None:
    """``busy`` | ``full`` | ``readonly`` | ``io`` | ``unreachable`` for known driver errors, else None."""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_KINDS.get(code & 0xFF)
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str):
        if state in _PG_KINDS:
            return _PG_KINDS[state]
        if state.startswith("08"):
            return "unreachable"
    return None
