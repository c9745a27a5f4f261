"""The city's decisions on an application: recommendation, and the Sozialausschuss' decision.

„beschlossen“ with the granted amount creates (or updates) the public Förderung the application became;
„abgelehnt“ closes the application (and hides a Förderung an earlier decision had created). Every change is
audited; nothing is committed here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.applications.models import Antrag
from app.applications.vocab import STATUS, status_label
from app.audit.service import record
from app.catalogue.models import Foerderung, Ortsteil
from app.db import utcnow
from app.i18n import gettext as _

DECISIONS = ("empfohlen", "nicht-empfohlen", "beschlossen", "abgelehnt", "in-pruefung", "zurueckgezogen")


class DecisionError(ValueError):
    pass


def _foerder_id(session: Session, antrag: Antrag) -> str:
    """The Antrags-ID becomes the Förder-ID (the sheet's alias „Antragsnummer“), unless it is taken."""
    candidate = antrag.external_id
    suffix = 1
    while session.exec(select(Foerderung.id).where(Foerderung.external_id == candidate)).first() is not None:
        suffix += 1
        candidate = f"{antrag.external_id}-{suffix}"
    return candidate


def decide(
    session: Session,
    antrag: Antrag,
    *,
    status: str,
    amount_cents: int | None,
    on: date | None,
    actor: str,
) -> Foerderung | None:
    """Set the status (and amount); returns the Förderung a „beschlossen“ created or updated."""
    if status not in DECISIONS:
        raise DecisionError(_("Unbekannte Entscheidung."))
    if status == "beschlossen" and (amount_cents is None or amount_cents <= 0):
        raise DecisionError(_("Für „beschlossen“ bitte die bewilligte Summe angeben."))
    changes: dict[str, tuple[Any, Any]] = {}

    def set_(name: str, value: Any) -> None:
        old = getattr(antrag, name)
        if old != value:
            changes[name] = (old, value)
            setattr(antrag, name, value)

    set_("status", status)
    if status in ("empfohlen", "nicht-empfohlen") and amount_cents is not None:
        set_("empfohlen_cents", amount_cents)
    foerderung = None
    if status == "beschlossen":
        set_("beschlossen_cents", amount_cents)
        set_("entschieden_am", on or date.today())
        foerderung = _grant(session, antrag, actor)
        set_("foerderung_id", foerderung.id)
    elif status == "abgelehnt":
        set_("entschieden_am", on or date.today())
        _withdraw_grant(session, antrag, actor)
    if changes:
        antrag.updated_at = utcnow()
        session.add(antrag)
        record(
            session,
            actor=actor,
            source="admin",
            action="decide",
            entity_type="antrag",
            entity_id=antrag.external_id,
            changes=changes,
            note=f"Status: {status_label(status)}",
        )
    return foerderung


def _grant(session: Session, antrag: Antrag, actor: str) -> Foerderung:
    foerderung = session.get(Foerderung, antrag.foerderung_id) if antrag.foerderung_id else None
    ortsteile = list(
        session.exec(select(Ortsteil).where(col(Ortsteil.slug).in_(antrag.ortsteile or []))).all()
    )
    values: dict[str, Any] = {
        "jahr": antrag.jahr,
        "projekt": antrag.projekt,
        "traeger_id": antrag.traeger_id,
        "handlungsfeld_number": antrag.handlungsfeld_number,
        "betrag_cents": antrag.beschlossen_cents,
        "stadtweit": antrag.stadtweit,
        "bewilligt_am": antrag.entschieden_am,
        "beschreibung": antrag.beschreibung,
        "published": True,
    }
    if foerderung is None:
        foerderung = Foerderung(external_id=_foerder_id(session, antrag), **values)
        foerderung.ortsteile = ortsteile
        session.add(foerderung)
        session.flush()
        record(
            session,
            actor=actor,
            source="admin",
            action="create",
            entity_type="foerderung",
            entity_id=foerderung.external_id,
            changes={k: (None, v) for k, v in values.items() if v is not None},
            note=f"aus Antrag {antrag.external_id} (beschlossen)",
        )
        return foerderung
    changes = {k: (getattr(foerderung, k), v) for k, v in values.items() if getattr(foerderung, k) != v}
    for name, (_old, new) in changes.items():
        setattr(foerderung, name, new)
    foerderung.ortsteile = ortsteile
    foerderung.updated_at = utcnow()
    session.add(foerderung)
    if changes:
        record(
            session,
            actor=actor,
            source="admin",
            action="update",
            entity_type="foerderung",
            entity_id=foerderung.external_id,
            changes=changes,
            note=f"aus Antrag {antrag.external_id} (beschlossen)",
        )
    return foerderung


def _withdraw_grant(session: Session, antrag: Antrag, actor: str) -> None:
    if antrag.foerderung_id is None:
        return
    foerderung = session.get(Foerderung, antrag.foerderung_id)
    if foerderung is None or not foerderung.published:
        return
    foerderung.published = False
    foerderung.updated_at = utcnow()
    session.add(foerderung)
    record(
        session,
        actor=actor,
        source="admin",
        action="unpublish",
        entity_type="foerderung",
        entity_id=foerderung.external_id,
        note=f"Antrag {antrag.external_id} abgelehnt",
    )


def status_choices() -> list[tuple[str, str]]:
    return [(code, STATUS[code]) for code in DECISIONS]
