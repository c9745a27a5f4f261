"""A lease per job in the ``job_lock`` table: whoever moves ``locked_until`` into the future runs the job.

The claim is one conditional UPDATE, atomic on PostgreSQL and SQLite alike, so several workers (or a cron
line next to the compose service) never run the same job at once; a crashed worker's lease simply expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.db import utcnow
from app.mail.models import JobLock


def acquire(engine: Engine, name: str, lease: timedelta) -> bool:
    now = utcnow()
    with Session(engine) as session:
        if session.get(JobLock, name) is None:
            session.add(JobLock(name=name))
            try:
                session.commit()
            except IntegrityError:  # another worker created it a moment ago
                session.rollback()
    with Session(engine) as session:
        result = session.execute(
            update(JobLock)
            .where(
                col(JobLock.name) == name,
                or_(col(JobLock.locked_until).is_(None), col(JobLock.locked_until) < now),
            )
            .values(locked_until=now + lease, last_started_at=now)
        )
        session.commit()
        return result.rowcount == 1  # type: ignore[attr-defined]


def release(engine: Engine, name: str, result: str) -> None:
    with Session(engine) as session:
        session.execute(
            update(JobLock)
            .where(col(JobLock.name) == name)
            .values(locked_until=None, last_finished_at=utcnow(), last_result=result[:500])
        )
        session.commit()


def last_finished(engine: Engine, name: str) -> datetime | None:
    with Session(engine) as session:
        row = session.get(JobLock, name)
        return row.last_finished_at if row else None
