"""Small builders for catalogue rows in tests (ids are generated; pass what the test is about)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.catalogue.models import Angebot, Einrichtung, Foerderung, Ortsteil, Thema, Traeger, Zielgruppe

_counter = itertools.count(1)


def _next(prefix: str) -> str:
    return f"{prefix}-{next(_counter):04d}"


def ortsteil(session: Session, slug: str) -> Ortsteil:
    found = session.exec(select(Ortsteil).where(Ortsteil.slug == slug)).first()
    if found is None:
        raise LookupError(f"unknown Ortsteil slug {slug!r}")
    return found


def traeger(session: Session, **fields: Any) -> Traeger:
    row = Traeger(
        external_id=fields.pop("external_id", _next("T")),
        name=fields.pop("name", "Testträger e.V."),
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def einrichtung(
    session: Session,
    *,
    traeger_row: Traeger | None = None,
    ortsteil_slug: str = "jena-zentrum",
    **fields: Any,
) -> Einrichtung:
    owner = traeger_row or traeger(session)
    row = Einrichtung(
        external_id=fields.pop("external_id", _next("E")),
        name=fields.pop("name", "Familienzentrum Test"),
        traeger_id=owner.id,  # type: ignore[arg-type]
        ortsteil_id=ortsteil(session, ortsteil_slug).id,  # type: ignore[arg-type]
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def angebot(
    session: Session,
    *,
    einrichtung_row: Einrichtung | None = None,
    zielgruppen: tuple[str, ...] = (),
    themen: tuple[str, ...] = (),
    ortsteile: tuple[str, ...] = (),
    **fields: Any,
) -> Angebot:
    place = einrichtung_row or einrichtung(session)
    row = Angebot(
        external_id=fields.pop("external_id", _next("A")),
        titel=fields.pop("titel", "Krabbelgruppe"),
        einrichtung_id=place.id,  # type: ignore[arg-type]
        **fields,
    )
    row.zielgruppen = [session.get_one(Zielgruppe, code) for code in zielgruppen]
    row.themen = [session.get_one(Thema, code) for code in themen]
    row.ortsteile = [ortsteil(session, slug) for slug in ortsteile]
    session.add(row)
    session.flush()
    return row


def foerderung(
    session: Session, *, traeger_row: Traeger | None = None, ortsteile: tuple[str, ...] = (), **fields: Any
) -> Foerderung:
    owner = traeger_row or traeger(session)
    row = Foerderung(
        external_id=fields.pop("external_id", _next("LSZ")),
        jahr=fields.pop("jahr", 2021),
        projekt=fields.pop("projekt", "Testprojekt"),
        traeger_id=owner.id,  # type: ignore[arg-type]
        handlungsfeld_number=fields.pop("handlungsfeld_number", 4),
        betrag_cents=fields.pop("betrag_cents", 100_000),
        bewilligt_am=fields.pop("bewilligt_am", date(2020, 11, 1)),
        **fields,
    )
    row.ortsteile = [ortsteil(session, slug) for slug in ortsteile]
    session.add(row)
    session.flush()
    return row
