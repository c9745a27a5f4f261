"""Search is a side effect of commits: the session collects changed offers and pushes them after commit.

The pattern of PyPI's Warehouse: ``after_flush`` notes which Angebote (directly, or through their Einrichtung
or Träger) a unit of work touched; ``after_commit`` hands those ids to the search index. Nothing is sent while
the transaction is open, and a rolled-back unit of work sends nothing. Views never call the indexer by hand.

Only sessions that opted in (``track(session, settings)``: the request session) are watched; the settings
they carry are read by other after-commit work too (``app.mail``). The importer writes with SQLAlchemy Core
and calls ``search.indexing.index_offers`` once itself.

A failed push never undoes a commit: the ids stay in a process-wide retry set, the next commit in this process
tries them again, and ``python -m search reindex`` / the jobs runner repair any drift.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine, event, or_, select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col

from app.catalogue import version
from app.catalogue.models import Angebot, Einrichtung, Traeger
from app.settings import Settings
from search.indexing import index_offers

log = logging.getLogger(__name__)

SETTINGS_KEY = "settings"  # session.info: the app settings of a tracked session (also read by app.mail)
_CHANGED_OFFERS = "search_sync.offer_ids"
_CHANGED_INSTITUTIONS = "search_sync.einrichtung_ids"
_CHANGED_TRAEGER = "search_sync.traeger_ids"
_PUBLIC_CHANGED = "search_sync.public_changed"

_retry_lock = threading.Lock()
_retry_ids: set[str] = set()


def track(session: Session, settings: Settings) -> Session:
    """Opt this session in: its committed catalogue changes reach the search index."""
    session.info[SETTINGS_KEY] = settings
    return session


def pending_retries() -> int:
    """Offers whose index update failed in this process and waits for the next commit (or a reindex)."""
    with _retry_lock:
        return len(_retry_ids)


def _bucket(session: OrmSession, key: str) -> set[Any]:
    bucket: set[Any] = session.info.setdefault(key, set())
    return bucket


@event.listens_for(OrmSession, "after_flush")
def _collect(session: OrmSession, _flush_context: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(version.is_public(obj) for obj in changed):
        session.info[_PUBLIC_CHANGED] = True  # every session: the page caches must never miss a change
    if SETTINGS_KEY not in session.info:
        return
    for obj in changed:
        if isinstance(obj, Angebot):
            _bucket(session, _CHANGED_OFFERS).add(obj.external_id)
        elif isinstance(obj, Einrichtung) and obj.id is not None:
            _bucket(session, _CHANGED_INSTITUTIONS).add(obj.id)
        elif isinstance(obj, Traeger) and obj.id is not None:
            _bucket(session, _CHANGED_TRAEGER).add(obj.id)


@event.listens_for(OrmSession, "before_commit")
def _move_version(session: OrmSession) -> None:
    """Inside the transaction: the catalogue version moves with the change, or not at all."""
    session.flush()
    if session.info.pop(_PUBLIC_CHANGED, False):
        version.bump(session.connection())


def _forget(session: OrmSession) -> None:
    for key in (_CHANGED_OFFERS, _CHANGED_INSTITUTIONS, _CHANGED_TRAEGER, _PUBLIC_CHANGED):
        session.info.pop(key, None)


@event.listens_for(OrmSession, "after_rollback")
def _discard(session: OrmSession) -> None:
    _forget(session)


@event.listens_for(OrmSession, "after_commit")
def _push(session: OrmSession) -> None:
    settings: Settings | None = session.info.get(SETTINGS_KEY)
    if settings is None:
        return
    offer_ids: set[str] = set(session.info.get(_CHANGED_OFFERS, ()))
    institution_ids: set[int] = set(session.info.get(_CHANGED_INSTITUTIONS, ()))
    traeger_ids: set[int] = set(session.info.get(_CHANGED_TRAEGER, ()))
    _forget(session)
    with _retry_lock:
        offer_ids |= _retry_ids
        _retry_ids.clear()
    if not (offer_ids or institution_ids or traeger_ids):
        return
    engine = session.get_bind().engine
    try:
        offer_ids |= _offers_below(engine, institution_ids, traeger_ids)
        outcome = index_offers(engine, settings, sorted(offer_ids))
        ok = outcome.ok
        if not ok:
            log.warning("Suchindex nicht aktualisiert: %s", outcome.message)
    except Exception:  # a bug in indexing must never surface as an error of a committed request
        log.exception("Suchindex konnte nach dem Speichern nicht aktualisiert werden")
        ok = False
    if not ok:
        with _retry_lock:
            _retry_ids.update(offer_ids)


def _offers_below(engine: Engine, institution_ids: set[int], traeger_ids: set[int]) -> set[str]:
    """Offers whose index document shows data of a changed Einrichtung or Träger (name, address, …)."""
    if not (institution_ids or traeger_ids):
        return set()
    query = select(col(Angebot.external_id)).join(Einrichtung, col(Angebot.einrichtung_id) == Einrichtung.id)
    conditions = []
    if institution_ids:
        conditions.append(Einrichtung.id.in_(institution_ids))  # type: ignore[union-attr]
    if traeger_ids:
        conditions.append(Einrichtung.traeger_id.in_(traeger_ids))  # type: ignore[attr-defined]
    with Session(engine) as reader:
        return set(reader.execute(query.where(or_(*conditions))).scalars())
