"""A small funding cycle on top of ``builders.base_sheets()``: one year, three criteria, four applications."""

from __future__ import annotations

from tests.importers.builders import Sheets, base_sheets

ANTRAG_HEADER = [
    "Antrags-ID",
    "Jahr",  # alias of Förderjahr
    "Antragsteller",  # alias of Träger-ID
    "Projekttitel",
    "HF",
    "Ortsteile",
    "Zielgruppen",
    "Summe",
    "Art",
    "Kurzbeschreibung",
    "Eingegangen am",
    "Status",
]


def funding_sheets() -> Sheets:
    sheets = base_sheets()
    sheets["Förderjahre"] = [["Förderjahr", "Fördervolumen"], [2027, "25.000,00 €"]]
    sheets["Kriterien"] = [
        ["Bewertungsmatrix 2027"],
        ["Kriterium-ID", "Bezeichnung", "Gewicht", "Beschreibung"],
        ["K1", "Bezug zur Fachplanung", "50 %", "0 = kein Bezug … 5 = zentral"],
        ["K2", "Ungedeckter Bedarf", "30", ""],
        ["K3", "Vernetzung", 0.2, None],
    ]
    sheets["Anträge"] = [
        ANTRAG_HEADER,
        ["AN-2027-001", 2027, "T-1", "Elterncafé Lobeda", "HF 3", "Lobeda", "Familien; alleinerziehende",
         "12.000,00 €", "Pilot", "Ein Café.", "01.09.2026", "in Prüfung"],
        ["AN-2027-002", "2027", "Stadtteilhilfe Süd gGmbH", "Seniorentreff Löbstedt", 6, "Löbstedt",
         "Senioren", 15000, "Fortsetzung", "", "2026-09-02", ""],
        ["AN-2027-003", 2027, "T-2", "Lernpaten Winzerla", "3", "Winzerla", "Kinder (3–12 J.)",
         "9.000", "neu", "", "3.9.26", "zurückgezogen"],
        ["AN-2027-004", 2027, "T-1", "Familienbildung digital", "4", "stadtweit", "familien",
         "8 000", "neu", "", "", "eingegangen"],
    ]  # fmt: skip
    points: dict[str, dict[str, tuple[object, ...]]] = {
        "AN-2027-001": {"K1": (4, "4", 5), "K2": (3, 3.0, 4), "K3": (2, "2 Punkte", 3)},
        "AN-2027-002": {"K1": (5, 5, 5), "K2": (1, 4, 2), "K3": (3, 3, 3)},
        "AN-2027-003": {"K1": (5, 5, 5), "K2": (5, 5, 5), "K3": (5, 5, 5)},
        "AN-2027-004": {"K1": (2, 2, 2), "K2": (2, 2, 2)},  # K3 nobody scored: not ranked
    }
    rows: list[list[object]] = [["Antrags-ID", "Kriterium-ID", "Prüfer", "Punkte", "Begründung"]]
    for antrag, per_criterion in points.items():
        for kriterium, given in per_criterion.items():
            for reviewer, p in zip(("FD Soziales", "FD Jugend", "mk@example.org"), given, strict=True):
                rows.append([antrag, kriterium, reviewer, p, "" if p != 1 else "Bedarf nicht belegt"])
    sheets["Bewertungen"] = rows
    return sheets
