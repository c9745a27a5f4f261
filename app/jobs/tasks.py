"""The periodic jobs. Each is idempotent: running it twice (or on two workers) sends every mail once.

A job takes the engine, the settings and "now" and returns a one-line German summary for the log and
``/verwaltung/postausgang``. Mails are written with ``dedupe_key``s, so even a repeated run is refused by
the database's unique index rather than trusting the clock.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, col, delete, select

from app.admin.reports import stale_entries
from app.auth.models import RateLimitEvent, UsedToken, UserSession
from app.catalogue.models import Angebot, Traeger
from app.db import session_scope
from app.feedback.models import Feedback, FeedbackKind
from app.feedback.service import RETENTION as FEEDBACK_RETENTION
from app.mail import delivery, kinds
from app.mail.compose import absolute, mailed_within, queue_each
from app.mail.kinds import MailKind
from app.mail.models import MailStatus, OutboxMail
from app.mail.notices import provider_recipients, redaktion_recipients
from app.quality.evaluation import purge_expired as purge_expired_evaluations
from app.quality.service import reports_due
from app.settings import Settings

log = logging.getLogger(__name__)
LOCAL = ZoneInfo("Europe/Berlin")
REMINDER_DAYS = 30
# Sent mails hold addresses and links: kept 90 days for questions ("did it go out?"), then deleted.
SENT_MAIL_RETENTION = timedelta(days=90)
FAILED_MAIL_RETENTION = timedelta(days=180)

JobFunction = Callable[[Engine, Settings, datetime], str]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobFunction
    every: timedelta  # how often the loop runs it
    description: str


def deliver_mail(engine: Engine, settings: Settings, now: datetime) -> str:
    if delivery.transport_for(settings) is None:
        return "kein Mailversand eingerichtet (SMTP_HOST fehlt) – Mails bleiben in der Warteschlange"
    return delivery.deliver_due(engine, settings).summary()


def _to_traeger(
    session: Session,
    settings: Settings,
    kind: MailKind,
    traeger: Traeger,
    context: dict[str, Any],
    topic: str,
    dedupe_key: str,
) -> int:
    """One mail to each active account of the Träger; how many were newly queued."""
    recipients = provider_recipients(session, traeger.id)  # type: ignore[arg-type]
    return len(
        queue_each(session, settings, kind, recipients, context=context, topic=topic, dedupe_key=dedupe_key)
    )


def verification_reminders(engine: Engine, settings: Settings, now: datetime) -> str:
    """One mail per Träger account listing every entry not verified for a year; at most every 30 days."""
    queued = skipped = 0
    with session_scope(engine) as session:
        for item in stale_entries(session, today=now.astimezone(LOCAL).date()):
            topic = f"traeger:{item.traeger.external_id}"
            if mailed_within(session, kinds.VERIFICATION_REMINDER, topic, REMINDER_DAYS):
                skipped += 1
                continue
            context = {
                "traeger_name": item.traeger.name,
                "entries": [
                    {"kind": kind, "external_id": ext, "name": name, "verified": verified}
                    for kind, ext, name, verified in item.entries
                ],
                "link": absolute(settings, "/anbieter/bestaetigen"),
            }
            day = now.astimezone(LOCAL).date().isoformat()
            key = f"verification-reminder:{item.traeger.external_id}:{{address}}:{day}"
            queued += _to_traeger(
                session, settings, kinds.VERIFICATION_REMINDER, item.traeger, context, topic, key
            )
    return (
        f"{queued} Erinnerung(en) geschrieben, {skipped} Träger binnen {REMINDER_DAYS} Tagen schon erinnert"
    )


def report_reminders(engine: Engine, settings: Settings, now: datetime) -> str:
    """Qualitätsbericht due / overdue – one mail per report and state (due, then overdue) to the Träger."""
    today = now.astimezone(LOCAL).date()
    queued = 0
    with session_scope(engine) as session:
        for item in reports_due(session, today):
            grant = item.foerderung
            overdue = item.faellig_am < today
            context = {
                "title": grant.projekt or grant.external_id,
                "due": item.faellig_am,
                "overdue": overdue,
                "link": absolute(settings, f"/anbieter/qualitaet/{grant.external_id}"),
            }
            state = "overdue" if overdue else "due"
            topic = f"qualitaetsbericht:{grant.external_id}"
            key = f"quality-report:{grant.external_id}:{item.faellig_am.isoformat()}:{state}:{{address}}"
            queued += _to_traeger(
                session, settings, kinds.QUALITY_REPORT_DUE, item.traeger, context, topic, key
            )
    return f"{queued} Erinnerung(en) an Qualitätsberichte geschrieben"


def feedback_digest(engine: Engine, settings: Settings, now: datetime) -> str:
    """The previous day's error reports (Berlin time) in one mail to the Redaktion; none on quiet days."""
    day = now.astimezone(LOCAL).date() - timedelta(days=1)
    start = datetime.combine(day, time.min, tzinfo=LOCAL)
    end = start + timedelta(days=1)
    with session_scope(engine) as session:
        rows = session.exec(
            select(Feedback, Angebot)
            .join(Angebot, col(Angebot.id) == Feedback.angebot_id)
            .where(
                Feedback.kind == FeedbackKind.fehler.value,
                col(Feedback.created_at) >= start,
                col(Feedback.created_at) < end,
            )
            .order_by(col(Feedback.created_at))
        ).all()
        if not rows:
            return f"keine Fehlermeldungen am {day:%d.%m.%Y}"
        context = {
            "day": f"{day:%d.%m.%Y}",
            "count": len(rows),
            "reports": [
                {"title": a.titel, "external_id": a.external_id, "message": f.message or ""} for f, a in rows
            ],
            "link": absolute(settings, "/verwaltung/rueckmeldungen"),
        }
        mails = queue_each(
            session, settings, kinds.FEEDBACK_DIGEST, redaktion_recipients(session, settings),
            context=context, topic=f"digest:{day.isoformat()}",
            dedupe_key=f"feedback-digest:{day.isoformat()}:{{address}}",
        )  # fmt: skip
        queued = len(mails)
    return f"{len(rows)} Fehlermeldung(en) vom {day:%d.%m.%Y}, {queued} Übersicht(en) geschrieben"


def retention(engine: Engine, settings: Settings, now: datetime) -> str:
    """What the Datenschutz page promises: old error reports, mails, sessions and counters are deleted."""
    link_hours = max(settings.invitation_max_age_hours, settings.reset_max_age_hours)
    with session_scope(engine) as session:
        counts = {
            "Fehlermeldungen": _delete(session, Feedback, col(Feedback.kind) == FeedbackKind.fehler.value,
                                       col(Feedback.created_at) < now - FEEDBACK_RETENTION),
            "versandte Mails": _delete(session, OutboxMail, col(OutboxMail.status) == MailStatus.sent.value,
                                       col(OutboxMail.created_at) < now - SENT_MAIL_RETENTION),
            "fehlgeschlagene Mails": _delete(session, OutboxMail,
                                             col(OutboxMail.status) == MailStatus.failed.value,
                                             col(OutboxMail.created_at) < now - FAILED_MAIL_RETENTION),
            "abgelaufene Sitzungen": _delete(session, UserSession, col(UserSession.expires_at) < now),
            "Zählereinträge": _delete(session, RateLimitEvent,
                                      col(RateLimitEvent.at) < now - timedelta(days=1)),
            "verbrauchte Links": _delete(session, UsedToken,
                                         col(UsedToken.used_at) < now - timedelta(hours=link_hours + 1)),
        }  # fmt: skip
        # Evaluations of funded offers: comments and whole evaluations after their own periods.
        purge_expired_evaluations(session, settings)
    return "gelöscht: " + ", ".join(f"{n} {label}" for label, n in counts.items())


def _delete(session: Session, model: Any, *where: Any) -> int:
    result = session.exec(delete(model).where(*where))
    return int(result.rowcount or 0)


def index_check(engine: Engine, settings: Settings, now: datetime) -> str:
    """Nightly: does the search index match the database? (``search.drift.repair_index`` once it exists)"""
    try:
        drift = importlib.import_module("search.drift")
    except ImportError:
        drift = None
    if drift is not None and hasattr(drift, "repair_index"):
        return str(drift.repair_index(settings))
    from search import get_backend
    from search.documents import count_public
    from search.indexing import index_offers

    backend = get_backend(settings)
    if not backend.healthy():
        return f"Suchindex ({backend.name}) nicht erreichbar – die Seite sucht derweil in der Datenbank"
    with Session(engine) as session:
        public = count_public(session)
    indexed = backend.count()
    if indexed == public:
        return f"Suchindex stimmt: {indexed} Angebote"
    outcome = index_offers(engine, settings)
    return f"Suchindex wich ab ({indexed} statt {public}); neu aufgebaut: {outcome.message}"


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("deliver-mail", deliver_mail, timedelta(minutes=1), "fällige E-Mails zustellen"),
        Job("verification-reminders", verification_reminders, timedelta(days=1),
            "Träger an die jährliche Prüfung erinnern (höchstens alle 30 Tage)"),
        Job("report-reminders", report_reminders, timedelta(days=1), "fällige Qualitätsberichte anmahnen"),
        Job("feedback-digest", feedback_digest, timedelta(hours=1),
            "Fehlermeldungen des Vortags an die Redaktion (einmal je Tag)"),
        Job("retention", retention, timedelta(days=1), "Löschfristen umsetzen"),
        Job("index-check", index_check, timedelta(days=1), "Suchindex mit der Datenbank abgleichen"),
    )
}  # fmt: skip


def names() -> Iterable[str]:
    return JOBS.keys()
