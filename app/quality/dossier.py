"""The Qualitätsdialog dossier of one funded project, the yearly overview, minutes and agreed actions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, func, select

from app.audit.service import record_by
from app.auth.models import UserAccount
from app.catalogue.editing import clean_text
from app.catalogue.models import Angebot, Einrichtung, Foerderung, FoerderungAngebot
from app.catalogue.values import ParseError, parse_date
from app.db import utcnow
from app.feedback.models import Feedback, FeedbackKind
from app.i18n import gettext as _
from app.quality import evaluation
from app.quality.models import (
    BerichtStatus,
    FeedbackHandling,
    Massnahme,
    MeldungStatus,
    Qualitaetsbericht,
    Qualitaetsdialog,
)
from app.quality.opendata import aggregates_for
from app.quality.service import (
    IndicatorRow,
    QualityError,
    due_date,
    indicator_rows,
    indicators,
    latest_reports,
    offer_ids,
    report_status,
    versions,
)


@dataclass
class FeedbackStats:
    helpful_yes: int
    helpful_no: int
    errors_total: int
    open_reports: Sequence[tuple[Feedback, Angebot, FeedbackHandling | None]]


def feedback_stats(session: Session, angebot_ids: Sequence[int]) -> FeedbackStats:
    ids = list(angebot_ids)
    if not ids:
        return FeedbackStats(0, 0, 0, [])
    rows = session.exec(
        select(Feedback.kind, Feedback.helpful, func.count())
        .where(col(Feedback.angebot_id).in_(ids))
        .group_by(col(Feedback.kind), col(Feedback.helpful))
    ).all()
    yes = sum(n for kind, helpful, n in rows if kind == FeedbackKind.hilfreich and helpful)
    no = sum(n for kind, helpful, n in rows if kind == FeedbackKind.hilfreich and helpful is False)
    errors = sum(n for kind, _h, n in rows if kind == FeedbackKind.fehler)
    stmt = (
        select(Feedback, Angebot, FeedbackHandling)
        .join(Angebot, col(Angebot.id) == Feedback.angebot_id)
        .join(FeedbackHandling, col(FeedbackHandling.feedback_id) == Feedback.id, isouter=True)
        .where(col(Feedback.angebot_id).in_(ids), Feedback.kind == FeedbackKind.fehler.value)
        .order_by(col(Feedback.created_at).desc())
    )
    open_reports = [
        (fb, a, h)
        for fb, a, h in session.exec(stmt).all()
        if h is None or h.status in (MeldungStatus.neu, MeldungStatus.in_bearbeitung)
    ]
    return FeedbackStats(yes, no, errors, open_reports)


def uptake_over_years(session: Session, grant: Foerderung) -> list[tuple[int, str, int | None, int]]:
    """The same Träger's projects in the same Handlungsfeld over the years, with reported participants."""
    stmt = (
        select(Foerderung)
        .where(
            Foerderung.traeger_id == grant.traeger_id,
            Foerderung.handlungsfeld_number == grant.handlungsfeld_number,
        )
        .order_by(col(Foerderung.jahr))
    )
    related = list(session.exec(stmt).all())
    if grant.angebote:
        offer_set = set(offer_ids(grant))
        stmt2 = select(FoerderungAngebot.foerderung_id).where(
            col(FoerderungAngebot.angebot_id).in_(offer_set)
        )
        linked = set(session.exec(stmt2).all())
        related = [g for g in related if g.id in linked or g.projekt == grant.projekt or g.id == grant.id]
    else:
        related = [g for g in related if g.projekt == grant.projekt or g.id == grant.id]
    reports = latest_reports(session, [g.id for g in related if g.id is not None])
    rows = []
    for g in related:
        report = reports.get(g.id)  # type: ignore[arg-type]
        rows.append((g.jahr, g.external_id, report.teilnehmende_anzahl if report else None, g.betrag_cents))
    return rows


@dataclass
class Dossier:
    grant: Foerderung
    report: Qualitaetsbericht | None
    versions: list[Qualitaetsbericht]
    indicators: list[IndicatorRow]
    due: date | None
    aggregate: evaluation.Aggregate
    by_year: list[tuple[int, evaluation.Aggregate]]
    comments: list[Any]
    feedback: FeedbackStats
    uptake: list[tuple[int, str, int | None, int]]
    dialog: Qualitaetsdialog | None
    actions: list[Massnahme]
    status: str
    traeger_open_reports: int  # open error reports on all of the Träger's offers


def dossier(session: Session, grant: Foerderung) -> Dossier:
    assert grant.id is not None
    ids = offer_ids(grant)
    all_versions = versions(session, grant.id)
    shown = next((v for v in reversed(all_versions) if v.status == BerichtStatus.eingereicht), None)
    shown = shown or (all_versions[-1] if all_versions else None)
    dialog = session.get(Qualitaetsdialog, grant.id)
    return Dossier(
        grant=grant,
        report=shown,
        versions=all_versions,
        indicators=indicator_rows(
            indicators(session, handlungsfeld=grant.handlungsfeld_number, jahr=grant.jahr), shown
        ),
        due=due_date(session, grant.jahr),
        aggregate=evaluation.aggregate(session, ids),
        by_year=evaluation.aggregate_by_year(session, ids),
        comments=evaluation.comments(session, ids),
        feedback=feedback_stats(session, ids),
        uptake=uptake_over_years(session, grant),
        dialog=dialog,
        actions=actions(session, grant.id),
        status=report_status(all_versions[-1] if all_versions else None, dialog),
        traeger_open_reports=sum(
            _open_reports_by_offer(session, _traeger_offer_ids(session, grant)).values()
        ),
    )


def _traeger_offer_ids(session: Session, grant: Foerderung) -> list[int]:
    stmt = select(Angebot.id).join(Einrichtung).where(Einrichtung.traeger_id == grant.traeger_id)
    return [i for i in session.exec(stmt).all() if i is not None]


def actions(session: Session, foerderung_id: int) -> list[Massnahme]:
    stmt = (
        select(Massnahme)
        .where(Massnahme.foerderung_id == foerderung_id)
        .order_by(col(Massnahme.wiedervorlage_am), col(Massnahme.id))
    )
    return list(session.exec(stmt).all())


def save_dialog(
    session: Session, *, grant: Foerderung, gespraech_am: str, protokoll: str, admin: UserAccount
) -> Qualitaetsdialog:
    assert grant.id is not None
    try:
        when = parse_date(gespraech_am) if gespraech_am.strip() else None
        text = clean_text(protokoll, max_length=50_000, multiline=True)
    except ParseError as exc:
        raise QualityError(str(exc)) from exc
    row = session.get(Qualitaetsdialog, grant.id) or Qualitaetsdialog(foerderung_id=grant.id)
    old = (row.gespraech_am, row.protokoll)
    row.gespraech_am, row.protokoll = when, text
    row.updated_at, row.updated_by = utcnow(), admin.email
    session.add(row)
    record_by(
        session,
        admin,
        action="update",
        entity_type="qualitaetsdialog",
        entity_id=grant.external_id,
        changes={"gespraech_am": (old[0], when), "protokoll": (old[1], text)},
    )
    session.flush()
    return row


def add_action(
    session: Session, *, grant: Foerderung, text: str, wiedervorlage_am: str, admin: UserAccount
) -> Massnahme:
    assert grant.id is not None
    try:
        what = clean_text(text, max_length=5000, multiline=True)
        when = parse_date(wiedervorlage_am) if wiedervorlage_am.strip() else None
    except ParseError as exc:
        raise QualityError(str(exc)) from exc
    if not what:
        raise QualityError(_("Bitte die vereinbarte Maßnahme beschreiben."))
    row = Massnahme(foerderung_id=grant.id, text=what, wiedervorlage_am=when, created_by=admin.email)
    session.add(row)
    record_by(
        session,
        admin,
        action="create",
        entity_type="massnahme",
        entity_id=grant.external_id,
        changes={"text": (None, what), "wiedervorlage_am": (None, when)},
    )
    session.flush()
    return row


@dataclass
class OverviewRow:
    grant: Foerderung
    status: str
    aggregate: evaluation.Aggregate
    open_reports: int


def overview(session: Session, jahr: int) -> list[OverviewRow]:
    stmt = (
        select(Foerderung)
        .where(Foerderung.jahr == jahr, col(Foerderung.published).is_(True))
        .options(
            selectinload(Foerderung.traeger),  # type: ignore[arg-type]
            selectinload(Foerderung.angebote),  # type: ignore[arg-type]
        )
        .order_by(col(Foerderung.projekt))
    )
    grants = list(session.exec(stmt).all())
    reports = latest_reports(session, [g.id for g in grants if g.id is not None])
    dialogs = {
        d.foerderung_id: d
        for d in session.exec(
            select(Qualitaetsdialog).where(col(Qualitaetsdialog.foerderung_id).in_([g.id for g in grants]))
        ).all()
    }
    aggregates = aggregates_for(session, grants)
    open_by_offer = _open_reports_by_offer(session, [i for g in grants for i in offer_ids(g)])
    return [
        OverviewRow(
            grant=g,
            status=report_status(reports.get(g.id), dialogs.get(g.id)),  # type: ignore[arg-type]
            aggregate=aggregates.get(g.id, evaluation.EMPTY),  # type: ignore[arg-type]
            open_reports=sum(open_by_offer.get(i, 0) for i in offer_ids(g)),
        )
        for g in grants
    ]


def _open_reports_by_offer(session: Session, angebot_ids: Sequence[int]) -> dict[int, int]:
    """Open error reports (no handling row yet, or neu / in Bearbeitung) per offer, in one query."""
    ids = sorted(set(angebot_ids))
    if not ids:
        return {}
    stmt = (
        select(Feedback.angebot_id, func.count())
        .join(FeedbackHandling, col(FeedbackHandling.feedback_id) == Feedback.id, isouter=True)
        .where(
            col(Feedback.angebot_id).in_(ids),
            Feedback.kind == FeedbackKind.fehler.value,
            or_(
                col(FeedbackHandling.status).is_(None),
                col(FeedbackHandling.status).in_(
                    [MeldungStatus.neu.value, MeldungStatus.in_bearbeitung.value]
                ),
            ),
        )
        .group_by(col(Feedback.angebot_id))
    )
    return {aid: n for aid, n in session.exec(stmt).all()}


def funded_years(session: Session) -> list[int]:
    return sorted(set(session.exec(select(Foerderung.jahr).distinct()).all()), reverse=True)
