"""Error reports („Fehler melden“) that get handled: status, assignee, reply – every change audited.

neu → in Bearbeitung → erledigt / abgelehnt (a report may be closed right away, and reopened later).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.audit.service import record_by
from app.auth.models import UserAccount
from app.catalogue.editing import clean_text
from app.catalogue.models import Angebot, Einrichtung
from app.catalogue.values import ParseError
from app.db import utcnow
from app.feedback.models import Feedback, FeedbackKind
from app.i18n import N_
from app.i18n import gettext as _
from app.quality.models import FeedbackHandling, MeldungStatus, Zustaendig

TRANSITIONS: dict[str, set[str]] = {
    MeldungStatus.neu: {MeldungStatus.in_bearbeitung, MeldungStatus.erledigt, MeldungStatus.abgelehnt},
    MeldungStatus.in_bearbeitung: {MeldungStatus.erledigt, MeldungStatus.abgelehnt},
    MeldungStatus.erledigt: {MeldungStatus.in_bearbeitung},
    MeldungStatus.abgelehnt: {MeldungStatus.in_bearbeitung},
}
STATUS_LABELS = {
    MeldungStatus.neu.value: N_("neu"),
    MeldungStatus.in_bearbeitung.value: N_("in Bearbeitung"),
    MeldungStatus.erledigt.value: N_("erledigt"),
    MeldungStatus.abgelehnt.value: N_("abgelehnt"),
}
ASSIGNEE_LABELS = {Zustaendig.redaktion.value: N_("Redaktion"), Zustaendig.traeger.value: N_("Träger")}
OPEN = (MeldungStatus.neu.value, MeldungStatus.in_bearbeitung.value)
MAX_REPLY = 2000


class HandlingError(ValueError):
    """German message: a transition that is not allowed, a reply too long …"""


@dataclass
class Report:
    feedback: Feedback
    angebot: Angebot
    handling: FeedbackHandling | None

    @property
    def status(self) -> str:
        return self.handling.status if self.handling else MeldungStatus.neu.value

    @property
    def zustaendig(self) -> str:
        return self.handling.zustaendig if self.handling else Zustaendig.redaktion.value

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


def _reports(session: Session, *where: Any, limit: int = 300) -> list[Report]:
    stmt = (
        select(Feedback, Angebot, FeedbackHandling)
        .join(Angebot, col(Angebot.id) == Feedback.angebot_id)
        .join(Einrichtung, col(Einrichtung.id) == Angebot.einrichtung_id)
        .join(FeedbackHandling, col(FeedbackHandling.feedback_id) == Feedback.id, isouter=True)
        .where(Feedback.kind == FeedbackKind.fehler.value, *where)
        .order_by(col(Feedback.created_at).desc())
        .limit(limit)
    )
    return [Report(fb, a, h) for fb, a, h in session.exec(stmt).all()]


def all_reports(session: Session, *, only_open: bool = False) -> list[Report]:
    found = _reports(session)
    return [r for r in found if r.is_open] if only_open else found


def traeger_reports(session: Session, traeger_id: int) -> list[Report]:
    """Error reports on this Träger's offers only (the IDOR boundary)."""
    return _reports(session, Einrichtung.traeger_id == traeger_id)


def own_report(session: Session, traeger_id: int, feedback_id: int) -> Report | None:
    found = _reports(session, Einrichtung.traeger_id == traeger_id, Feedback.id == feedback_id, limit=1)
    return found[0] if found else None


def get_report(session: Session, feedback_id: int) -> Report | None:
    found = _reports(session, Feedback.id == feedback_id, limit=1)
    return found[0] if found else None


def update(
    session: Session,
    *,
    report: Report,
    user: UserAccount,
    status: str,
    antwort: str,
    zustaendig: str | None = None,
) -> FeedbackHandling:
    """Change status (only along ``TRANSITIONS``), reply and – admins only – the assignee; audited."""
    current = report.status
    if status not in STATUS_LABELS:
        raise HandlingError(_("Unbekannter Status."))
    if status != current and status not in TRANSITIONS[current]:
        raise HandlingError(
            _("Von „{old}“ kann der Status nicht auf „{new}“ wechseln.").format(
                old=_(STATUS_LABELS[current]), new=_(STATUS_LABELS[status])
            )
        )
    if zustaendig is not None and zustaendig not in ASSIGNEE_LABELS:
        raise HandlingError(_("Bitte „Redaktion“ oder „Träger“ wählen."))
    try:
        reply = clean_text(antwort, max_length=MAX_REPLY, multiline=True)
    except ParseError as exc:
        raise HandlingError(str(exc)) from exc
    row = report.handling
    if row is None:
        assert report.feedback.id is not None
        row = FeedbackHandling(feedback_id=report.feedback.id)
        report.handling = row
    changes: dict[str, tuple[object, object]] = {}
    if status != current:
        changes["status"] = (current, status)
        row.status = status
    assignee = zustaendig if zustaendig is not None else row.zustaendig
    if assignee != row.zustaendig:
        changes["zustaendig"] = (row.zustaendig, assignee)
        row.zustaendig = assignee
    if reply != row.antwort:
        changes["antwort"] = (row.antwort, reply)
        row.antwort = reply
    if not changes:
        return row
    row.updated_at = utcnow()
    row.updated_by = user.email
    session.add(row)
    record_by(
        session,
        user,
        action="status" if "status" in changes else "update",
        entity_type="rueckmeldung",
        entity_id=str(report.feedback.id),
        changes=changes,
        note=f"Angebot {report.angebot.external_id}",
    )
    session.flush()
    return row


def counts_by_status(reports: Sequence[Report]) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for r in reports:
        counts[r.status] += 1
    return counts
