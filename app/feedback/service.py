"""Storing public feedback: validation, honeypot, per-IP rate limit (keyed hashes, no raw IPs stored)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session, col, delete

from app.auth import ratelimit
from app.catalogue.editing import clean_text
from app.catalogue.models import Angebot
from app.catalogue.values import ParseError
from app.db import utcnow
from app.feedback.models import Feedback, FeedbackKind
from app.i18n import gettext as _
from app.mail import notices
from app.settings import Settings

MAX_MESSAGE = 2000
MAX_CONTACT = 254
# The privacy statement promises: error reports (and their optional contact) go after six months.
RETENTION = timedelta(days=183)


def purge_old_reports(session: Session) -> None:
    session.exec(
        delete(Feedback).where(
            col(Feedback.kind) == FeedbackKind.fehler.value, col(Feedback.created_at) < utcnow() - RETENTION
        )
    )


@dataclass
class FeedbackInput:
    art: str = ""
    hilfreich: str = ""
    nachricht: str = ""
    kontakt: str = ""
    website: str = ""  # honeypot: people never see it, bots fill it


@dataclass
class SubmitResult:
    """What became of a form sent from a public page (a Rückmeldung here, a Bewertung in ``quality``)."""

    stored: bool = False
    rate_limited: bool = False
    errors: dict[str, str] = field(default_factory=dict)


def submit(
    session: Session, settings: Settings, *, angebot: Angebot, data: FeedbackInput, ip: str
) -> SubmitResult:
    window = timedelta(minutes=settings.feedback_window_minutes)
    key = ratelimit.keyed_hash("feedback:" + ip, settings)
    if (
        ratelimit.count_recent(session, bucket="feedback-ip", key=key, window=window)
        >= settings.feedback_max_posts
    ):
        return SubmitResult(rate_limited=True)
    ratelimit.record_event(session, bucket="feedback-ip", key=key, window=window)
    if data.website.strip():
        return SubmitResult()  # looks like success to the bot; nothing stored
    errors: dict[str, str] = {}
    row: Feedback | None = None
    assert angebot.id is not None
    if data.art == FeedbackKind.hilfreich:
        if data.hilfreich not in ("ja", "nein"):
            errors["hilfreich"] = _("Bitte „ja“ oder „nein“ wählen.")
        else:
            row = Feedback(
                angebot_id=angebot.id, kind=FeedbackKind.hilfreich.value, helpful=data.hilfreich == "ja"
            )
    elif data.art == FeedbackKind.fehler:
        message = contact = None
        try:
            message = clean_text(data.nachricht, max_length=MAX_MESSAGE, multiline=True)
            if not message:
                errors["nachricht"] = _("Bitte beschreiben Sie kurz, was nicht stimmt.")
        except ParseError as exc:
            errors["nachricht"] = str(exc)
        try:
            contact = clean_text(data.kontakt, max_length=MAX_CONTACT, multiline=False)
        except ParseError as exc:
            errors["kontakt"] = str(exc)
        if not errors:
            row = Feedback(
                angebot_id=angebot.id, kind=FeedbackKind.fehler.value, message=message, contact=contact
            )
    else:
        errors["art"] = _("Unbekannte Art der Rückmeldung.")
    if errors or row is None:
        return SubmitResult(errors=errors)
    session.add(row)
    purge_old_reports(session)
    session.flush()
    if row.kind == FeedbackKind.fehler.value:
        notices.error_report(session, settings, row)
    return SubmitResult(stored=True)
