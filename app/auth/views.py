"""Login, logout and the invitation / password-reset links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth import service
from app.auth.cookies import SESSION_COOKIE, clear_cookie, read_cookie, set_cookie
from app.auth.deps import CurrentUser, OptionalUser
from app.auth.models import Role, UserAccount
from app.auth.private_route import PrivateRoute
from app.auth.ratelimit import client_ip
from app.auth.sessions import end_session, start_session
from app.auth.tokens import PATHS, LinkError, Purpose, mark_used, read_token
from app.csrf import verify_csrf
from app.deps import SessionDep, SettingsDep
from app.i18n import gettext as _
from app.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], route_class=PrivateRoute)

_MAX_FIELD = 1000  # longer login input is never valid; don't hash megabytes


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: no scheme, no //host, no backslashes or control characters (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    return target


def home_for(user: UserAccount) -> str:
    if user.role == Role.pruefer:
        return "/verwaltung/antraege"
    return "/verwaltung" if user.role == Role.admin else "/anbieter"


@router.get("/anmelden")
def login_page(request: Request, user: OptionalUser, weiter: str = "", abgemeldet: str = "") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(weiter) or home_for(user), status_code=303)
    message = _("Sie sind abgemeldet.") if abgemeldet else None
    return render(
        request, "auth/login.html", {"weiter": safe_next(weiter) or "", "email": "", "message": message}
    )


@router.post("/anmelden")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    passwort: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    weiter: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
) -> Response:
    outcome = service.attempt_login(session, settings, email=email, password=passwort, ip=client_ip(request))
    context = {"weiter": safe_next(weiter) or "", "email": email}
    if outcome.rate_limited:
        if outcome.retry_after:
            context["error"] = _(
                "Für dieses Konto gab es viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie "
                "{seconds} Sekunden und versuchen Sie es dann erneut."
            ).format(seconds=outcome.retry_after)
            retry = outcome.retry_after
        else:
            context["error"] = _(
                "Zu viele fehlgeschlagene Anmeldeversuche. Aus Sicherheitsgründen ist die Anmeldung für "
                "{minutes} Minuten gesperrt. Bitte versuchen Sie es danach erneut."
            ).format(minutes=settings.login_window_minutes)
            retry = settings.login_window_minutes * 60
        limited = render(request, "auth/login.html", context, status_code=429)
        limited.headers["Retry-After"] = str(retry)
        return limited
    if outcome.user is None:
        context["error"] = _("Anmeldung fehlgeschlagen: E-Mail-Adresse oder Passwort ist nicht korrekt.")
        return render(request, "auth/login.html", context, status_code=400)
    # Rotate: whatever session the browser brought ends; the login gets a brand-new id.
    if old := read_cookie(request, SESSION_COOKIE, settings):
        end_session(session, old)
    token = start_session(session, outcome.user, settings)
    response = RedirectResponse(safe_next(weiter) or home_for(outcome.user), status_code=303)
    set_cookie(response, SESSION_COOKIE, token, settings)
    return response


@router.post("/abmelden")
def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    if token := read_cookie(request, SESSION_COOKIE, settings):
        end_session(session, token)
    response = RedirectResponse("/anmelden?abgemeldet=1", status_code=303)
    clear_cookie(response, SESSION_COOKIE, settings)
    return response


def _set_new_password(
    session: SessionDep, settings: SettingsDep, user: UserAccount, passwort: str, passwort2: str
) -> dict[str, str]:
    """Stores the new password when both entries match and it passes the rules; else the field errors."""
    if passwort != passwort2:
        return {"passwort2": _("Die beiden Passwörter stimmen nicht überein.")}
    try:
        service.set_password(session, settings, user, passwort)
    except service.AccountError as exc:
        return {"passwort": str(exc)}
    return {}


# --- invitation and reset links ---------------------------------------------------------------------------


def _link_page(
    request: Request, session: SessionDep, settings: SettingsDep, purpose: Purpose, token: str
) -> tuple[UserAccount, str] | Response:
    try:
        user_id, nonce = read_token(session, settings, purpose, token)
    except LinkError as exc:
        return render(request, "auth/link_error.html", {"message": str(exc)}, status_code=400)
    user = session.get(UserAccount, user_id)
    if user is None or not user.active:
        message = _("Dieser Link ist ungültig.")
        return render(request, "auth/link_error.html", {"message": message}, status_code=400)
    return user, nonce


def _show_set_password(
    request: Request,
    user: UserAccount,
    purpose: Purpose,
    token: str,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    context = {
        "heading": _("Zugang einrichten") if purpose is Purpose.invitation else _("Neues Passwort festlegen"),
        "email": user.email,
        "action": f"{PATHS[purpose]}/{token}",
        "errors": errors,
    }
    return render(request, "auth/set_password.html", context, status_code=status)


def _link_get(
    request: Request, session: SessionDep, settings: SettingsDep, purpose: Purpose, token: str
) -> Response:
    found = _link_page(request, session, settings, purpose, token)
    if isinstance(found, Response):
        return found
    return _show_set_password(request, found[0], purpose, token, {})


def _link_post(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    purpose: Purpose,
    token: str,
    passwort: str,
    passwort2: str,
) -> Response:
    found = _link_page(request, session, settings, purpose, token)
    if isinstance(found, Response):
        return found
    user, nonce = found
    errors = _set_new_password(session, settings, user, passwort, passwort2)
    if errors:
        return _show_set_password(request, user, purpose, token, errors, status=400)
    mark_used(session, purpose, nonce)
    return render(
        request,
        "auth/login.html",
        {
            "weiter": "",
            "email": user.email,
            "message": _("Ihr Passwort ist gespeichert. Bitte melden Sie sich an."),
        },
    )


def _add_link_routes(purpose: Purpose, *, show_name: str, submit_name: str) -> None:
    """GET shows the set-password form of a link, POST stores the password; the same for both purposes."""
    path = f"{PATHS[purpose]}/{{token}}"

    def show(request: Request, session: SessionDep, settings: SettingsDep, token: str) -> Response:
        return _link_get(request, session, settings, purpose, token)

    def submit(
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        token: str,
        passwort: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
        passwort2: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    ) -> Response:
        return _link_post(request, session, settings, purpose, token, passwort, passwort2)

    router.add_api_route(path, show, methods=["GET"], name=show_name)
    router.add_api_route(path, submit, methods=["POST"], name=submit_name)


_add_link_routes(Purpose.invitation, show_name="invitation_page", submit_name="accept_invitation")
_add_link_routes(Purpose.reset, show_name="reset_page", submit_name="reset_password")


# --- own password -----------------------------------------------------------------------------------------


@router.get("/konto/passwort")
def password_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "auth/change_password.html", {"user": user, "errors": {}})


@router.post("/konto/passwort")
def change_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    bisher: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    passwort: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    passwort2: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
) -> Response:
    """Needs the current password; ends every session of the account and starts a fresh one here."""
    check = service.check_current_password(session, settings, user, bisher)
    if check.rate_limited:
        errors = {
            "bisher": _(
                "Zu viele falsche Eingaben des bisherigen Passworts. Bitte versuchen Sie es in {minutes} "
                "Minuten erneut."
            ).format(minutes=settings.login_window_minutes)
        }
        response = render(
            request, "auth/change_password.html", {"user": user, "errors": errors}, status_code=429
        )
        response.headers["Retry-After"] = str(settings.login_window_minutes * 60)
        return response
    if check.user is None:
        errors = {"bisher": _("Das bisherige Passwort ist nicht korrekt.")}
    else:
        errors = _set_new_password(session, settings, user, passwort, passwort2)
    if errors:
        return render(request, "auth/change_password.html", {"user": user, "errors": errors}, status_code=400)
    token = start_session(session, user, settings)
    response = render(request, "auth/change_password.html", {"user": user, "errors": {}, "done": True})
    set_cookie(response, SESSION_COOKIE, token, settings)
    return response
