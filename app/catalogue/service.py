"""Catalogue queries shared by pages, API, search documents and exports.

The rule for what is public lives here once: an Angebot is public when it and its Einrichtung are
published, its effective status is active or temporarily closed, and it is not past ``Gültig bis``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from app.catalogue.models import Angebot, Einrichtung, Ortsteil
from app.catalogue.vocab import PUBLIC_STATUSES, Status

# An institution's status overrides its offers' (spreadsheet format, `Status` of Angebote).
_INSTITUTION_OVERRIDES = {
    Status.geschlossen: Status.geschlossen,
    Status.umgezogen: Status.geschlossen,
    Status.voruebergehend_geschlossen: Status.voruebergehend_geschlossen,
}


def effective_status(angebot: Angebot) -> Status:
    return combined_status(angebot.status, angebot.einrichtung.status)


def combined_status(offer_status: str, institution_status: str) -> Status:
    """An offer's status as families see it: a closed or moved institution closes its offers."""
    institution = Status(institution_status)
    if institution in _INSTITUTION_OVERRIDES:
        override = _INSTITUTION_OVERRIDES[institution]
        own = Status(offer_status)
        # A closed offer stays closed even if its institution is only temporarily closed.
        return own if own in (Status.geschlossen, Status.umgezogen) else override
    return Status(offer_status)


def is_expired(angebot: Angebot, today: date | None = None) -> bool:
    return angebot.gueltig_bis is not None and angebot.gueltig_bis < (today or date.today())


def is_public(angebot: Angebot, today: date | None = None) -> bool:
    return (
        angebot.published
        and angebot.einrichtung.published
        and effective_status(angebot) in PUBLIC_STATUSES
        and not is_expired(angebot, today)
    )


def public_offer_clause(today: date | None = None) -> ColumnElement[bool]:
    """SQL form of :func:`is_public`; the query must join Einrichtung."""
    today = today or date.today()
    public = [s.value for s in PUBLIC_STATUSES]
    return and_(
        col(Angebot.published).is_(True),
        col(Einrichtung.published).is_(True),
        col(Angebot.status).in_(public),
        col(Einrichtung.status).in_(public),
        or_(col(Angebot.gueltig_bis).is_(None), col(Angebot.gueltig_bis) >= today),
    )


OFFER_LOAD_OPTIONS = (
    selectinload(Angebot.einrichtung).selectinload(Einrichtung.ortsteil),  # type: ignore[arg-type]
    selectinload(Angebot.einrichtung).selectinload(Einrichtung.traeger),  # type: ignore[arg-type]
    selectinload(Angebot.zielgruppen),  # type: ignore[arg-type]
    selectinload(Angebot.themen),  # type: ignore[arg-type]
    selectinload(Angebot.ortsteile),  # type: ignore[arg-type]
    selectinload(Angebot.handlungsfeld),  # type: ignore[arg-type]
)


def count_public_offers(session: Session, *, today: date | None = None) -> int:
    stmt = select(func.count()).select_from(Angebot).join(Einrichtung).where(public_offer_clause(today))
    return int(session.exec(stmt).one())


def count_public_institutions(session: Session) -> int:
    public = [s.value for s in PUBLIC_STATUSES]
    stmt = (
        select(func.count())
        .select_from(Einrichtung)
        .where(col(Einrichtung.published).is_(True), col(Einrichtung.status).in_(public))
    )
    return int(session.exec(stmt).one())


def list_public_offers(
    session: Session, *, limit: int = 50, offset: int = 0, today: date | None = None
) -> Sequence[Angebot]:
    stmt = (
        select(Angebot)
        .join(Einrichtung)
        .where(public_offer_clause(today))
        .options(*OFFER_LOAD_OPTIONS)
        .order_by(func.lower(Angebot.titel), Angebot.external_id)
        .limit(limit)
        .offset(offset)
    )
    return session.exec(stmt).all()


def get_offers_by_external_ids(session: Session, external_ids: Sequence[str]) -> list[Angebot]:
    """Load offers in the given order (search results are ranked ids)."""
    if not external_ids:
        return []
    stmt = select(Angebot).where(col(Angebot.external_id).in_(external_ids)).options(*OFFER_LOAD_OPTIONS)
    by_id = {a.external_id: a for a in session.exec(stmt).all()}
    return [by_id[i] for i in external_ids if i in by_id]


def get_offer(session: Session, external_id: str) -> Angebot | None:
    stmt = select(Angebot).where(Angebot.external_id == external_id).options(*OFFER_LOAD_OPTIONS)
    return session.exec(stmt).first()


def get_published_offer(session: Session, external_id: str) -> Angebot | None:
    """An offer that has a public page: it and its Einrichtung are published (past „Gültig bis“ included)."""
    offer = get_offer(session, external_id)
    return offer if offer is not None and offer.published and offer.einrichtung.published else None


def offer_ortsteile(angebot: Angebot) -> list[Ortsteil]:
    """Where the offer runs: its own districts, else its institution's."""
    return list(angebot.ortsteile) or [angebot.einrichtung.ortsteil]


def offer_sprachen(angebot: Angebot) -> list[str]:
    return angebot.sprachen if angebot.sprachen is not None else list(angebot.einrichtung.sprachen)


def offer_barrierefrei(angebot: Angebot) -> str | None:
    return angebot.barrierefrei if angebot.barrierefrei is not None else angebot.einrichtung.barrierefrei


# --- freshness: the one rule for "not verified for 12 months" (admin report, planning, reminders) -------


def stale_cutoff(today: date) -> date:
    """The same day twelve months earlier (29 February → 28 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def is_stale(verified_at: date | None, cutoff: date) -> bool:
    """Never verified, or verified before the cutoff (more than 12 months ago)."""
    return verified_at is None or verified_at < cutoff
