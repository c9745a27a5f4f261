"""Real databases for tests: a migrated SQLite file per test, and a private PostgreSQL database per run.

PostgreSQL: each pytest process creates its own database (``fw_test_<random>``) on 127.0.0.1:5432, migrates it
once and empties it between tests (TRUNCATE + reference data), so parallel runs never see each other's rows.
Under ``CI=true`` an unreachable PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import Engine, text

from app.catalogue.seed import seed_reference_data
from app.db import make_engine, metadata
from app.migrate import upgrade

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_ADMIN_DSN = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=test connect_timeout=3"
IN_CI = os.environ.get("CI", "").lower() == "true"  # tests may read the CI flag; the app never does


def postgres_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_DSN):
            return True
    except psycopg.OperationalError:
        return False


def migrated_sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def fresh_sqlite_url(template: Path, directory: Path) -> str:
    target = directory / f"test-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@contextmanager
def private_postgres_database() -> Iterator[str]:
    """Create, migrate and finally drop a database of our own; yields its SQLAlchemy URL."""
    name = f"fw_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def reset_postgres(engine: Engine) -> None:
    """Empty every table (one TRUNCATE) and restore the reference rows."""
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        seed_reference_data(conn)


def engine_for(url: str) -> Engine:
    return make_engine(url)
