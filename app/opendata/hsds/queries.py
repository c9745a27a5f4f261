"""What the HSDS API and export may show, loaded from the database.

Only public data: services are the public offers (``app.catalogue.service.public_offer_clause``),
locations the published institutions with a public status,
organizations the Träger of at least one such location.
HSDS ids are UUIDv5 of workbook ids, so a lookup by id computes the ids of the candidates (cheap: one uuid per
row) instead of storing a second key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from app.catalogue.models import (
    Angebot,
    AngebotThema,
    AngebotZielgruppe,
    Einrichtung,
    Handlungsfeld,
    Ortsteil,
    Thema,
    Traeger,
    Zielgruppe,
)
from app.catalogue.service import OFFER_LOAD_OPTIONS, get_offers_by_external_ids, public_offer_clause
from app.catalogue.text import fold
from app.catalogue.vocab import PUBLIC_STATUSES
from app.opendata.hsds import mapping as m


def public_location_clause() -> ColumnElement[bool]:
    return and_(
        col(Einrichtung.published).is_(True),
        col(Einrichtung.status).in_([s.value for s in PUBLIC_STATUSES]),
    )


LOCATION_LOAD_OPTIONS = (
    selectinload(Einrichtung.traeger),  # type: ignore[arg-type]
    selectinload(Einrichtung.ortsteil).selectinload(Ortsteil.planungsraum),  # type: ignore[arg-type]
)


@dataclass(frozen=True)
class ServiceFilter:
    search: str | None = None
    organization_id: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    modified_after: datetime | None = None
    postcode: str | None = None


def matches(search: str, *texts: str | None) -> bool:
    """Every folded search word occurs in one of the texts (ä = ae, ß = ss, case ignored)."""
    haystack = fold(" ".join(t for t in texts if t))
    return all(word in haystack for word in fold(search).split())


def vocabulary_terms(session: Session) -> list[m.Term]:
    return m.terms_from_vocabularies(
        session.exec(select(Zielgruppe).order_by(col(Zielgruppe.position), col(Zielgruppe.code))).all(),
        session.exec(select(Thema).order_by(col(Thema.position), col(Thema.code))).all(),
        session.exec(select(Handlungsfeld).order_by(col(Handlungsfeld.number))).all(),
    )


def _term_clause(session: Session, term_id: str) -> ColumnElement[bool] | None:
    """SQL condition for "has this taxonomy term"; None when the id is not one of ours (no match)."""
    for kind in m.TAXONOMY_BRANCHES:
        if m.branch_id(kind) == term_id:
            return _kind_clause(kind, None)
    for term in vocabulary_terms(session):
        if term.id == term_id:
            return _kind_clause(term.kind, term.code)
    return None


def _kind_clause(kind: str, code: str | None) -> ColumnElement[bool]:
    if kind == "zielgruppe":
        link = exists().where(col(AngebotZielgruppe.angebot_id) == col(Angebot.id))
        if code is not None:
            link = link.where(col(AngebotZielgruppe.zielgruppe_code) == code)
        return link
    if kind == "thema":
        link = exists().where(col(AngebotThema.angebot_id) == col(Angebot.id))
        if code is not None:
            link = link.where(col(AngebotThema.thema_code) == code)
        return link
    if code is None:
        return col(Angebot.handlungsfeld_number).is_not(None)
    return col(Angebot.handlungsfeld_number) == int(code.removeprefix("hf"))


def _organization_external_id(session: Session, organization_id: str) -> str | None:
    """The Träger behind an HSDS organization id (a few hundred uuids to compute, no second key stored)."""
    for external_id in session.exec(select(Traeger.external_id)).all():
        if m.hsds_id("organization", external_id) == organization_id:
            return external_id
    return None


def _service_query(session: Session, flt: ServiceFilter, *columns: Any) -> Any | None:
    """SELECT ``columns`` of the public offers matching the filter (except ``search``); None = none match."""
    stmt = (
        select(*columns)
        .select_from(Angebot)
        .join(Einrichtung, col(Angebot.einrichtung_id) == col(Einrichtung.id))
        .join(Traeger, col(Einrichtung.traeger_id) == col(Traeger.id))
        .where(public_offer_clause())
    )
    if flt.modified_after is not None:
        stmt = stmt.where(col(Angebot.updated_at) >= flt.modified_after)
    if flt.postcode is not None:
        stmt = stmt.where(col(Einrichtung.plz) == flt.postcode.strip())
    if flt.taxonomy_id is not None and flt.taxonomy_id != m.taxonomy_id():
        return None
    if flt.taxonomy_term_id is not None:
        clause = _term_clause(session, flt.taxonomy_term_id)
        if clause is None:
            return None
        stmt = stmt.where(clause)
    if flt.organization_id is not None:
        traeger = _organization_external_id(session, flt.organization_id)
        if traeger is None:
            return None
        stmt = stmt.where(col(Traeger.external_id) == traeger)
    return stmt


def service_external_ids(session: Session, flt: ServiceFilter) -> list[str]:
    """External ids of the public offers matching the filter, in a stable order."""
    columns = (col(Angebot.external_id), col(Angebot.titel), col(Angebot.beschreibung))
    stmt = _service_query(session, flt, *columns)
    if stmt is None:
        return []
    rows = session.exec(stmt.order_by(col(Angebot.external_id))).all()
    return [r[0] for r in rows if not flt.search or matches(flt.search, r[1], r[2])]


def service_page(session: Session, flt: ServiceFilter, page: int, per_page: int) -> tuple[int, list[str]]:
    """(number of matches, external ids on this page). Without a text search it counts and pages in SQL."""
    if flt.search:
        ids = service_external_ids(session, flt)
        return len(ids), ids[(page - 1) * per_page : page * per_page]
    ids_stmt = _service_query(session, flt, col(Angebot.external_id))
    if ids_stmt is None:
        return 0, []
    total = session.exec(select(func.count()).select_from(ids_stmt.subquery())).one()
    chunk = ids_stmt.order_by(col(Angebot.external_id)).limit(per_page).offset((page - 1) * per_page)
    return int(total), list(session.exec(chunk).all())


def load_offers(session: Session, external_ids: Sequence[str]) -> list[Angebot]:
    offers = get_offers_by_external_ids(session, external_ids)
    _load_planungsraeume(session)
    return offers


def all_public_offers(session: Session) -> list[Angebot]:
    """Every public offer with its relations (the export: one query per relation, no id list)."""
    stmt = (
        select(Angebot)
        .join(Einrichtung, col(Angebot.einrichtung_id) == col(Einrichtung.id))
        .where(public_offer_clause())
        .options(*OFFER_LOAD_OPTIONS)
        .order_by(Angebot.external_id)
    )
    offers = list(session.exec(stmt).all())
    _load_planungsraeume(session)
    return offers


def _load_planungsraeume(session: Session) -> None:
    """Ortsteil → Planungsraum for the service areas in one query (identity map serves the rest)."""
    session.exec(select(Ortsteil).options(selectinload(Ortsteil.planungsraum))).all()  # type: ignore[arg-type]


def find_offer(session: Session, kind: str, object_id: str) -> Angebot | None:
    """A public offer by its HSDS ``service`` or ``service_at_location`` id."""
    stmt = (
        select(Angebot.external_id)
        .join(Einrichtung, col(Angebot.einrichtung_id) == col(Einrichtung.id))
        .where(public_offer_clause())
    )
    for external_id in session.exec(stmt).all():
        if m.hsds_id(kind, external_id) == object_id:
            found = load_offers(session, [external_id])
            return found[0] if found else None
    return None


def public_locations(session: Session, traeger_ids: Sequence[int] | None = None) -> list[Einrichtung]:
    stmt = (
        select(Einrichtung)
        .where(public_location_clause())
        .options(*LOCATION_LOAD_OPTIONS)
        .order_by(Einrichtung.external_id)
    )
    if traeger_ids is not None:
        stmt = stmt.where(col(Einrichtung.traeger_id).in_(traeger_ids))
    return list(session.exec(stmt).all())


def public_organizations(session: Session, search: str | None = None) -> list[Traeger]:
    has_public_location = exists().where(
        col(Einrichtung.traeger_id) == col(Traeger.id), public_location_clause()
    )
    rows = list(session.exec(select(Traeger).where(has_public_location).order_by(Traeger.external_id)).all())
    if search:
        rows = [t for t in rows if matches(search, t.name)]
    return rows


def public_offers_of(session: Session, traeger: Traeger) -> list[Angebot]:
    stmt = (
        select(Angebot)
        .join(Einrichtung, col(Angebot.einrichtung_id) == col(Einrichtung.id))
        .where(public_offer_clause(), col(Einrichtung.traeger_id) == traeger.id)
        .options(*OFFER_LOAD_OPTIONS)
        .order_by(Angebot.external_id)
    )
    return list(session.exec(stmt).all())
