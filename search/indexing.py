"""Bring the search index in line with the database – after commits (importer, moderation) and by the CLI.

Never raises because the engine is down: the database stays the truth, ``python -m search status`` shows the
drift and ``python -m search repair`` (or the nightly job, ``search.drift.repair_index``) repairs it.

Order matters for what visitors see between a commit and the end of the index update: documents that left
the public catalogue are removed first (pages never show hits they cannot load), then the changed documents
follow in batches, each visible as soon as it is written. After a successful update the index remembers up to
which catalogue change it is current (``synced_through``, see ``search.drift``).
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
from search.base import OfferDocument, SearchBackend, SearchUnavailable
from search.documents import count_public, documents_for, iter_public_documents, public_among
from search.drift import catalogue_stamp

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (done, total)
# Changed documents are written in batches of this size: each batch is visible to searches right away.
UPSERT_BATCH = 500


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


def _mark(backend: SearchBackend, stamp: str | None) -> None:
    if stamp is None:
        return
    try:
        backend.mark_synced(stamp)
    except (SearchUnavailable, sqlite3.Error, OSError) as exc:  # the next update sets it again
        log.warning("Synchronisationsstand des Suchindex nicht gespeichert: %s", exc)


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
            # Read before the documents: changes committed meanwhile stay "newer than the index".
            stamp = catalogue_stamp(session)
            if external_ids is None:
                total = count_public(session)
                indexed = backend.rebuild(_with_progress(iter_public_documents(session), total, progress))
                _mark(backend, stamp)
                return IndexOutcome(
                    ok=True,
                    backend=backend.name,
                    indexed=indexed,
                    message=f"{indexed} Angebote im Suchindex.",
                )
            wanted = list(dict.fromkeys(external_ids))
            public = public_among(session, wanted)
            gone = [i for i in wanted if i not in public]
            if gone:  # first: no page may show a hit it cannot load
                backend.delete(gone)
            indexed, removed = 0, len(gone)
            changed = [i for i in wanted if i in public]
            for start in range(0, len(changed), UPSERT_BATCH):
                batch = documents_for(session, changed[start : start + UPSERT_BATCH])
                if batch.remove_ids:  # expired between the two queries (date boundary)
                    backend.delete(batch.remove_ids)
                if batch.documents:
                    backend.upsert(batch.documents)
                indexed, removed = indexed + len(batch.documents), removed + len(batch.remove_ids)
                session.expunge_all()
        _mark(backend, stamp)
        return IndexOutcome(
            ok=True,
            backend=backend.name,
            indexed=indexed,
            removed=removed,
            message=f"Suchindex aktualisiert: {indexed} aktualisiert, {removed} entfernt.",
        )
    except (SearchUnavailable, sqlite3.Error, OSError) as exc:
        log.warning("Suchindex nicht aktualisiert: %s", exc)
        return IndexOutcome(
            ok=False,
            backend=backend.name,
            message=(
                f"Der Suchindex ({backend.name}) konnte nicht aktualisiert werden: {_cause(exc)}. "
                "Die Daten sind gespeichert; bitte später `python -m search reindex` ausführen."
            ),
        )
    finally:
        close = getattr(backend, "close", None)
        if close is not None:
            close()


def _cause(exc: BaseException) -> str:
    """The real cause in German where we know it (a full disk used to hide behind a failed ROLLBACK)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if (isinstance(code, int) and code & 0xFF == 13) or getattr(exc, "errno", None) == 28:
        return f"kein Speicherplatz mehr frei auf dem Datenträger des Suchindex ({exc})"
    if (isinstance(code, int) and code & 0xFF == 8) or getattr(exc, "errno", None) in (13, 30):
        return f"Suchindex-Datei oder -Ordner schreibgeschützt ({exc})"
    return str(exc)
