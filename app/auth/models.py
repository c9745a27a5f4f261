"""Accounts, server-side sessions, rate-limit events and used one-time tokens."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Role(StrEnum):
    admin = "admin"
    provider = "provider"
    pruefer = "pruefer"  # reviews funding applications; sees no accounts


class UserAccount(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=254, description="stored lower-case")
    role: str = Field(max_length=20)
    traeger_id: int | None = Field(default=None, foreign_key="traeger.id", index=True)
    # None until an invited provider sets a password.
    password_hash: str | None = Field(default=None, max_length=300)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set by `demo-accounts`: such an account logs in only under ENV=development.
    demo: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    # Every invitation/reset link issued before this moment is void (a used link or a new password).
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def is_reviewer(self) -> bool:
        """May score and rank funding applications (admins and Prüfer)."""
        return self.role in (Role.admin, Role.pruefer)


class UserSession(SQLModel, table=True):
    """A login session; the cookie holds a random token, the database only its SHA-256."""

    __tablename__ = "user_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class RateLimitEvent(SQLModel, table=True):
    """One counted event (failed login, feedback post); keys are keyed hashes, never raw IPs or addresses."""

    __tablename__ = "rate_limit_event"

    id: int | None = Field(default=None, primary_key=True)
    bucket: str = Field(max_length=30, index=True, description="login-account | login-ip | feedback-ip")
    key: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class UsedToken(SQLModel, table=True):
    """Invitation and reset links are single-use: the nonce of a used link is remembered here."""

    __tablename__ = "used_token"

    nonce_hash: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(max_length=20)
    used_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
