"""What pages and the API call: search via the engine, or – when it is down or slow – via the database."""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, or_
from sqlalchemy import select as sql_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, func, select

from app.catalogue import service
from app.catalogue.models import Angebot, Einrichtung
from app.catalogue.text import fold
from search.base import (
    Highlights,
    SearchBackend,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    Sort,
    list_card,
)
from search.documents import build_document, facet_values, matches_filters
from search.suggest import suggest
from search.text import query_words

log = logging.getLogger(__name__)

DEGRADED_NOTICE = (
    "Die Suchmaschine ist gerade nicht erreichbar. Die Ergebnisse stammen aus einer einfachen Suche "
    "in der Datenbank – Tippfehler und Wortteile werden dabei nicht erkannt."
)
# The fallback is for emergencies: it scans at most this many candidate offers.
_FALLBACK_CANDIDATES = 5_000
_UMLAUTS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("ss", "ß"))


@lru_cache(maxsize=2)
def _public_ids_statement(today: date) -> Select[Any]:
    """Built once a day: constructing the public rule costs more than running it on 20 ids."""
    stmt: Select[Any] = (
        sql_select(col(Angebot.external_id))
        .join(Einrichtung)
        .where(
            col(Angebot.external_id).in_(bindparam("ids", expanding=True)), service.public_offer_clause(today)
        )
    )
    return stmt


def discard_stale(result: SearchResult, public: Collection[str]) -> None:
    """Between a commit and the index update the index can still list offers that are no longer public:
    drop them from the page and from ``total``, so a page never shows fewer items than it claims."""
    stale = [i for i in result.ids if i not in public]
    if not stale:
        return
    log.info("%d veraltete Treffer aus dem Suchindex verworfen: %s", len(stale), ", ".join(stale[:5]))
    result.ids = [i for i in result.ids if i in public]
    result.total = max(result.total - len(stale), len(result.ids))  # highlights/cards are looked up by id


def _drop_stale(session: Session, result: SearchResult) -> None:
    if not result.ids:
        return
    # Core execution: the ORM layer would add a third to this per-request lookup of plain strings.
    rows = session.connection().execute(_public_ids_statement(date.today()), {"ids": result.ids})
    discard_stale(result, set(rows.scalars()))


def search_offers(
    session: Session, backend: SearchBackend, query: SearchQuery, *, verify: bool = True
) -> SearchResult:
    """Search the index; ``verify=False`` for callers that load the hits with the public rule themselves
    (and then call :func:`discard_stale`)."""
    try:
        result = backend.search(query)
        if verify:
            _drop_stale(session, result)
    except SearchUnavailable as exc:
        log.warning("Suche über %s nicht möglich (%s) – Datenbanksuche", backend.name, exc)
        result = database_search(session, query)
        result.degraded = True
    if result.total == 0 and query.q.strip() and result.suggestion is None:
        result.suggestion = suggest(session, query.q, lambda q: _finds_something(session, backend, q))
    return result


def _finds_something(session: Session, backend: SearchBackend, q: str) -> bool:
    """Does a suggested text find any public offer (catalogue-wide: the page offers removing filters)?"""
    probe = SearchQuery(q=q, limit=1, facets=())
    try:
        return backend.search(probe).total > 0
    except SearchUnavailable:
        return database_search(session, probe).total > 0


def load_offers(session: Session, result: SearchResult, *, options: Sequence[Any] = ()) -> list[Angebot]:
    """The result's offers from the database, in rank order – and only those still public.

    ``options`` replaces the full eager loading (``OFFER_LOAD_OPTIONS``) for callers that need less.
    """
    if not options:
        offers = service.get_offers_by_external_ids(session, result.ids)
    else:
        stmt = select(Angebot).where(col(Angebot.external_id).in_(result.ids)).options(*options)
        by_id = {a.external_id: a for a in session.exec(stmt).unique().all()} if result.ids else {}
        offers = [by_id[i] for i in result.ids if i in by_id]
    return [a for a in offers if service.is_public(a)]


def _word_clause(word: str) -> ColumnElement[bool]:
    """A word in title, description or institution name, with ä/ae, ö/oe, ü/ue, ß/ss spelled either way."""
    variants = {word}
    for plain, umlaut in _UMLAUTS:
        variants |= {v.replace(plain, umlaut) for v in variants} | {
            v.replace(umlaut, plain) for v in variants
        }
    columns = (Angebot.titel, Angebot.beschreibung, Einrichtung.name)
    return or_(*(func.lower(col(c)).contains(v, autoescape=True) for c in columns for v in variants))


def database_search(session: Session, query: SearchQuery) -> SearchResult:
    """A plain substring search over public offers with the same filters, facets and sorts."""
    stmt = select(Angebot).join(Einrichtung).where(service.public_offer_clause())
    for word in query_words(query.q):
        stmt = stmt.where(_word_clause(word))
    stmt = stmt.options(*service.OFFER_LOAD_OPTIONS).order_by(func.lower(Angebot.titel), Angebot.external_id)
    offers = session.exec(stmt.limit(_FALLBACK_CANDIDATES)).all()
    docs = [d for d in (build_document(a) for a in offers) if matches_filters(d, query)]
    if query.sort is Sort.distance and query.lat is not None and query.lon is not None:
        lat, lon = query.lat, query.lon
        scale = math.cos(math.radians(lat)) ** 2
        docs.sort(
            key=lambda d: (
                d.lat is None,
                (d.lat - lat) ** 2 + (d.lon - lon) ** 2 * scale
                if d.lat is not None and d.lon is not None
                else 0,
                fold(d.title),
            )
        )
    facets: dict[str, dict[str, int]] = {}
    for doc in docs:
        for name, values in facet_values(doc).items():
            if name in query.facets:
                for value in values:
                    facets.setdefault(name, {}).setdefault(value, 0)
                    facets[name][value] += 1
    page = docs[query.offset : query.offset + query.limit]
    highlights = Highlights(query.q, {d.id: (d.title, d.description) for d in page})
    return SearchResult(
        total=len(docs),
        ids=[d.id for d in page],
        facets=facets,
        highlights=highlights,
        backend="database",
        cards={d.id: list_card(d) for d in page},
    )


__all__: Sequence[str] = (
    "DEGRADED_NOTICE",
    "database_search",
    "discard_stale",
    "load_offers",
    "search_offers",
)
