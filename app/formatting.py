"""German-first display formats: dates ``TT.MM.JJJJ``, money ``1.234,56 €``. One place for both."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.numbers import format_currency, format_decimal

from app.i18n import current_locale


def _babel_locale() -> str:
    return "en_GB" if current_locale.get() == "en" else "de_DE"


def format_date(value: date | datetime | None) -> str:
    """``TT.MM.JJJJ`` in German (and, for unambiguity, in English too)."""
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y, %H:%M")


def format_euro(cents: int | None) -> str:
    """Integer cents → ``1.234,56 €`` (non-breaking space before the sign, as babel/DIN 5008 write it)."""
    if cents is None:
        return ""
    return _euro(cents, _babel_locale())


# Babel parses the pattern and looks up the locale's symbols on every call (≈ 25 µs); a results page
# formats the same few ages and prices dozens of times.
@lru_cache(maxsize=4096)
def _euro(cents: int, locale: str) -> str:
    return format_currency(cents / 100, "EUR", locale=locale)


@lru_cache(maxsize=4096)
def _decimal(value: float | int, pattern: str, locale: str) -> str:
    return format_decimal(value, format=pattern, locale=locale)


def format_number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return ""
    return _decimal(value, f"#,##0{'.' + '0' * digits if digits else ''}", _babel_locale())
