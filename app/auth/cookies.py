"""Cookie names and flags shared by sessions and CSRF: ``Secure`` + ``__Host-`` outside development."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from app.settings import Environment, Settings

SESSION_COOKIE = "fw_session"
CSRF_COOKIE = "fw_csrf"


def secure_cookies(settings: Settings) -> bool:
    return settings.env is not Environment.development


def cookie_name(base: str, settings: Settings) -> str:
    # __Host- cookies are only accepted with Secure, Path=/ and no Domain: no subdomain can plant them.
    return f"__Host-{base}" if secure_cookies(settings) else base


def read_cookie(conn: HTTPConnection, base: str, settings: Settings) -> str | None:
    value = conn.cookies.get(cookie_name(base, settings))
    # Tokens are URL-safe base64 of 32 bytes; anything else is ignored rather than trusted.
    if value is None or not 20 <= len(value) <= 100:
        return None
    return value


def set_cookie(response: Response, base: str, value: str, settings: Settings) -> None:
    response.set_cookie(
        cookie_name(base, settings),
        value,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings),
    )


def clear_cookie(response: Response, base: str, settings: Settings) -> None:
    response.delete_cookie(
        cookie_name(base, settings), path="/", httponly=True, samesite="lax", secure=secure_cookies(settings)
    )
