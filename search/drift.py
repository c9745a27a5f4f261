"""Is the search index in step with the database? Content, not counts: the backend reports a fingerprint
per indexed document (embedded index: a hash of what is really stored – row, indexed text, facets;
Meilisearch: the hash of the document's fields and of the index settings stored with it,
``search.meili.document_fingerprint``); the check builds the expected fingerprints from the database and
compares them one by one. An index whose layout differs from the code's (Meilisearch settings changed, an
embedded file of an older schema) reports every document as drifted, so the repair rebuilds it.

- :func:`check_index` – the full comparison (``python -m search status``; exit code 1 on any drift);
- :func:`repair_index` – check, then re-index exactly the drifted documents (or rebuild when the index is
  unreadable or mostly wrong), then check again; the nightly job calls it;
- :func:`index_lag_seconds` – the cheap signal for ``/healthz``: how long the oldest catalogue change that the
  index has not caught up with is waiting (the index stores up to which change stamp it is current).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.catalogue.models import Angebot, Einrichtung, Traeger
from app.db import make_engine, utcnow
from app.settings import Settings
from search import get_backend
from search.base import SearchBackend, SearchUnavailable
from search.documents import iter_public_documents

log = logging.getLogger(__name__)
# Above this share of drifted documents a full rebuild is cheaper (and safer) than a targeted update.
_REBUILD_SHARE = 0.3
_SHOWN_IDS = 10
_STAMPED = (Angebot, Einrichtung, Traeger)  # tables whose rows feed the search documents


@dataclass
class DriftReport:
    backend: str
    reachable: bool = True
    public: int = 0  # public offers in the database
    indexed: int = 0  # documents in the index
    missing: list[str] = field(default_factory=list)  # public, not in the index
    extra: list[str] = field(default_factory=list)  # in the index, not (any longer) public
    stale: list[str] = field(default_factory=list)  # in both, but indexed with other content
    error: str = ""
    repaired: bool = False
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.reachable and not (self.missing or self.extra or self.stale)

    @property
    def drifted(self) -> list[str]:
        return sorted({*self.missing, *self.extra, *self.stale})

    def lines(self) -> list[str]:
        """German summary for the command line and the jobs log."""
        if not self.reachable:
            return [f"Suchindex ({self.backend}) nicht lesbar: {self.error}"]
        out = [
            f"Dokumente im Index: {self.indexed}",
            f"Öffentliche Angebote in der Datenbank: {self.public}",
        ]
        for label, ids in (
            ("fehlen im Index", self.missing),
            ("sind im Index, aber nicht (mehr) öffentlich", self.extra),
            ("sind im Index veraltet", self.stale),
        ):
            if ids:
                shown = ", ".join(ids[:_SHOWN_IDS]) + (" …" if len(ids) > _SHOWN_IDS else "")
                out.append(f"{len(ids)} Angebote {label}: {shown}")
        out.append(
            "Index und Datenbank stimmen überein."
            if self.ok
            else "Index und Datenbank weichen ab – `python -m search repair` ausführen."
        )
        return out


def catalogue_stamp(session: Session) -> str | None:
    """The newest change time of what feeds the search documents (ISO); None for an empty catalogue."""
    stamps = [session.exec(select(func.max(col(t.updated_at)))).one() for t in _STAMPED]
    found = [s for s in stamps if s is not None]
    if not found:
        return None
    newest = max(s if s.tzinfo else s.replace(tzinfo=UTC) for s in found)
    return newest.isoformat()


def index_lag_seconds(engine: Engine, backend: SearchBackend) -> float | None:
    """Seconds the oldest change newer than the index's stamp has been waiting; 0 when current, None when
    the index does not know its stamp (built before stamps existed) or cannot be read."""
    try:
        stamp = backend.synced_through()
    except (SearchUnavailable, sqlite3.Error, OSError):
        return None
    if stamp is None:
        return None
    try:
        since = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    with Session(engine) as session:
        pending = [
            session.exec(select(func.min(col(t.updated_at))).where(col(t.updated_at) > since)).one()
            for t in _STAMPED
        ]
    waiting = [p if p.tzinfo else p.replace(tzinfo=UTC) for p in pending if p is not None]
    if not waiting:
        return 0.0
    return max((utcnow() - min(waiting)).total_seconds(), 0.0)


def _compare(engine: Engine, backend: SearchBackend) -> DriftReport:
    report = DriftReport(backend=backend.name)
    try:
        actual = backend.fingerprints()
    except (SearchUnavailable, sqlite3.Error, OSError) as exc:
        report.reachable, report.error = False, str(exc)
        return report
    with Session(engine) as session:
        expected = {doc.id: backend.fingerprint_of(doc) for doc in iter_public_documents(session)}
    report.public, report.indexed = len(expected), len(actual)
    report.missing = sorted(set(expected) - set(actual))
    report.extra = sorted(set(actual) - set(expected))
    report.stale = sorted(i for i in set(expected) & set(actual) if expected[i] != actual[i])
    return report


def check_index(settings: Settings, *, engine: Engine | None = None) -> DriftReport:
    """Compare the index with the database document by document (content fingerprints)."""
    own = engine is None
    engine = engine or make_engine(settings.database_url)
    backend = get_backend(settings)
    try:
        report = _compare(engine, backend)
    finally:
        _close(backend)
        if own:
            engine.dispose()
    report.message = "\n".join(report.lines())
    return report


def repair_index(settings: Settings, *, engine: Engine | None = None) -> DriftReport:
    """Bring the index in step: re-index the drifted documents, or rebuild when that is cheaper or the index
    cannot be read; returns the check made afterwards (``repaired`` tells whether anything was done)."""
    from search.indexing import index_offers  # indexing uses catalogue_stamp from here

    own = engine is None
    engine = engine or make_engine(settings.database_url)
    try:
        before = check_index(settings, engine=engine)
        if before.ok:
            return before
        full = not before.reachable or len(before.drifted) > _REBUILD_SHARE * max(before.public, 1)
        outcome = index_offers(engine, settings, None if full else before.drifted)
        after = check_index(settings, engine=engine)
        after.repaired = outcome.ok
        what = "neu aufgebaut" if full else f"{len(before.drifted)} Angebote neu indexiert"
        status = "stimmt jetzt" if after.ok else "weicht weiterhin ab"
        after.message = f"Suchindex {what}: {outcome.message} Der Index {status}.\n{after.message}"
        log.info("Suchindex-Reparatur: %s", after.message)
        return after
    finally:
        if own:
            engine.dispose()


def _close(backend: SearchBackend) -> None:
    close = getattr(backend, "close", None)
    if close is not None:
        close()
