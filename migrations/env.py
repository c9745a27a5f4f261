"""Alembic environment: URL from app.settings (or a connection handed in by app.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import app.models  # noqa: F401  (registers every table on the metadata)
from app.db import make_engine, metadata
from app.settings import get_settings

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch mode for ALTER
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("database_url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline-Migrationen werden nicht unterstützt; bitte gegen eine Datenbank ausführen.")
run_migrations_online()
