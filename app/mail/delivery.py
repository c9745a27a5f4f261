"""Delivering the outbox over SMTP (stdlib ``smtplib``), with retries, backoff and a lease per claimed mail.

Several workers may deliver at once: a mail is claimed by a conditional UPDATE that sets ``locked_until``
(on PostgreSQL the candidates are read with ``FOR UPDATE SKIP LOCKED``), and the SMTP conversation happens
outside any transaction. A server that cannot be reached is not the mail's fault: nothing is counted, the
mails stay due and the next run tries again. A temporary refusal (4xx) is retried after base·2^(n-1) s; a
permanent one (5xx) or too many attempts mark the mail "failed" for the Redaktion to look at.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from app.db import utcnow
from app.mail.models import MailStatus, OutboxMail
from app.settings import Environment, Settings

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 200


class ServerUnavailable(Exception):
    """The SMTP server could not be reached or dropped the connection: try again on the next run."""


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class SmtpTransport:
    """One connection for a whole batch; opened lazily, re-opened after the server hangs up."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            client: smtplib.SMTP
            if s.smtp_ssl:
                client = smtplib.SMTP_SSL(
                    s.smtp_host,
                    s.smtp_port,
                    timeout=s.smtp_timeout_seconds,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
                if s.smtp_starttls:
                    client.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                client.login(s.smtp_user, s.smtp_password)
        except (OSError, smtplib.SMTPException) as exc:
            # Includes a refused login: configuration, not the mail's fault – keep everything queued.
            raise ServerUnavailable(f"{s.smtp_host}:{s.smtp_port}: {exc}") from exc
        return client

    def send(self, message: EmailMessage) -> None:
        if self._client is None:
            self._client = self._connect()
        try:
            self._client.send_message(message)
        except smtplib.SMTPServerDisconnected as exc:
            self._client = None
            raise ServerUnavailable(str(exc)) from exc
        except smtplib.SMTPException:
            raise  # the server answered: a verdict on this mail (SMTPException is an OSError, so first)
        except OSError as exc:
            self._client = None
            raise ServerUnavailable(str(exc)) from exc

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._client.quit()
            self._client = None


class FolderTransport:
    """Development without SMTP_HOST: each mail becomes ``<MAIL_DIR>/<id>-<kind>.eml`` (for a mail app)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{message['X-Familienwegweiser-Id']}-{message['X-Familienwegweiser-Art']}.eml"
        (self.directory / name).write_bytes(bytes(message))

    def close(self) -> None:
        pass


def can_deliver(settings: Settings) -> bool:
    return bool(settings.smtp_host) or settings.env is Environment.development


def transport_for(settings: Settings) -> Transport | None:
    if settings.smtp_host:
        return SmtpTransport(settings)
    if settings.env is Environment.development:
        return FolderTransport(settings.mail_dir)
    return None  # production/test without SMTP_HOST: mails stay queued


def build_message(mail: OutboxMail, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = settings.smtp_from
    message["To"] = mail.recipient
    if settings.smtp_reply_to:
        message["Reply-To"] = settings.smtp_reply_to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = mail.message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Familienwegweiser-Art"] = mail.kind
    message["X-Familienwegweiser-Id"] = str(mail.id)
    # 8bit, not quoted-printable: links stay on one line in the raw mail (lines are far below 998 bytes).
    message.set_content(mail.body_text, cte="8bit")
    message.add_alternative(mail.body_html, subtype="html", cte="8bit")
    return message


def backoff(settings: Settings, attempts: int) -> timedelta:
    seconds = settings.mail_retry_base_seconds * 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    server_down: str | None = None
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.sent} versandt, {self.retrying} später erneut, {self.failed} endgültig fehlgeschlagen"
        if self.server_down:
            text += f"; Mailserver nicht erreichbar ({self.server_down}) – Mails bleiben in der Warteschlange"
        return text


def _due_ids(session: Session, now: datetime, only: Sequence[int] | None) -> list[int]:
    stmt = (
        select(OutboxMail.id)
        .where(
            OutboxMail.status == MailStatus.queued.value,
            col(OutboxMail.next_attempt_at) <= now,
            or_(col(OutboxMail.locked_until).is_(None), col(OutboxMail.locked_until) < now),
        )
        .order_by(col(OutboxMail.id))
        .limit(BATCH)
    )
    if only is not None:
        stmt = stmt.where(col(OutboxMail.id).in_(list(only)))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return [i for i in session.exec(stmt).all() if i is not None]


def _claim(engine: Engine, now: datetime, only: Sequence[int] | None) -> list[int]:
    """Lease the due mails to this worker; a mail another worker claimed in between is skipped."""
    claimed: list[int] = []
    with Session(engine) as session:
        for mail_id in _due_ids(session, now, only):
            result = session.execute(
                update(OutboxMail)
                .where(
                    col(OutboxMail.id) == mail_id,
                    col(OutboxMail.status) == MailStatus.queued.value,
                    or_(col(OutboxMail.locked_until).is_(None), col(OutboxMail.locked_until) < now),
                )
                .values(locked_until=now + LEASE)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(mail_id)
        session.commit()
    return claimed


def _finish(engine: Engine, mail_id: int, **values: object) -> None:
    with Session(engine) as session:
        session.execute(
            update(OutboxMail).where(col(OutboxMail.id) == mail_id).values(locked_until=None, **values)
        )
        session.commit()


def _release(engine: Engine, ids: Iterable[int]) -> None:
    ids = list(ids)
    if not ids:
        return
    with Session(engine) as session:
        session.execute(update(OutboxMail).where(col(OutboxMail.id).in_(ids)).values(locked_until=None))
        session.commit()


def deliver_due(
    engine: Engine,
    settings: Settings,
    *,
    only: Sequence[int] | None = None,
    transport: Transport | None = None,
) -> DeliveryReport:
    """Send every due mail (or just ``only``); safe to run from several processes at once."""
    report = DeliveryReport()
    transport = transport or transport_for(settings)
    if transport is None:
        return report
    now = utcnow()
    claimed = _claim(engine, now, only)
    try:
        for position, mail_id in enumerate(claimed):
            with Session(engine) as session:
                mail = session.get(OutboxMail, mail_id)
                if mail is None:
                    continue
                message = build_message(mail, settings)
                attempts = mail.attempts + 1
            try:
                transport.send(message)
            except ServerUnavailable as exc:
                report.server_down = str(exc)
                _finish(engine, mail_id, last_error=f"Server nicht erreichbar: {exc}"[:2000])
                _release(engine, claimed[position + 1 :])
                log.warning("Mailserver nicht erreichbar, %d Mail(s) bleiben in der Warteschlange: %s",
                            len(claimed) - position, exc)  # fmt: skip
                break
            except smtplib.SMTPException as exc:
                error = f"{type(exc).__name__}: {exc}"[:2000]
                report.errors.append(f"#{mail_id}: {error}")
                if _is_permanent(exc) or attempts >= settings.mail_max_attempts:
                    _finish(
                        engine, mail_id, status=MailStatus.failed.value, attempts=attempts, last_error=error
                    )
                    report.failed += 1
                    log.error("Mail #%d endgültig fehlgeschlagen: %s", mail_id, error)
                else:
                    _finish(engine, mail_id, attempts=attempts, last_error=error,
                            next_attempt_at=utcnow() + backoff(settings, attempts))  # fmt: skip
                    report.retrying += 1
                    log.warning("Mail #%d vorübergehend abgelehnt (Versuch %d): %s", mail_id, attempts, error)
            else:
                _finish(engine, mail_id, status=MailStatus.sent.value, attempts=attempts, sent_at=utcnow(),
                        last_error=None)  # fmt: skip
                report.sent += 1
    finally:
        transport.close()
    return report


def resend(session: Session, settings: Settings, mail: OutboxMail) -> None:
    """An admin's "erneut senden": due again with fresh attempts (tried right after the commit)."""
    from app.mail.compose import deliver_after_commit  # compose imports this module lazily too

    mail.status = MailStatus.queued.value
    mail.attempts = 0
    mail.next_attempt_at = utcnow()
    mail.locked_until = None
    mail.last_error = None
    session.add(mail)
    session.flush()
    deliver_after_commit(session, settings, mail)


# --- right after a commit -----------------------------------------------------------------------------------

_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def deliver_in_background(engine: Engine, settings: Settings, ids: Sequence[int]) -> threading.Thread:
    """Try the just-committed mails at once, off the request; whatever fails is left for the jobs runner."""

    def run() -> None:
        try:
            deliver_due(engine, settings, only=ids)
        except Exception:  # the outbox keeps the mail; the next `send-mail` run retries it
            log.exception("Sofortversand fehlgeschlagen; die Mail bleibt in der Warteschlange")

    thread = threading.Thread(target=run, name="mail-delivery", daemon=False)
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()
    return thread


def wait_for_background(timeout: float = 30.0, threads: Sequence[threading.Thread] | None = None) -> None:
    """Block until immediate deliveries (all, or the given ones) are done, at most ``timeout`` seconds."""
    if threads is None:
        with _threads_lock:
            threads = list(_threads)
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0.0))
