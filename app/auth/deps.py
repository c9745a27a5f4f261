"""Who is asking: ``CurrentUser`` (any account), ``CurrentProvider`` (one Träger), ``CurrentAdmin``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from app.auth.cookies import SESSION_COOKIE, read_cookie
from app.auth.models import Role, UserAccount
from app.auth.sessions import user_for_token
from app.deps import SessionDep, SettingsDep
from app.i18n import gettext as _
from app.settings import Environment


def optional_user(request: Request, session: SessionDep, settings: SettingsDep) -> UserAccount | None:
    token = read_cookie(request, SESSION_COOKIE, settings)
    if not token:
        return None
    user = user_for_token(session, token, settings)
    if user is not None and user.demo and settings.env is not Environment.development:
        return None  # demo accounts (known passwords) exist only for trying the app locally
    return user


OptionalUser = Annotated[UserAccount | None, Depends(optional_user)]


def require_user(request: Request, user: OptionalUser) -> UserAccount:
    if user is None:
        # Browsers follow the 303 to the login page, which brings them back afterwards (to pages, not to
        # form targets: those only answer POST).
        location = "/anmelden"
        if request.method == "GET":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            location += f"?weiter={quote(target, safe='/')}"
        raise HTTPException(
            status_code=303, detail=_("Bitte melden Sie sich an."), headers={"Location": location}
        )
    return user


CurrentUser = Annotated[UserAccount, Depends(require_user)]


def require_provider(user: CurrentUser) -> UserAccount:
    if user.role != Role.provider or user.traeger_id is None:
        raise HTTPException(status_code=403, detail=_("Dieser Bereich ist nur für Träger-Konten."))
    return user


def require_admin(user: CurrentUser) -> UserAccount:
    if user.role != Role.admin:
        raise HTTPException(status_code=403, detail=_("Dieser Bereich ist nur für die Verwaltung."))
    return user


CurrentProvider = Annotated[UserAccount, Depends(require_provider)]
CurrentAdmin = Annotated[UserAccount, Depends(require_admin)]
