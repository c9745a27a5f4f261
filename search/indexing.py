"""Bring the search index in line with the database – after commits (importer, moderation) and by the CLI.

Never raises because the engine is down: the database stays the truth and ``python -m search reindex`` repairs
any drift later.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from app.settings import Settings
from search import get_backend
from search.base import OfferDocument, SearchUnavailable
from search.documents import count_public, documents_for, iter_public_documents

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class IndexOutcome:
    ok: bool
    backend: str
    indexed: int = 0
    removed: int = 0
    message: str = ""


def _with_progress(
    docs: Iterable[OfferDocument], total: int, progress: Progress | None
) -> Iterator[OfferDocument]:
    for done, doc in enumerate(docs, start=1):
        yield doc
        if progress is not None and (done % 100 == 0 or done == total):
            progress(done, total)


def index_offers(
    engine: Engine,
    settings: Settings,
    external_ids: Iterable[str] | None = None,
    *,
    progress: Progress | None = None,
) -> IndexOutcome:
    """``None`` rebuilds everything (without downtime); otherwise upserts the public ones of the given ids and
    removes the others from the index."""
    backend = get_backend(settings)
    try:
        with Session(engine, expire_on_commit=False) as session:
            if external_ids is None:
                total = count_public(session)
                indexed = backend.rebuild(_with_progress(iter_public_documents(session), total, progress))
                return IndexOutcome(
                    ok=True,
                    backend=backend.name,
                    indexed=indexed,
                    message=f"{indexed} Angebote im Suchindex.",
                )
            batch = documents_for(session, external_ids)
        if batch.documents:
            backend.upsert(batch.documents)
        if batch.remove_ids:
            backend.delete(batch.remove_ids)
        return IndexOutcome(
            ok=True,
            backend=backend.name,
            indexed=len(batch.documents),
            removed=len(batch.remove_ids),
            message=(
                f"Suchindex aktualisiert: {len(batch.documents)} aktualisiert, "
                f"{len(batch.remove_ids)} entfernt."
            ),
        )
    except (SearchUnavailable, sqlite3.Error, OSError) as exc:
        log.warning("Suchindex nicht aktualisiert: %s", exc)
        return IndexOutcome(
            ok=False,
            backend=backend.name,
            message=(
                f"Der Suchindex ({backend.name}) konnte nicht aktualisiert werden: {exc}. "
                "Die Daten sind gespeichert; bitte später `python -m search reindex` ausführen."
            ),
        )
