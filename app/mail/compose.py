"""Writing mails into the outbox: German plain text plus a simple HTML alternative from app/templates/mail/.

``queue_mail`` only adds a row to the caller's session – it is committed (or rolled back) together with the
change that caused it. After a commit the new mails are handed to a background delivery (see ``delivery``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from email.utils import make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import event
from sqlmodel import Session, col, func, select

from app import formatting
from app.db import utcnow
from app.mail.kinds import MailKind
from app.mail.models import OutboxMail
from app.settings import Settings

log = logging.getLogger(__name__)
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
_PENDING = "mail_outbox_pending"
THREADS_KEY = "mail_delivery_threads"  # session.info: the deliveries started after this session's commits


def _environment(*, html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=html,  # noqa: S701  (plain-text mails are not HTML; the HTML part escapes)
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(datum=formatting.format_date, datum_zeit=formatting.format_datetime)
    return env


_TEXT = _environment(html=False)
_HTML = _environment(html=True)


def absolute(settings: Settings, path: str) -> str:
    """Links in mails always point at BASE_URL (the site people use), never at the host that sent the mail."""
    return settings.base_url.rstrip("/") + "/" + path.lstrip("/")


def render(kind: MailKind, settings: Settings, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a mail of this kind."""
    ctx = {"site": absolute(settings, "/"), "site_host": urlsplit(settings.base_url).netloc, **context}
    subject = " ".join(_TEXT.from_string(kind.subject).render(ctx).split())
    text = _TEXT.get_template(f"mail/{kind.name}.txt").render(ctx)
    html = _HTML.get_template(f"mail/{kind.name}.html").render(ctx)
    return subject, text, html


def queue_mail(
    session: Session,
    settings: Settings,
    kind: MailKind,
    *,
    to: str,
    context: dict[str, Any],
    topic: str | None = None,
    dedupe_key: str | None = None,
) -> OutboxMail | None:
    """Add one mail to the outbox in the caller's transaction; None if ``dedupe_key`` was queued before."""
    if dedupe_key is not None:
        exists = session.exec(select(OutboxMail.id).where(OutboxMail.dedupe_key == dedupe_key)).first()
        if exists is not None:
            return None
    subject, text, html = render(kind, settings, context)
    domain = (settings.smtp_from.rsplit("@", 1)[-1].strip(" >") or "familienwegweiser.invalid")[:100]
    mail = OutboxMail(
        kind=kind.name,
        recipient=to.strip(),
        subject=subject[:300],
        body_text=text,
        body_html=html,
        message_id=make_msgid("fw", domain=domain),
        topic=topic,
        dedupe_key=dedupe_key,
    )
    session.add(mail)
    session.flush()
    deliver_after_commit(session, settings, mail)
    return mail


def queue_each(
    session: Session,
    settings: Settings,
    kind: MailKind,
    recipients: Iterable[str],
    *,
    context: dict[str, Any],
    topic: str,
    dedupe_key: str | None = None,
) -> list[OutboxMail]:
    """:func:`queue_mail` to every recipient, ``{address}`` in ``dedupe_key`` standing for theirs; the mails
    newly queued."""
    mails = (
        queue_mail(session, settings, kind, to=address, context=context, topic=topic,
                   dedupe_key=dedupe_key.replace("{address}", address) if dedupe_key else None)
        for address in recipients
    )  # fmt: skip
    return [mail for mail in mails if mail is not None]


def last_mail_at(session: Session, kind: MailKind, topic: str) -> Any:
    """When a mail of this kind about this topic was last queued (for "at most once per 30 days")."""
    stmt = select(func.max(col(OutboxMail.created_at))).where(
        OutboxMail.kind == kind.name, OutboxMail.topic == topic
    )
    return session.exec(stmt).one()


def mailed_within(session: Session, kind: MailKind, topic: str, days: int) -> bool:
    last = last_mail_at(session, kind, topic)
    return last is not None and last > utcnow() - timedelta(days=days)


def deliver_after_commit(session: Session, settings: Settings, mail: OutboxMail) -> None:
    """Remember the mail; once the transaction commits, deliver it in the background (rollback: nothing)."""
    from app.mail import delivery  # delivery imports this module's models only; late import avoids a cycle

    if not settings.mail_send_immediately or not delivery.can_deliver(settings):
        return
    pending: list[int] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        bind = session.get_bind()

        def after_commit(committed: Session) -> None:
            ids = list(committed.info.pop(_PENDING, []))
            if ids:
                thread = delivery.deliver_in_background(bind, settings, ids)  # type: ignore[arg-type]
                committed.info.setdefault(THREADS_KEY, []).append(thread)

        def after_rollback(rolled_back: Session, _transaction: object) -> None:
            rolled_back.info.pop(_PENDING, None)

        event.listen(session, "after_commit", after_commit, once=True)
        event.listen(session, "after_soft_rollback", after_rollback, once=True)
    assert mail.id is not None
    pending.append(mail.id)
