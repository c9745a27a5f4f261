"""Signed, expiring, single-use links for invitations and password resets (itsdangerous + used nonces).

A link carries its issue time; every link of an account issued before its last password change (which
using any link is) is void – so using one link, or changing the password, ends all outstanding ones.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session

from app.auth.models import UsedToken, UserAccount
from app.i18n import gettext as _
from app.settings import Settings


class Purpose(StrEnum):
    invitation = "invitation"
    reset = "reset"


PATHS = {Purpose.invitation: "/einladung", Purpose.reset: "/passwort-zuruecksetzen"}


class LinkError(ValueError):
    """The link is broken, expired or used; the message is German and safe to show."""


def _serializer(settings: Settings, purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=f"familienwegweiser-{purpose.value}")


def _max_age(settings: Settings, purpose: Purpose) -> int:
    hours = (
        settings.invitation_max_age_hours if purpose is Purpose.invitation else settings.reset_max_age_hours
    )
    return hours * 3600


def make_token(settings: Settings, purpose: Purpose, user_id: int) -> str:
    payload = {"u": user_id, "n": secrets.token_urlsafe(16), "t": time.time()}
    return str(_serializer(settings, purpose).dumps(payload))


def make_link(settings: Settings, purpose: Purpose, user_id: int) -> str:
    return f"{settings.base_url.rstrip('/')}{PATHS[purpose]}/{make_token(settings, purpose, user_id)}"


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def read_token(session: Session, settings: Settings, purpose: Purpose, token: str) -> tuple[int, str]:
    """(user id, nonce) of a valid, unexpired, unused link; raises :class:`LinkError` otherwise."""
    try:
        data = _serializer(settings, purpose).loads(token, max_age=_max_age(settings, purpose))
    except SignatureExpired as exc:
        raise LinkError(
            _("Dieser Link ist abgelaufen. Bitte fordern Sie bei der Stadt einen neuen an.")
        ) from exc
    except BadSignature as exc:
        raise LinkError(_("Dieser Link ist ungültig.")) from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("n"), str):
        raise LinkError(_("Dieser Link ist ungültig."))
    if session.get(UsedToken, _nonce_hash(data["n"])) is not None:
        raise LinkError(
            _("Dieser Link wurde bereits verwendet. Bitte fordern Sie bei der Stadt einen neuen an.")
        )
    user = session.get(UserAccount, data["u"])
    issued = data.get("t")
    changed = user.password_changed_at if user is not None else None
    if changed is not None and (not isinstance(issued, int | float) or issued < changed.timestamp()):
        raise LinkError(
            _(
                "Dieser Link gilt nicht mehr: Das Passwort des Kontos wurde inzwischen festgelegt. "
                "Bitte fordern Sie bei Bedarf einen neuen Link an."
            )
        )
    return data["u"], data["n"]


def mark_used(session: Session, purpose: Purpose, nonce: str) -> None:
    session.add(UsedToken(nonce_hash=_nonce_hash(nonce), purpose=purpose.value))
    session.flush()
