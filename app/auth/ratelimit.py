"""Database-backed rate limits (shared by all workers): events per bucket and key in a sliding window."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from fastapi import Request
from sqlmodel import Session, col, delete, func, select

from app.auth.models import RateLimitEvent
from app.db import utcnow
from app.settings import Settings


def keyed_hash(value: str, settings: Settings) -> str:
    """Keys are HMACs: the table never holds plain IP or e-mail addresses (data minimisation)."""
    return hmac.new(settings.secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()


def client_ip(request: Request) -> str:
    # Behind a proxy, uvicorn's --proxy-headers sets request.client from X-Forwarded-For for trusted proxies.
    return request.client.host if request.client else "unknown"


def count_recent(session: Session, *, bucket: str, key: str, window: timedelta) -> int:
    since = utcnow() - window
    stmt = (
        select(func.count())
        .select_from(RateLimitEvent)
        .where(RateLimitEvent.bucket == bucket, RateLimitEvent.key == key, col(RateLimitEvent.at) >= since)
    )
    return int(session.exec(stmt).one())


def latest_event(session: Session, *, bucket: str, key: str) -> datetime | None:
    stmt = select(func.max(RateLimitEvent.at)).where(
        RateLimitEvent.bucket == bucket, RateLimitEvent.key == key
    )
    latest = session.exec(stmt).one()
    if latest is not None and latest.tzinfo is None:  # SQLite's max() returns the stored text, naive
        latest = latest.replace(tzinfo=UTC)
    return latest


def record_event(session: Session, *, bucket: str, key: str, window: timedelta) -> None:
    # Events outside the window no longer count: prune the bucket's old ones while we are here.
    session.exec(
        delete(RateLimitEvent).where(
            col(RateLimitEvent.bucket) == bucket, col(RateLimitEvent.at) < utcnow() - window
        )
    )
    session.add(RateLimitEvent(bucket=bucket, key=key))
    session.flush()


def clear_events(session: Session, *, bucket: str, key: str) -> None:
    session.exec(
        delete(RateLimitEvent).where(col(RateLimitEvent.bucket) == bucket, col(RateLimitEvent.key) == key)
    )
