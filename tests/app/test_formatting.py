"""German display formats."""

from __future__ import annotations

from datetime import date

from app.formatting import format_date, format_euro
from app.i18n import current_locale


def test_dates_are_tt_mm_jjjj() -> None:
    assert format_date(date(2021, 3, 7)) == "07.03.2021"


def test_money_from_cents_german_style() -> None:
    token = current_locale.set("de")
    try:
        assert format_euro(123456).replace("\xa0", " ") == "1.234,56 €"
        assert format_euro(1250000).replace("\xa0", " ") == "12.500,00 €"
        assert format_euro(0).replace("\xa0", " ") == "0,00 €"
    finally:
        current_locale.reset(token)
