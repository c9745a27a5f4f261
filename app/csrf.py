"""CSRF protection for every state-changing form.

The token is an HMAC (``settings.secret_key``) of what identifies the browser: the session cookie once
someone is logged in (so the token is bound to the session and changes with it), otherwise a random anonymous
cookie set the first time a page renders a form (signed double-submit, for login and feedback). A POST without
the matching token is refused with 403 before anything else happens.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from fastapi import HTTPException, Request
from markupsafe import Markup, escape
from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send

from app.asgi import Header, HttpMiddleware, send_adding_headers
from app.auth.cookies import CSRF_COOKIE, SESSION_COOKIE, read_cookie, set_cookie
from app.i18n import gettext as _
from app.settings import Settings

FIELD_NAME = "csrf_token"
HEADER_NAME = "x-csrf-token"
_STATE_NEW = "csrf_new_cookie"
_STATE_USED = "csrf_cookie_used"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _settings(conn: HTTPConnection) -> Settings:
    settings: Settings = conn.app.state.settings
    return settings


def _binding(conn: HTTPConnection, *, create: bool) -> str | None:
    settings = _settings(conn)
    session_token = read_cookie(conn, SESSION_COOKIE, settings)
    if session_token:
        return "s:" + session_token
    anonymous = read_cookie(conn, CSRF_COOKIE, settings)
    if anonymous is None and create:
        anonymous = conn.scope.setdefault("state", {}).get(_STATE_NEW)
        if anonymous is None:
            anonymous = secrets.token_urlsafe(32)
            conn.scope["state"][_STATE_NEW] = anonymous
        conn.scope["state"][_STATE_USED] = True
    return "a:" + anonymous if anonymous else None


def _token_for(binding: str, settings: Settings) -> str:
    return hmac.new(settings.secret_key.encode(), b"csrf\0" + binding.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    binding = _binding(request, create=True)
    assert binding is not None
    return _token_for(binding, _settings(request))


def csrf_input(request: Request) -> Markup:
    """Template global: the hidden form field carrying the token."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        FIELD_NAME, escape(csrf_token(request))
    )


async def verify_csrf(request: Request) -> None:
    """Router dependency: every unsafe request must carry the token of this browser (403 otherwise)."""
    if request.method not in UNSAFE_METHODS:
        return
    binding = _binding(request, create=False)
    sent = request.headers.get(HEADER_NAME)
    if sent is None:
        form = await request.form()
        value = form.get(FIELD_NAME)
        sent = value if isinstance(value, str) else None
    if binding is None or not sent or not hmac.compare_digest(sent, _token_for(binding, _settings(request))):
        raise HTTPException(
            status_code=403,
            detail=_(
                "Das Formular ist abgelaufen oder wurde nicht von dieser Seite gesendet. "
                "Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."
            ),
        )


class CsrfCookieMiddleware(HttpMiddleware):
    """Sets the anonymous CSRF cookie on responses that rendered a form for a browser that had none."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:

        def cookie_header(_headers: Sequence[Header]) -> list[Header]:
            state = scope.get("state", {})
            if not (state.get(_STATE_USED) and state.get(_STATE_NEW)):
                return []
            from starlette.responses import Response

            carrier = Response()
            set_cookie(carrier, CSRF_COOKIE, state[_STATE_NEW], scope["app"].state.settings)
            return [h for h in carrier.raw_headers if h[0] == b"set-cookie"]

        await self.app(scope, receive, send_adding_headers(send, cookie_header))


def _register_template_global() -> None:
    from app.templating import env

    env.globals["csrf_input"] = csrf_input


_register_template_global()
