"""Account rules: creating users, checking logins against the rate limits, setting passwords."""

from __future__ import annotations

import logging
import math
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
from app.settings import Environment, Settings

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
    """New password; every existing session and every outstanding link of the account ends."""
    if problems := password_problems(password, email=user.email):
        raise AccountError(" ".join(problems))
    user.password_hash = hash_password(password, settings)
    user.password_changed_at = utcnow()  # voids every invitation/reset link issued before
    session.add(user)
    end_all_sessions(session, user.id)  # type: ignore[arg-type]
    session.flush()


@dataclass(frozen=True)
class LoginOutcome:
    user: UserAccount | None = None
    rate_limited: bool = False
    # Seconds to wait when the account (not this address) is being throttled; 0 for the address limits.
    retry_after: int = 0


def account_delay(failures: int, settings: Settings) -> int:
    """Growing delay for an account under attack: none for the first ``login_max_failures`` failures,
    then 1, 2, 4, … seconds, at most ``login_max_delay_seconds`` – never a hard lock (ASVS 2.2.1)."""
    beyond = failures - settings.login_max_failures
    if beyond <= 0:
        return 0
    return min(2 ** min(beyond - 1, 30), settings.login_max_delay_seconds)


def _keys(settings: Settings, email: str, ip: str) -> dict[str, str]:
    return {
        "login-ip": ratelimit.keyed_hash("ip:" + ip, settings),
        "login-pair": ratelimit.keyed_hash(f"pair:{email}|{ip}", settings),
        "login-account": ratelimit.keyed_hash("account:" + email, settings),
    }


def attempt_login(
    session: Session, settings: Settings, *, email: str, password: str, ip: str
) -> LoginOutcome:
    """Check a login against three throttles.

    Per address (``login_max_failures_per_ip``, any account) and per account+address pair
    (``login_max_failures``) failures block for the window – an attacker blocks only himself. Per account,
    failures from anywhere cause growing delays instead of a lock, so nobody can lock the owner out.
    """
    email = normalise_email(email)
    window = timedelta(minutes=settings.login_window_minutes)
    keys = _keys(settings, email, ip)

    def recent(bucket: str) -> int:
        return ratelimit.count_recent(session, bucket=bucket, key=keys[bucket], window=window)

    if (
        recent("login-ip") >= settings.login_max_failures_per_ip
        or recent("login-pair") >= settings.login_max_failures
    ):
        log.warning("Anmeldung gesperrt (Ratenbegrenzung), Konto-Schlüssel %s", keys["login-account"][:12])
        return LoginOutcome(rate_limited=True)
    delay = account_delay(recent("login-account"), settings)
    if delay:
        last = ratelimit.latest_event(session, bucket="login-account", key=keys["login-account"])
        waited = (utcnow() - last).total_seconds() if last is not None else delay
        if waited < delay:
            log.warning("Anmeldung verzögert (%s s), Konto-Schlüssel %s", delay, keys["login-account"][:12])
            return LoginOutcome(rate_limited=True, retry_after=max(1, math.ceil(delay - waited)))
    user = find_user(session, email) if email else None
    usable = (
        user is not None and user.active and not (user.demo and settings.env is not Environment.development)
    )
    valid = verify_password(password, user.password_hash if user is not None and usable else None, settings)
    if not valid or user is None:
        for bucket in ("login-ip", "login-pair", "login-account"):
            ratelimit.record_event(session, bucket=bucket, key=keys[bucket], window=window)
        if user is not None and user.demo and not usable:
            log.warning("Demo-Zugang %s außerhalb der Entwicklungsumgebung abgewiesen", user.id)
        log.info("Anmeldung fehlgeschlagen, Konto-Schlüssel %s", keys["login-account"][:12])
        return LoginOutcome()
    for bucket in ("login-pair", "login-account"):
        ratelimit.clear_events(session, bucket=bucket, key=keys[bucket])
    log.info("Anmeldung erfolgreich: Konto %s (%s)", user.id, user.role)
    user.last_login_at = utcnow()
    session.add(user)
    return LoginOutcome(user=user)


def check_current_password(
    session: Session, settings: Settings, user: UserAccount, password: str
) -> LoginOutcome:
    """The current password before a change (``/konto/passwort``): limited like logins, per account."""
    window = timedelta(minutes=settings.login_window_minutes)
    key = ratelimit.keyed_hash(f"password-check:{user.id}", settings)
    if (
        ratelimit.count_recent(session, bucket="password-check", key=key, window=window)
        >= settings.login_max_failures
    ):
        log.warning("Passwortänderung gesperrt (Ratenbegrenzung), Konto %s", user.id)
        return LoginOutcome(rate_limited=True)
    if not verify_password(password, user.password_hash, settings):
        ratelimit.record_event(session, bucket="password-check", key=key, window=window)
        return LoginOutcome()
    ratelimit.clear_events(session, bucket="password-check", key=key)
    return LoginOutcome(user=user)


def count_users(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(UserAccount)).one())
