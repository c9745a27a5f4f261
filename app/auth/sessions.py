"""Server-side login sessions: a random token in the cookie, its SHA-256 in the database."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, col, delete

from app.auth.models import UserAccount, UserSession
from app.db import utcnow
from app.settings import Settings

_TOUCH_EVERY = timedelta(minutes=1)  # don't write on every request


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: UserAccount, settings: Settings) -> str:
    """A fresh session id (never reuse the one the browser brought: no session fixation)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    # Housekeeping on the rare write path: sessions past their absolute expiry are useless.
    session.exec(delete(UserSession).where(col(UserSession.expires_at) < now))
    session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user.id,  # type: ignore[arg-type]
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_max_hours),
        )
    )
    session.flush()
    return token


def user_for_token(session: Session, token: str, settings: Settings) -> UserAccount | None:
    row = session.get(UserSession, token_hash(token))
    if row is None:
        return None
    now = utcnow()
    if row.expires_at <= now or row.last_seen_at + timedelta(minutes=settings.session_idle_minutes) <= now:
        session.delete(row)
        session.flush()
        return None
    user = session.get(UserAccount, row.user_id)
    if user is None or not user.active:
        return None
    if now - row.last_seen_at >= _TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    return user


def end_session(session: Session, token: str) -> None:
    session.exec(delete(UserSession).where(col(UserSession.token_hash) == token_hash(token)))


def end_all_sessions(session: Session, user_id: int) -> None:
    session.exec(delete(UserSession).where(col(UserSession.user_id) == user_id))
