"""The quality cycle: Förderung ↔ offers, indicators and due dates, Qualitätsberichte and their status.

Services never commit; the request (or ``session_scope``) does. Elsewhere in the package: evaluations
(``evaluation.py``), the dossier and overview (``dossier.py``), open data (``opendata.py``), feedback handling
(``handling.py``), the Redaktion's direct edit (``direct_edit.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from app.audit.service import record_by
from app.auth.models import UserAccount
from app.catalogue import service as catalogue
from app.catalogue.editing import clean_text, mark_edited_online
from app.catalogue.models import Angebot, Foerderung, FoerderungAngebot, Traeger
from app.catalogue.values import ParseError, split_multi
from app.db import utcnow
from app.i18n import N_
from app.i18n import gettext as _
from app.quality.models import (
    Berichtsfrist,
    BerichtStatus,
    Indikator,
    IndikatorArt,
    Qualitaetsbericht,
    Qualitaetsdialog,
)


class QualityError(ValueError):
    """German message for the person at the form (a 400/409, never a crash)."""


# --- Förderung ↔ Angebote -----------------------------------------------------------------------------------


def get_grant(session: Session, external_id: str) -> Foerderung | None:
    stmt = (
        select(Foerderung)
        .where(Foerderung.external_id == external_id)
        .options(
            selectinload(Foerderung.angebote).selectinload(Angebot.einrichtung),  # type: ignore[arg-type]
            selectinload(Foerderung.traeger),  # type: ignore[arg-type]
            selectinload(Foerderung.handlungsfeld),  # type: ignore[arg-type]
        )
    )
    return session.exec(stmt).first()


def offer_ids(grant: Foerderung) -> list[int]:
    return [a.id for a in grant.angebote if a.id is not None]


def public_offers(grant: Foerderung) -> list[Angebot]:
    return sorted(
        (
            a
            for a in grant.angebote
            if a.published and a.einrichtung.published and not catalogue.is_expired(a)
        ),
        key=lambda a: a.titel.lower(),
    )


def grants_of_offer(session: Session, angebot_id: int) -> list[Foerderung]:
    """The published funded projects an offer belongs to, newest year first."""
    stmt = (
        select(Foerderung)
        .join(FoerderungAngebot, col(FoerderungAngebot.foerderung_id) == Foerderung.id)
        .where(FoerderungAngebot.angebot_id == angebot_id, col(Foerderung.published).is_(True))
        .order_by(col(Foerderung.jahr).desc(), col(Foerderung.external_id))
    )
    return list(session.exec(stmt).all())


def parse_offer_ids(session: Session, text: str) -> list[Angebot]:
    """„A-0001; A-0002“ (as in the workbook column) → the offers; unknown ids are one clear error."""
    wanted = list(dict.fromkeys(split_multi(text)))
    if not wanted:
        return []
    found = {
        a.external_id: a for a in session.exec(select(Angebot).where(col(Angebot.external_id).in_(wanted)))
    }
    unknown = [w for w in wanted if w not in found]
    if unknown:
        raise QualityError(_("Diese Angebots-IDs gibt es nicht: {ids}.").format(ids=", ".join(unknown)))
    return [found[w] for w in wanted]


def set_grant_offers(
    session: Session, *, grant: Foerderung, offers: Sequence[Angebot], admin: UserAccount
) -> bool:
    """Admins link offers online; the field counts as edited online, so the next import keeps it."""
    old = sorted(a.external_id for a in grant.angebote)
    new = sorted(a.external_id for a in offers)
    if old == new:
        return False
    now = utcnow()
    grant.angebote = list(offers)
    mark_edited_online(grant, ["angebote"], by=admin.email, at=now)
    grant.updated_at = now
    session.add(grant)
    record_by(
        session,
        admin,
        action="update",
        entity_type="foerderung",
        entity_id=grant.external_id,
        changes={"angebote": (old, new)},
    )
    session.flush()
    return True


# --- indicators and due dates -------------------------------------------------------------------------------


def indicators(session: Session, *, handlungsfeld: int, jahr: int) -> list[Indikator]:
    stmt = (
        select(Indikator)
        .where(Indikator.handlungsfeld_number == handlungsfeld, Indikator.jahr == jahr)
        .order_by(col(Indikator.position), col(Indikator.id))
    )
    return list(session.exec(stmt).all())


def all_indicators(session: Session, jahr: int) -> list[Indikator]:
    stmt = (
        select(Indikator)
        .where(Indikator.jahr == jahr)
        .order_by(col(Indikator.handlungsfeld_number), col(Indikator.position), col(Indikator.id))
    )
    return list(session.exec(stmt).all())


def _target_value(art: str, text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if art == IndikatorArt.ja_nein:
        if text.lower() not in ("ja", "nein"):
            raise QualityError(_("Zielwert einer Ja/Nein-Frage: „ja“ oder „nein“."))
        return text.lower()
    if art == IndikatorArt.zahl:
        return str(_number(text))
    return clean_text(text, max_length=100, multiline=False)


def add_indicator(
    session: Session,
    *,
    handlungsfeld: int,
    jahr: int,
    label: str,
    art: str,
    zielwert: str,
    admin: UserAccount,
) -> Indikator:
    if art not in {a.value for a in IndikatorArt}:
        raise QualityError(_("Bitte eine Art wählen: Ja/Nein, Zahl oder Text."))
    try:
        text = clean_text(label, max_length=300, multiline=False)
    except ParseError as exc:
        raise QualityError(str(exc)) from exc
    if not text:
        raise QualityError(_("Bitte den Indikator beschreiben."))
    position = len(indicators(session, handlungsfeld=handlungsfeld, jahr=jahr))
    row = Indikator(
        handlungsfeld_number=handlungsfeld,
        jahr=jahr,
        label=text,
        art=art,
        zielwert=_target_value(art, zielwert),
        position=position,
    )
    session.add(row)
    session.flush()
    record_by(
        session,
        admin,
        action="create",
        entity_type="indikator",
        entity_id=str(row.id),
        changes={"label": (None, row.label), "zielwert": (None, row.zielwert)},
        note=f"HF {handlungsfeld}, {jahr}",
    )
    return row


def remove_indicator(session: Session, *, indicator_id: int, admin: UserAccount) -> int:
    """Remove a mistyped indicator – only while no report answered it (answers are kept with their report)."""
    row = session.get(Indikator, indicator_id)
    if row is None:
        raise QualityError(_("Diesen Indikator gibt es nicht."))
    stmt = select(Qualitaetsbericht.indikatoren).where(Qualitaetsbericht.jahr == row.jahr)
    if any(str(indicator_id) in (answers or {}) for answers in session.exec(stmt).all()):
        raise QualityError(
            _("Dieser Indikator ist in einem Bericht beantwortet und bleibt deshalb erhalten.")
        )
    record_by(
        session,
        admin,
        action="delete",
        entity_type="indikator",
        entity_id=str(indicator_id),
        changes={"label": (row.label, None)},
        note=f"HF {row.handlungsfeld_number}, {row.jahr}",
    )
    session.delete(row)
    session.flush()
    return row.jahr


def due_date(session: Session, jahr: int) -> date | None:
    row = session.get(Berichtsfrist, jahr)
    return row.faellig_am if row else None


def set_due_date(session: Session, *, jahr: int, faellig_am: date, admin: UserAccount) -> None:
    row = session.get(Berichtsfrist, jahr)
    old = row.faellig_am if row else None
    if row is None:
        row = Berichtsfrist(jahr=jahr, faellig_am=faellig_am)
    row.faellig_am = faellig_am
    session.add(row)
    record_by(
        session,
        admin,
        action="update",
        entity_type="berichtsfrist",
        entity_id=str(jahr),
        changes={"faellig_am": (old, faellig_am)},
    )
    session.flush()


# --- Qualitätsberichte --------------------------------------------------------------------------------------

REPORT_TEXT_FIELDS = (
    "projekt_konzept",
    "ressourcen_raeume",
    "ressourcen_personal",
    "merkmale_altersgruppen",
    "merkmale_zielgruppen",
    "vernetzung",
    "ergebnisse",
)
MAX_REPORT_TEXT = 10_000


def versions(session: Session, foerderung_id: int) -> list[Qualitaetsbericht]:
    stmt = (
        select(Qualitaetsbericht)
        .where(Qualitaetsbericht.foerderung_id == foerderung_id)
        .order_by(col(Qualitaetsbericht.version))
    )
    return list(session.exec(stmt).all())


def latest(session: Session, foerderung_id: int) -> Qualitaetsbericht | None:
    found = versions(session, foerderung_id)
    return found[-1] if found else None


def latest_submitted(session: Session, foerderung_id: int) -> Qualitaetsbericht | None:
    found = [v for v in versions(session, foerderung_id) if v.status == BerichtStatus.eingereicht]
    return found[-1] if found else None


def _number(text: str) -> Decimal:
    cleaned = text.strip().replace(" ", "").replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise QualityError(_("Bitte eine Zahl eingeben (z. B. 12 oder 3,5).")) from exc
    if not value.is_finite():
        raise QualityError(_("Bitte eine Zahl eingeben (z. B. 12 oder 3,5)."))
    return value.normalize() if value != value.to_integral() else value.to_integral()


@dataclass
class ReportForm:
    values: dict[str, Any]
    errors: dict[str, str]


def read_report_form(form: dict[str, str], inds: Sequence[Indikator]) -> ReportForm:
    """Check the typed report: long texts, the participant count, each indicator by its kind."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in REPORT_TEXT_FIELDS:
        try:
            values[name] = clean_text(form.get(name, ""), max_length=MAX_REPORT_TEXT, multiline=True)
        except ParseError as exc:
            errors[name] = str(exc)
    count = form.get("teilnehmende_anzahl", "").strip()
    values["teilnehmende_anzahl"] = None
    if count:
        if not count.isdigit() or len(count) > 9:
            errors["teilnehmende_anzahl"] = _("Bitte eine ganze Zahl (0 oder mehr) eingeben.")
        else:
            values["teilnehmende_anzahl"] = int(count)
    answers: dict[str, Any] = {}
    for ind in inds:
        key = f"indikator_{ind.id}"
        raw = form.get(key, "").strip()
        if not raw:
            continue
        try:
            if ind.art == IndikatorArt.ja_nein:
                if raw not in ("ja", "nein"):
                    raise QualityError(_("Bitte „ja“ oder „nein“ wählen."))
                answers[str(ind.id)] = raw
            elif ind.art == IndikatorArt.zahl:
                answers[str(ind.id)] = str(_number(raw))
            else:
                answers[str(ind.id)] = clean_text(raw, max_length=2000, multiline=True)
        except (QualityError, ParseError) as exc:
            errors[key] = str(exc)
    values["indikatoren"] = answers
    return ReportForm(values, errors)


def report_form_values(report: Qualitaetsbericht | None) -> dict[str, str]:
    if report is None:
        return {}
    values = {name: getattr(report, name) or "" for name in REPORT_TEXT_FIELDS}
    values["teilnehmende_anzahl"] = (
        "" if report.teilnehmende_anzahl is None else str(report.teilnehmende_anzahl)
    )
    values.update({f"indikator_{k}": str(v) for k, v in report.indikatoren.items()})
    return values


def save_draft(
    session: Session, *, grant: Foerderung, values: dict[str, Any], user: UserAccount
) -> Qualitaetsbericht:
    """Create or update the open draft; a submitted version never changes (a correction starts a new one)."""
    assert grant.id is not None
    report = latest(session, grant.id)
    if report is not None and report.status == BerichtStatus.eingereicht:
        raise QualityError(
            _(
                "Dieser Bericht ist eingereicht und kann nicht mehr geändert werden. "
                "Bitte eine Korrektur anlegen."
            )
        )
    if report is None:
        report = Qualitaetsbericht(foerderung_id=grant.id, jahr=grant.jahr, version=1)
    for name, value in values.items():
        setattr(report, name, value)
    report.updated_at = utcnow()
    report.updated_by = user.email
    session.add(report)
    session.flush()
    return report


def submit_report(session: Session, *, grant: Foerderung, user: UserAccount) -> Qualitaetsbericht:
    assert grant.id is not None
    report = latest(session, grant.id)
    if report is None or report.status != BerichtStatus.entwurf:
        raise QualityError(_("Es gibt keinen Entwurf, der eingereicht werden könnte."))
    now = utcnow()
    report.status = BerichtStatus.eingereicht.value
    report.submitted_at = now
    report.submitted_by = user.email
    report.updated_at = now
    session.add(report)
    record_by(
        session,
        user,
        action="submit",
        entity_type="qualitaetsbericht",
        entity_id=grant.external_id,
        changes={"version": (None, report.version)},
    )
    session.flush()
    return report


def start_correction(
    session: Session, *, grant: Foerderung, user: UserAccount, reason: str
) -> Qualitaetsbericht:
    """A new draft version, prefilled from the last submitted one; the submitted version stays as it was."""
    assert grant.id is not None
    report = latest(session, grant.id)
    if report is None or report.status != BerichtStatus.eingereicht:
        raise QualityError(_("Korrigieren lässt sich nur ein eingereichter Bericht."))
    try:
        why = clean_text(reason, max_length=2000, multiline=True)
    except ParseError as exc:
        raise QualityError(str(exc)) from exc
    copy = Qualitaetsbericht(
        foerderung_id=grant.id,
        jahr=report.jahr,
        version=report.version + 1,
        indikatoren=dict(report.indikatoren),
        korrekturgrund=why,
        updated_by=user.email,
        **{name: getattr(report, name) for name in (*REPORT_TEXT_FIELDS, "teilnehmende_anzahl")},
    )
    session.add(copy)
    record_by(
        session,
        user,
        action="correct",
        entity_type="qualitaetsbericht",
        entity_id=grant.external_id,
        changes={"version": (report.version, copy.version)},
        note=why,
    )
    session.flush()
    return copy


def traeger_grants(session: Session, traeger_id: int) -> list[Foerderung]:
    stmt = (
        select(Foerderung)
        .where(Foerderung.traeger_id == traeger_id, col(Foerderung.published).is_(True))
        .order_by(col(Foerderung.jahr).desc(), col(Foerderung.projekt))
    )
    return list(session.exec(stmt).all())


def own_grant(session: Session, traeger_id: int | None, external_id: str) -> Foerderung | None:
    """A funded project of this Träger, or None (another Träger's id answers like a missing one)."""
    grant = get_grant(session, external_id)
    if grant is None or traeger_id is None or grant.traeger_id != traeger_id or not grant.published:
        return None
    return grant


# --- report status, reports due -----------------------------------------------------------------------------

STATUS_LABELS = {
    "fehlt": N_("fehlt"),
    "entwurf": N_("Entwurf"),
    "eingereicht": N_("eingereicht"),
    "besprochen": N_("besprochen"),
}


def report_status(report: Qualitaetsbericht | None, dialog: Qualitaetsdialog | None) -> str:
    """missing / draft / submitted / discussed – what the overview shows per funded project."""
    if dialog is not None and dialog.gespraech_am is not None:
        return "besprochen"
    if report is None:
        return "fehlt"
    if any_submitted(report):
        return "eingereicht"
    return "entwurf"


def any_submitted(report: Qualitaetsbericht) -> bool:
    # A correction in progress (draft v2) still has a submitted v1: the project counts as submitted.
    return report.status == BerichtStatus.eingereicht or report.version > 1


@dataclass(frozen=True)
class ReportDue:
    foerderung: Foerderung
    traeger: Traeger
    faellig_am: date
    status: str  # "fehlt" | "entwurf"


def reports_due(session: Session, as_of: date) -> list[ReportDue]:
    """Funded projects (years up to ``as_of``'s) with a due date whose report is not submitted yet.

    For the mail notices (issue 17): each item names the Förderung, its Träger and the due date; overdue

    (``faellig_am < as_of``) are included – the caller decides whom to remind when.
    """
    frist = {b.jahr: b.faellig_am for b in session.exec(select(Berichtsfrist)).all()}
    if not frist:
        return []
    stmt = (
        select(Foerderung)
        .where(col(Foerderung.jahr).in_(list(frist)), col(Foerderung.published).is_(True))
        .options(selectinload(Foerderung.traeger))  # type: ignore[arg-type]
        .order_by(col(Foerderung.jahr), col(Foerderung.external_id))
    )
    grants = [g for g in session.exec(stmt).all() if g.jahr <= as_of.year]
    latest_by = latest_reports(session, [g.id for g in grants if g.id is not None])
    due: list[ReportDue] = []
    for grant in grants:
        report = latest_by.get(grant.id)  # type: ignore[arg-type]
        if report is not None and any_submitted(report):
            continue
        status = "fehlt" if report is None else "entwurf"
        due.append(ReportDue(grant, grant.traeger, frist[grant.jahr], status))
    return sorted(due, key=lambda d: (d.faellig_am, d.foerderung.external_id))


def latest_reports(session: Session, grant_ids: Sequence[int]) -> dict[int, Qualitaetsbericht]:
    if not grant_ids:
        return {}
    stmt = (
        select(Qualitaetsbericht)
        .where(col(Qualitaetsbericht.foerderung_id).in_(list(grant_ids)))
        .order_by(col(Qualitaetsbericht.version))
    )
    return {r.foerderung_id: r for r in session.exec(stmt).all()}


@dataclass
class IndicatorRow:
    indikator: Indikator
    value: str | None
    target_met: bool | None  # None = no target or no value (text indicators have no comparison)


def indicator_rows(inds: Sequence[Indikator], report: Qualitaetsbericht | None) -> list[IndicatorRow]:
    answers = report.indikatoren if report else {}
    rows = []
    for ind in inds:
        value = answers.get(str(ind.id))
        met: bool | None = None
        if value is not None and ind.zielwert is not None:
            if ind.art == IndikatorArt.ja_nein:
                met = value == ind.zielwert
            elif ind.art == IndikatorArt.zahl:
                met = Decimal(str(value)) >= Decimal(ind.zielwert)
        rows.append(IndicatorRow(ind, value, met))
    return rows
