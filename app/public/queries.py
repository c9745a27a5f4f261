"""Read-only catalogue queries of the public pages (districts, institutions, topics, similar offers, sitemap).

All offer lists go through ``service.public_offer_clause`` – the one public rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, or_
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.catalogue import service
from app.catalogue.models import (
    Angebot,
    AngebotOrtsteil,
    AngebotThema,
    AngebotZielgruppe,
    Einrichtung,
    Foerderung,
    Ortsteil,
    Traeger,
)
from app.catalogue.vocab import PUBLIC_STATUSES

LIST_LIMIT = 200


def _public_offers(*where: ColumnElement[bool]) -> SelectOfScalar[Angebot]:
    return (
        select(Angebot)
        .join(Einrichtung)
        .where(service.public_offer_clause(), *where)
        .options(*service.OFFER_LOAD_OPTIONS)
        .order_by(func.lower(Angebot.titel), Angebot.external_id)
    )


def _runs_in(ortsteil_ids: Sequence[int]) -> ColumnElement[bool]:
    """Where an offer runs: its own Ortsteile, else its institution's (as ``service.offer_ortsteile``)."""
    own = exists().where(
        col(AngebotOrtsteil.angebot_id) == col(Angebot.id), col(AngebotOrtsteil.ortsteil_id).in_(ortsteil_ids)
    )
    has_own = exists().where(col(AngebotOrtsteil.angebot_id) == col(Angebot.id))
    return or_(own, (~has_own) & col(Einrichtung.ortsteil_id).in_(ortsteil_ids))


@dataclass(frozen=True)
class OfferPage:
    """The first ``LIST_LIMIT`` offers of a list page and how many there are in all."""

    offers: Sequence[Angebot]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.offers)


def _offer_page(session: Session, *conditions: ColumnElement[bool]) -> OfferPage:
    offers = session.exec(_public_offers(*conditions).limit(LIST_LIMIT)).all()
    if len(offers) < LIST_LIMIT:
        return OfferPage(offers, len(offers))
    count = select(func.count()).select_from(Angebot).join(Einrichtung)
    total = session.exec(count.where(service.public_offer_clause(), *conditions)).one()
    return OfferPage(offers, int(total))


def offers_in_ortsteil(session: Session, ortsteil: Ortsteil) -> OfferPage:
    return _offer_page(session, _runs_in([ortsteil.id or 0]))


def citywide_offers_for(session: Session, ortsteil: Ortsteil) -> OfferPage:
    """City-wide offers that do not run in the Ortsteil itself – the search adds them to every district."""
    return _offer_page(session, col(Angebot.stadtweit).is_(True), ~_runs_in([ortsteil.id or 0]))


def offers_with(session: Session, *, thema: str | None = None, zielgruppe: str | None = None) -> OfferPage:
    conditions: list[ColumnElement[bool]] = []
    if thema:
        conditions.append(
            exists().where(
                col(AngebotThema.angebot_id) == col(Angebot.id), col(AngebotThema.thema_code) == thema
            )
        )
    if zielgruppe:
        conditions.append(
            exists().where(
                col(AngebotZielgruppe.angebot_id) == col(Angebot.id),
                col(AngebotZielgruppe.zielgruppe_code) == zielgruppe,
            )
        )
    return _offer_page(session, *conditions)


def public_institution_clause() -> ColumnElement[bool]:
    return col(Einrichtung.published).is_(True) & col(Einrichtung.status).in_(
        [s.value for s in PUBLIC_STATUSES]
    )


def institutions_in_ortsteil(session: Session, ortsteil: Ortsteil) -> Sequence[Einrichtung]:
    stmt = (
        select(Einrichtung)
        .where(Einrichtung.ortsteil_id == ortsteil.id, public_institution_clause())
        .order_by(func.lower(Einrichtung.name))
    )
    return session.exec(stmt).all()


def get_institution(session: Session, external_id: str) -> Einrichtung | None:
    stmt = (
        select(Einrichtung)
        .where(Einrichtung.external_id == external_id)
        .options(
            selectinload(Einrichtung.traeger),  # type: ignore[arg-type]
            selectinload(Einrichtung.ortsteil),  # type: ignore[arg-type]
            selectinload(Einrichtung.nachfolger),  # type: ignore[arg-type]
        )
    )
    return session.exec(stmt).first()


def institution_offers(session: Session, institution: Einrichtung) -> Sequence[Angebot]:
    stmt = _public_offers(col(Angebot.einrichtung_id) == institution.id)
    return session.exec(stmt).all()


def similar_offers(session: Session, offer: Angebot, limit: int = 5) -> list[Angebot]:
    """Public offers sharing a Thema (or else a Zielgruppe) with ``offer``; same Ortsteil first."""
    themen = [t.code for t in offer.themen]
    gruppen = [z.code for z in offer.zielgruppen]
    if themen:
        shared = exists().where(
            col(AngebotThema.angebot_id) == col(Angebot.id), col(AngebotThema.thema_code).in_(themen)
        )
    elif gruppen:
        shared = exists().where(
            col(AngebotZielgruppe.angebot_id) == col(Angebot.id),
            col(AngebotZielgruppe.zielgruppe_code).in_(gruppen),
        )
    else:
        return []
    stmt = _public_offers(shared, col(Angebot.id) != offer.id).limit(100)
    found = list(session.exec(stmt).all())
    here = {o.slug for o in service.offer_ortsteile(offer)}
    found.sort(key=lambda a: not ({o.slug for o in service.offer_ortsteile(a)} & here))
    return found[:limit]


@dataclass(frozen=True)
class DistrictSummary:
    ortsteil: Ortsteil
    institutions: int


def get_ortsteil(session: Session, slug: str) -> Ortsteil | None:
    return session.exec(select(Ortsteil).where(Ortsteil.slug == slug)).first()


def neighbours(session: Session, ortsteil: Ortsteil) -> Sequence[Ortsteil]:
    stmt = (
        select(Ortsteil)
        .where(Ortsteil.planungsraum_code == ortsteil.planungsraum_code, Ortsteil.id != ortsteil.id)
        .order_by(col(Ortsteil.position), col(Ortsteil.name))
    )
    return session.exec(stmt).all()


def ortsteil_centre(session: Session, slug: str) -> tuple[float, float] | None:
    """Mean coordinates of the Ortsteil's institutions – the origin for "sort by distance from …"."""
    stmt = (
        select(func.avg(Einrichtung.lat), func.avg(Einrichtung.lon))
        .join(Ortsteil, col(Ortsteil.id) == Einrichtung.ortsteil_id)
        .where(Ortsteil.slug == slug, col(Einrichtung.lat).is_not(None), col(Einrichtung.lon).is_not(None))
    )
    lat, lon = session.exec(stmt).one()
    return (float(lat), float(lon)) if lat is not None and lon is not None else None


def public_offer_ids(session: Session) -> Sequence[str]:
    stmt = (
        select(Angebot.external_id)
        .join(Einrichtung)
        .where(service.public_offer_clause())
        .order_by(Angebot.external_id)
    )
    return session.exec(stmt).all()


def published_institution_ids(session: Session) -> Sequence[str]:
    stmt = (
        select(Einrichtung.external_id)
        .where(col(Einrichtung.published).is_(True))
        .order_by(Einrichtung.external_id)
    )
    return session.exec(stmt).all()


def ortsteil_slugs(session: Session) -> Sequence[str]:
    return session.exec(select(Ortsteil.slug).order_by(Ortsteil.slug)).all()


def published_grant_ids(session: Session) -> Sequence[str]:
    stmt = (
        select(Foerderung.external_id)
        .where(col(Foerderung.published).is_(True))
        .order_by(Foerderung.external_id)
    )
    return session.exec(stmt).all()


def funded_traeger_ids(session: Session) -> Sequence[str]:
    """Träger with at least one published grant (the funding area has a page for each)."""
    stmt = (
        select(Traeger.external_id)
        .where(
            exists().where(col(Foerderung.traeger_id) == col(Traeger.id), col(Foerderung.published).is_(True))
        )
        .order_by(Traeger.external_id)
    )
    return session.exec(stmt).all()
