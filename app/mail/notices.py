"""The mails the service sends, one function each; all only queue (same transaction as the cause)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.auth.models import Role, UserAccount
from app.auth.tokens import Purpose, make_link
from app.catalogue.models import Angebot, Einrichtung, Traeger
from app.feedback.models import Feedback
from app.mail import kinds
from app.mail.compose import absolute, queue_each, queue_mail
from app.mail.models import OutboxMail
from app.provider.models import Draft, DraftKind, DraftStatus
from app.search_sync import SETTINGS_KEY
from app.settings import Settings, get_settings


def provider_recipients(session: Session, traeger_id: int) -> list[str]:
    """The active accounts of a Träger; a Träger without an account gets no mail (it is on the CSV list)."""
    stmt = (
        select(UserAccount.email)
        .where(
            UserAccount.traeger_id == traeger_id,
            UserAccount.role == Role.provider.value,
            col(UserAccount.active).is_(True),
        )
        .order_by(col(UserAccount.email))
    )
    return list(session.exec(stmt).all())


def redaktion_recipients(session: Session, settings: Settings) -> list[str]:
    if settings.redaktion_email:
        return [a.strip() for a in settings.redaktion_email.split(",") if a.strip()]
    stmt = select(UserAccount.email).where(
        UserAccount.role == Role.admin.value, col(UserAccount.active).is_(True)
    )
    return sorted(session.exec(stmt).all())


def invitation(session: Session, settings: Settings, user: UserAccount) -> OutboxMail | None:
    assert user.id is not None
    traeger = session.get(Traeger, user.traeger_id) if user.traeger_id else None
    return queue_mail(
        session,
        settings,
        kinds.INVITATION,
        to=user.email,
        topic=f"konto:{user.id}",
        context={
            "email": user.email,
            "link": make_link(settings, Purpose.invitation, user.id),
            "hours": settings.invitation_max_age_hours,
            "traeger_name": traeger.name if traeger else "",
        },
    )


def password_reset(session: Session, settings: Settings, user: UserAccount) -> OutboxMail | None:
    assert user.id is not None
    return queue_mail(
        session,
        settings,
        kinds.PASSWORD_RESET,
        to=user.email,
        topic=f"konto:{user.id}",
        context=reset_context(settings, user.email, make_link(settings, Purpose.reset, user.id)),
    )


def reset_context(settings: Settings, email: str, link: str) -> dict[str, object]:
    return {"email": email, "link": link, "hours": settings.reset_max_age_hours}


def _draft_title(session: Session, draft: Draft) -> str:
    if draft.kind == DraftKind.neues_angebot:
        return str(draft.changes.get("titel") or "neues Angebot")
    if draft.angebot_id is not None and (angebot := session.get(Angebot, draft.angebot_id)) is not None:
        return angebot.titel
    einrichtung = session.get(Einrichtung, draft.einrichtung_id)
    return einrichtung.name if einrichtung else f"Entwurf #{draft.id}"


def settings_of(session: Session) -> Settings:
    """The app's settings travel with a request's session (app.deps). Elsewhere they come from the
    environment, and the mail waits for the jobs runner instead of going out straight after the commit."""
    found = session.info.get(SETTINGS_KEY)
    if isinstance(found, Settings):
        return found
    return get_settings().model_copy(update={"mail_send_immediately": False})


def draft_decided(session: Session, draft: Draft, settings: Settings | None = None) -> list[OutboxMail]:
    """Tell the Träger's accounts (and the author) that a draft was approved or rejected (with the reason)."""
    settings = settings or settings_of(session)
    kind = kinds.DRAFT_APPROVED if draft.status == DraftStatus.approved.value else kinds.DRAFT_REJECTED
    recipients = provider_recipients(session, draft.traeger_id)
    author = draft.created_by.lower()
    if (
        author not in recipients
        and session.exec(
            select(UserAccount.id).where(UserAccount.email == author, col(UserAccount.active).is_(True))
        ).first()
    ):
        recipients.append(author)
    context = {
        "title": _draft_title(session, draft),
        "reason": draft.reason or "",
        "link": absolute(settings, f"/anbieter/entwuerfe/{draft.id}"),
    }
    return queue_each(session, settings, kind, recipients, context=context, topic=f"entwurf:{draft.id}")


def error_report(session: Session, settings: Settings, feedback: Feedback) -> list[OutboxMail]:
    """A new error report on one of the Träger's offers (the reporter's contact address is not passed on)."""
    angebot = session.get(Angebot, feedback.angebot_id)
    if angebot is None:
        return []
    einrichtung = session.get_one(Einrichtung, angebot.einrichtung_id)
    context = {
        "title": angebot.titel,
        "external_id": angebot.external_id,
        "message": feedback.message or "",
        "link": absolute(settings, "/anbieter"),
    }
    recipients = provider_recipients(session, einrichtung.traeger_id)
    return queue_each(
        session,
        settings,
        kinds.ERROR_REPORT,
        recipients,
        context=context,
        topic=f"rueckmeldung:{feedback.id}",
    )
