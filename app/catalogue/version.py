"""The catalogue version: a counter that moves with every committed change of public content.

Full-page caches compare it to know whether a stored page may still be served. It moves inside the writing
transaction (so a rolled-back change moves nothing): every ORM session that flushed public content bumps it
(``app.search_sync``), the importer calls ``bump`` in its own transaction.
Models outside the catalogue whose rows appear on public pages register with ``publishes``.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Connection, select, update
from sqlmodel import Field, SQLModel

_PUBLIC_MODELS: set[type] = set()
M = TypeVar("M", bound=type)


class CatalogueVersion(SQLModel, table=True):
    __tablename__ = "catalogue_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0)


def publishes(model: M) -> M:
    """Class decorator: changes of this model's rows change public pages."""
    _PUBLIC_MODELS.add(model)
    return model


def is_public(obj: object) -> bool:
    cls = type(obj)
    if cls in _PUBLIC_MODELS:
        return True
    return cls.__module__ == "app.catalogue.models" and cls.__name__ != "ImportRun"


def bump(conn: Connection) -> None:
    table = CatalogueVersion.__table__  # type: ignore[attr-defined]
    moved = conn.execute(update(table).where(table.c.id == 1).values(version=table.c.version + 1))
    if moved.rowcount == 0:
        conn.execute(table.insert().values(id=1, version=1))


def read(conn: Connection) -> int:
    table = CatalogueVersion.__table__  # type: ignore[attr-defined]
    return int(conn.execute(select(table.c.version).where(table.c.id == 1)).scalar() or 0)
