"""Online intake: a Träger writes an application (draft), submits it (→ „eingegangen“), and sees the status
of its own applications – never another Träger's, never any points."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.applications.models import Antrag, Foerderjahr
from app.applications.vocab import ART, DECIDED, DRAFT, SUBMITTED, WITHDRAWN
from app.audit.service import record
from app.catalogue import vocab as catalogue_vocab
from app.catalogue.values import ParseError, parse_money_cents
from app.db import utcnow
from app.i18n import gettext as _

FIELDS = (
    "jahr",
    "projekt",
    "handlungsfeld_number",
    "ortsteile",
    "zielgruppen",
    "summe_cents",
    "art",
    "beschreibung",
)
_ID = re.compile(r"^AN-(\d{4})-(\d+)$")


def own_antraege(session: Session, traeger_id: int) -> list[Antrag]:
    return list(
        session.exec(
            select(Antrag)
            .where(Antrag.traeger_id == traeger_id)
            .order_by(col(Antrag.jahr).desc(), Antrag.external_id)
        ).all()
    )


def own_antrag(session: Session, traeger_id: int, external_id: str) -> Antrag | None:
    """Only the Träger's own application (another's id is as unknown as a made-up one)."""
    return session.exec(
        select(Antrag).where(Antrag.external_id == external_id, Antrag.traeger_id == traeger_id)
    ).first()


def open_years(session: Session, today: date | None = None) -> list[int]:
    """Years one may apply for: every Förderjahr from this year on."""
    this_year = (today or date.today()).year
    return [
        y.jahr
        for y in session.exec(select(Foerderjahr).order_by(col(Foerderjahr.jahr))).all()
        if y.jahr >= this_year
    ]


@dataclass
class IntakeForm:
    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def form_from(antrag: Antrag | None) -> IntakeForm:
    if antrag is None:
        return IntakeForm(raw={"ortsteile": [], "zielgruppen": []})
    return IntakeForm(
        raw={
            "jahr": str(antrag.jahr),
            "projekt": antrag.projekt,
            "handlungsfeld": str(antrag.handlungsfeld_number),
            "ortsteile": (["stadtweit"] if antrag.stadtweit else []) + list(antrag.ortsteile),
            "zielgruppen": list(antrag.zielgruppen),
            "summe": f"{antrag.summe_cents / 100:,.2f}".replace(",", " ").replace(".", ",").replace(" ", "."),
            "art": antrag.art or "",
            "beschreibung": antrag.beschreibung or "",
        }
    )


def read_form(form: Any, years: list[int], ortsteil_slugs: set[str]) -> IntakeForm:
    result = IntakeForm()
    raw: dict[str, Any] = {
        "jahr": str(form.get("jahr", "")).strip(),
        "projekt": str(form.get("projekt", "")).strip(),
        "handlungsfeld": str(form.get("handlungsfeld", "")).strip(),
        "ortsteile": [str(v) for v in form.getlist("ortsteile")],
        "zielgruppen": [str(v) for v in form.getlist("zielgruppen")],
        "summe": str(form.get("summe", "")).strip(),
        "art": str(form.get("art", "")).strip(),
        "beschreibung": str(form.get("beschreibung", "")).strip(),
    }
    result.raw = raw
    errors, values = result.errors, result.values
    if raw["jahr"].isdigit() and int(raw["jahr"]) in years:
        values["jahr"] = int(raw["jahr"])
    else:
        errors["jahr"] = _("Bitte ein Förderjahr wählen.")
    if not raw["projekt"]:
        errors["projekt"] = _("Bitte einen Projekttitel angeben.")
    elif len(raw["projekt"]) > 300:
        errors["projekt"] = _("Höchstens 300 Zeichen.")
    values["projekt"] = raw["projekt"]
    if raw["handlungsfeld"] in {"1", "2", "3", "4", "5", "6"}:
        values["handlungsfeld_number"] = int(raw["handlungsfeld"])
    else:
        errors["handlungsfeld"] = _("Bitte ein Handlungsfeld wählen.")
    chosen = raw["ortsteile"]
    if not chosen:
        errors["ortsteile"] = _("Bitte mindestens einen Ortsteil oder „stadtweit“ wählen.")
    elif any(s != "stadtweit" and s not in ortsteil_slugs for s in chosen):
        errors["ortsteile"] = _("Unbekannter Ortsteil.")
    values["stadtweit"] = "stadtweit" in chosen
    values["ortsteile"] = sorted(s for s in chosen if s in ortsteil_slugs)
    codes = {t.code for t in catalogue_vocab.ZIELGRUPPEN}
    if not raw["zielgruppen"]:
        errors["zielgruppen"] = _("Bitte mindestens eine Zielgruppe wählen.")
    elif any(z not in codes for z in raw["zielgruppen"]):
        errors["zielgruppen"] = _("Unbekannte Zielgruppe.")
    values["zielgruppen"] = sorted(z for z in raw["zielgruppen"] if z in codes)
    try:
        cents = parse_money_cents(raw["summe"]) if raw["summe"] else None
    except ParseError as exc:
        errors["summe"] = str(exc)
        cents = None
    if cents is None and "summe" not in errors:
        errors["summe"] = _("Bitte die beantragte Summe in Euro angeben, z. B. 12.500,00.")
    elif cents is not None and cents <= 0:
        errors["summe"] = _("Die Summe muss größer als 0 sein.")
    values["summe_cents"] = cents
    if raw["art"] and raw["art"] not in ART:
        errors["art"] = _("Bitte neu, Pilot oder Fortsetzung wählen.")
    values["art"] = raw["art"] or None
    if len(raw["beschreibung"]) > 5000:
        errors["beschreibung"] = _("Höchstens 5.000 Zeichen.")
    values["beschreibung"] = raw["beschreibung"] or None
    return result


def next_id(session: Session, jahr: int) -> str:
    numbers = [
        int(m.group(2))
        for ext in session.exec(select(Antrag.external_id).where(Antrag.jahr == jahr)).all()
        if (m := _ID.match(ext))
    ]
    candidate = max(numbers, default=0) + 1
    while session.exec(select(Antrag.id).where(Antrag.external_id == f"AN-{jahr}-{candidate:03d}")).first():
        candidate += 1
    return f"AN-{jahr}-{candidate:03d}"


def save(
    session: Session,
    antrag: Antrag | None,
    traeger_id: int,
    values: dict[str, Any],
    *,
    submit: bool,
    actor: str,
) -> Antrag:
    """Create or update a draft; ``submit`` hands it in (status „eingegangen“, Eingang today)."""
    if antrag is None:
        antrag = Antrag(
            external_id=next_id(session, values["jahr"]),
            traeger_id=traeger_id,
            status=DRAFT,
            quelle="online",
            **values,
        )
        changes: dict[str, tuple[Any, Any]] = {
            name: (None, values[name]) for name in values if values[name] not in (None, [], False)
        }
        action = "create"
    else:
        if antrag.status != DRAFT:
            raise ValueError("only drafts can be edited")
        changes = {n: (getattr(antrag, n), v) for n, v in values.items() if getattr(antrag, n) != v}
        for name, value in values.items():
            setattr(antrag, name, value)
        action = "update"
    if submit:
        changes["status"] = (antrag.status if action == "update" else None, SUBMITTED)
        antrag.status = SUBMITTED
        antrag.eingang = date.today()
        action = "submit"
    antrag.updated_at = utcnow()
    session.add(antrag)
    session.flush()
    record(
        session,
        actor=actor,
        source="provider",
        action=action,
        entity_type="antrag",
        entity_id=antrag.external_id,
        changes=changes,
    )
    return antrag


def withdraw(session: Session, antrag: Antrag, *, actor: str) -> bool:
    """The Träger takes a submitted, undecided application back (it is then not ranked)."""
    if antrag.status in (DRAFT, WITHDRAWN, *DECIDED):
        return False
    record(
        session,
        actor=actor,
        source="provider",
        action="withdraw",
        entity_type="antrag",
        entity_id=antrag.external_id,
        changes={"status": (antrag.status, WITHDRAWN)},
    )
    antrag.status = WITHDRAWN
    antrag.updated_at = utcnow()
    session.add(antrag)
    return True
