"""The outbox: one row per mail, written in the same transaction as the change that causes it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class MailStatus(StrEnum):
    queued = "queued"
    sent = "sent"
    failed = "failed"  # permanent: refused by the server or out of attempts; an admin can resend


class OutboxMail(SQLModel, table=True):
    __tablename__ = "mail_outbox"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, index=True, description="see app.mail.kinds")
    recipient: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_type=Text)
    body_html: str = Field(sa_type=Text)
    message_id: str = Field(max_length=200, description="kept across retries so a resend is recognisable")
    # What the mail is about, e.g. "traeger:T-014" (reminders look up when a Träger was last written to).
    topic: str | None = Field(default=None, max_length=120, index=True)
    # Set for mails a job may try to create twice (a day's digest, a reminder): unique, so a second one is
    # refused by the database even when two workers race.
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    status: str = Field(default=MailStatus.queued.value, max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # A worker that claimed the row owns it until then (lease: a crashed worker's rows come back).
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class JobLock(SQLModel, table=True):
    """One row per periodic job: the lease says which worker runs it now, the rest is shown in /verwaltung."""

    __tablename__ = "job_lock"

    name: str = Field(primary_key=True, max_length=60)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_result: str | None = Field(default=None, max_length=500)
