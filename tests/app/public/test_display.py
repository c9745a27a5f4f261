"""Age ranges on cards and offer pages use the one age rule (``values.format_age``) in both languages."""

from __future__ import annotations

import pytest

from app.i18n import current_locale
from app.public.display import age_range


@pytest.mark.parametrize(
    ("von", "bis", "german", "english"),
    [
        (0.5, 3.0, "6 Monate – 3 Jahre", "6 months – 3 years"),
        (1.5, 3.0, "1,5–3 Jahre", "1.5–3 years"),  # not rounded: what the Träger entered
        (12.0, 18.0, "12–18 Jahre", "12–18 years"),
        (60.0, None, "ab 60 Jahren", "from 60 years"),
        (0.0, 6.0, "bis 6 Jahre", "up to 6 years"),
        (None, None, "", ""),
    ],
)
def test_age_range(von: float | None, bis: float | None, german: str, english: str) -> None:
    assert age_range(von, bis) == german
    token = current_locale.set("en")
    try:
        assert age_range(von, bis) == english
    finally:
        current_locale.reset(token)
