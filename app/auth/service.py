"""Account rules: creating users, checking logins against the rate limits, setting passwords."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, func, select

from app.auth import ratelimit
from app.auth.models import Role, UserAccount
from app.auth.passwords import hash_password, password_problems, verify_password
from app.auth.sessions import end_all_sessions
from app.catalogue.models import Traeger
from app.db import utcnow
from app.i18n import gettext as _
from app.settings import Settings

# ASCII only: no look-alike or invisible characters in login names.
log = logging.getLogger(__name__)
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,189}\.[A-Za-z]{2,63}$")


class AccountError(ValueError):
    """A German message about why an account could not be created or changed."""


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def email_problem(email: str) -> str | None:
    if not _EMAIL.match(email):
        return _("Bitte geben Sie eine gültige E-Mail-Adresse an (z. B. name@example.org).")
    return None


def find_user(session: Session, email: str) -> UserAccount | None:
    return session.exec(select(UserAccount).where(UserAccount.email == normalise_email(email))).first()


def create_user(
    session: Session,
    settings: Settings,
    *,
    email: str,
    role: Role,
    traeger_external_id: str | None = None,
    password: str | None = None,
) -> UserAccount:
    email = normalise_email(email)
    if problem := email_problem(email):
        raise AccountError(problem)
    if find_user(session, email) is not None:
        raise AccountError(_("Für diese E-Mail-Adresse gibt es bereits ein Konto."))
    traeger_id: int | None = None
    if role is Role.provider:
        traeger = session.exec(select(Traeger).where(Traeger.external_id == traeger_external_id)).first()
        if traeger is None:
            raise AccountError(_("Unbekannte Träger-ID „{id}“.").format(id=traeger_external_id or ""))
        traeger_id = traeger.id
    password_hash = None
    if password is not None:
        if problems := password_problems(password, email=email):
            raise AccountError(" ".join(problems))
        password_hash = hash_password(password, settings)
    user = UserAccount(email=email, role=role.value, traeger_id=traeger_id, password_hash=password_hash)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, settings: Settings, user: UserAccount, password: str) -> None:
    """New password; every existing session of the account ends (a reset must lock out whoever had it)."""
    if problems := password_problems(password, email=user.email):
        raise AccountError(" ".join(problems))
    user.password_hash = hash_password(password, settings)
    session.add(user)
    end_all_sessions(session, user.id)  # type: ignore[arg-type]
    session.flush()


@dataclass(frozen=True)
class LoginOutcome:
    user: UserAccount | None = None
    rate_limited: bool = False


def attempt_login(
    session: Session, settings: Settings, *, email: str, password: str, ip: str
) -> LoginOutcome:
    """Check a login; failures count per account and per IP, and too many block both for the window."""
    email = normalise_email(email)
    window = timedelta(minutes=settings.login_window_minutes)
    ip_key = ratelimit.keyed_hash("ip:" + ip, settings)
    account_key = ratelimit.keyed_hash("account:" + email, settings)
    limit = settings.login_max_failures
    if (
        ratelimit.count_recent(session, bucket="login-ip", key=ip_key, window=window) >= limit
        or ratelimit.count_recent(session, bucket="login-account", key=account_key, window=window) >= limit
    ):
        log.warning("Anmeldung gesperrt (Ratenbegrenzung), Konto-Schlüssel %s", account_key[:12])
        return LoginOutcome(rate_limited=True)
    user = find_user(session, email) if email else None
    valid = verify_password(password, user.password_hash if user and user.active else None, settings)
    if not valid or user is None:
        ratelimit.record_event(session, bucket="login-ip", key=ip_key, window=window)
        ratelimit.record_event(session, bucket="login-account", key=account_key, window=window)
        log.info("Anmeldung fehlgeschlagen, Konto-Schlüssel %s", account_key[:12])
        return LoginOutcome()
    ratelimit.clear_events(session, bucket="login-account", key=account_key)
    log.info("Anmeldung erfolgreich: Konto %s (%s)", user.id, user.role)
    user.last_login_at = utcnow()
    session.add(user)
    return LoginOutcome(user=user)


def count_users(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(UserAccount)).one())
