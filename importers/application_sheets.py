"""The funding-cycle sheets (spreadsheet-format.md: Förderjahre, Kriterien, Anträge, Bewertungen) and their
cell parsers (weights and points); the other value parsers are the catalogue's."""

from __future__ import annotations

import re
from typing import Any

from app.catalogue.values import ParseError, cell_text, fold_key, parse_decimal, single_line
from importers.sheets import Column, SheetSpec

FOERDERJAHRE = SheetSpec(
    "foerderjahre",
    "Förderjahre",
    (
        Column("Förderjahr", ("Jahr",), required=True),
        Column("Budget", ("Fördervolumen", "Budget (€)"), required=True),
    ),
    aliases=("Förderjahr", "Budget", "Budgets"),
)
KRITERIEN = SheetSpec(
    "kriterien",
    "Kriterien",
    (
        Column("Kriterium-ID", ("ID", "Kriteriums-ID", "Nr"), required=True),
        Column("Kriterium", ("Bezeichnung", "Name"), required=True),
        Column("Gewicht", ("Gewichtung", "Gewicht (%)", "Anteil"), required=True),
        Column("Beschreibung", ("Erläuterung",)),
        Column("Förderjahr", ("Jahr",)),
    ),
    aliases=("Kriterium", "Bewertungsmatrix", "Bewertungskriterien"),
)
ANTRAEGE = SheetSpec(
    "antraege",
    "Anträge",
    (
        Column("Antrags-ID", ("ID", "Antragsnummer", "Antrags-Nr"), required=True),
        Column("Förderjahr", ("Jahr",), required=True),
        Column("Träger-ID", ("Träger", "Antragsteller"), required=True),
        Column("Projekttitel", ("Projekt", "Titel", "Maßnahme"), required=True),
        Column("Handlungsfeld", ("HF", "LSZ-Handlungsfeld"), required=True),
        Column("Ortsteile", ("Ortsteil", "Stadtteil", "Wirkungsraum")),
        Column("Zielgruppen", ("Zielgruppe",)),
        Column("Beantragte Summe", ("Summe", "Betrag", "Fördersumme", "Antragssumme"), required=True),
        Column("Art", ("Projektart",)),
        Column("Kurzbeschreibung", ("Beschreibung",)),
        Column("Eingang", ("Eingegangen am", "Datum", "Eingangsdatum")),
        Column("Status", ("Antragsstatus",)),
    ),
    aliases=("Antrag", "Projektanträge", "Projektantrag"),
)
BEWERTUNGEN = SheetSpec(
    "bewertungen",
    "Bewertungen",
    (
        Column("Antrags-ID", ("Antrag", "Antragsnummer"), required=True),
        Column("Kriterium-ID", ("Kriterium",), required=True),
        Column("Prüfer", ("Prüferin", "Gutachter", "Bewerter", "Reviewer"), required=True),
        Column("Punkte", ("Punktzahl", "Bewertung"), required=True),
        Column("Begründung", ("Kommentar", "Anmerkung")),
    ),
    aliases=("Bewertung", "Punkte"),
)
APPLICATION_SHEETS: tuple[SheetSpec, ...] = (FOERDERJAHRE, KRITERIEN, ANTRAEGE, BEWERTUNGEN)


def sheet_spec_for(name: str) -> SheetSpec | None:
    key = fold_key(name)
    return next((spec for spec in APPLICATION_SHEETS if key in spec.names()), None)


_PERCENT = re.compile(r"\s*(%|prozent|v\.\s*h\.)\s*$", re.IGNORECASE)


def parse_weight(value: Any) -> float | None:
    """A weight in percent: ``25 %``, ``25``, ``0,25`` (a fraction) or a percent-formatted cell."""
    if isinstance(value, bool):
        raise ParseError("Ein Wahrheitswert ist kein Gewicht; erwartet z. B. 25 %.")
    if isinstance(value, int | float):
        number = float(value)
        percent = number * 100 if 0 < number <= 1 else number  # Excel stores 25 % as 0.25
    else:
        text = single_line(value)
        if not text:
            return None
        has_sign = bool(_PERCENT.search(text))
        try:
            amount = parse_decimal(_PERCENT.sub("", text).strip(), what="Gewicht")
        except ParseError:
            raise ParseError(f"„{text}“ ist kein Gewicht; erwartet z. B. 25 %.") from None
        if amount is None:
            raise ParseError(f"„{text}“ ist kein Gewicht; erwartet z. B. 25 %.")
        number = float(amount)
        percent = number if has_sign or number >= 1 else number * 100
    if not 0 < percent <= 100:
        raise ParseError(f"Das Gewicht „{cell_text(value)}“ liegt nicht zwischen 0 und 100 %.")
    return round(percent, 4)


def format_weight(percent: float) -> str:
    text = f"{percent:.4f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')} %"


_POINTS_WORD = re.compile(r"\s*(punkte?|pkt\.?|p\.?)\s*$", re.IGNORECASE)


def parse_points(value: Any) -> int | None:
    """0–5 whole points, as a number or a text cell (``4``, ``4 Punkte``)."""
    if isinstance(value, bool):
        raise ParseError("Ein Wahrheitswert ist keine Punktzahl (0–5).")
    if isinstance(value, str):
        value = _POINTS_WORD.sub("", single_line(value))
        if not value:
            return None
    try:
        number = parse_decimal(value, what="Punktzahl")
    except ParseError:
        raise ParseError(
            f"„{cell_text(value)}“ ist keine Punktzahl; erlaubt sind 0, 1, 2, 3, 4 oder 5."
        ) from None
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ParseError(
            f"„{cell_text(value)}“ ist keine ganze Punktzahl; erlaubt sind 0, 1, 2, 3, 4 oder 5."
        )
    if not 0 <= number <= 5:
        raise ParseError(f"{cell_text(value)} Punkte liegen außerhalb von 0–5.")
    return int(number)
