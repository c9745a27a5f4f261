"""Interface language: German first, English second (babel/gettext catalogues under app/locale).

Message ids are the German texts. The current request's locale lives in a context variable set by
``LocaleMiddleware``; templates and Python code call ``gettext``/``_`` which read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from starlette.types import Receive, Scope, Send

from app.asgi import Header, HttpMiddleware, send_adding_headers

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LOCALE = "de"
SUPPORTED_LOCALES = ("de", "en")
LOCALE_COOKIE = "lang"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [locale], domain="messages")


def N_(message: str) -> str:
    """Marks a German text for the translation catalogue (``pybabel -k N_``); translated where it is shown."""
    return message


def gettext(message: str) -> str:
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


_ = gettext


def negotiate_locale(query_lang: str | None, cookie_lang: str | None) -> str:
    """An explicit ``?lang=`` wins, then the remembered cookie, then German."""
    for candidate in (query_lang, cookie_lang):
        if candidate in SUPPORTED_LOCALES:
            return candidate
    return DEFAULT_LOCALE


class LocaleMiddleware(HttpMiddleware):
    """Sets ``current_locale`` for the request and remembers an explicit ``?lang=`` choice in a cookie."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.requests import HTTPConnection

        conn = HTTPConnection(scope)
        query_lang = conn.query_params.get("lang")
        locale = negotiate_locale(query_lang, conn.cookies.get(LOCALE_COOKIE))
        token = current_locale.set(locale)
        scope.setdefault("state", {})["locale"] = locale

        def cookie_header(_headers: Sequence[Header]) -> list[Header]:
            if query_lang not in SUPPORTED_LOCALES:
                return []
            cookie = f"{LOCALE_COOKIE}={locale}; Path=/; Max-Age=31536000; SameSite=Lax"
            return [(b"set-cookie", cookie.encode("latin-1"))]

        try:
            await self.app(scope, receive, send_adding_headers(send, cookie_header))
        finally:
            current_locale.reset(token)
