"""Small workbooks written by the tests themselves: one dataset, several file formats.

``base_sheets()`` is a tiny but complete catalogue (2 Träger, 2 Einrichtungen, 3 Angebote, 1 Förderung) that
uses many tolerance rules at once: a title row, aliases in headers, an id given as a name, ``6 Monate``,
German money text, ``T.M.JJ`` dates, ``HF 3``, a Planungsraum as Ortsteil. Tests copy it and change one thing.
"""

from __future__ import annotations

import copy
import csv
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl import Workbook

Sheets = dict[str, list[list[Any]]]

TRAEGER_HEADER = ["Träger-ID", "Name", "Art", "Website", "E-Mail", "Telefon"]
EINRICHTUNG_HEADER = [
    "Einrichtungs-ID",
    "Name",
    "Träger-ID",
    "Art",
    "Beschreibung",
    "Straße",
    "PLZ",
    "Ortsteil",
    "Breitengrad",
    "Längengrad",
    "Barrierefrei",
    "Sprachen",
    "Status",
    "Nachfolger-ID",
    "Zuletzt geprüft",
]
ANGEBOT_HEADER = [
    "Angebots-ID",
    "Einrichtungs-ID",
    "Titel",
    "Beschreibung",
    "Zielgruppen",
    "Themen",
    "Handlungsfeld",
    "Ortsteil",
    "Alter von",
    "Alter bis",
    "Kosten",
    "Anmeldung",
    "Termine",
    "Gültig bis",
    "Status",
]
FOERDERUNG_HEADER = [
    "Förder-ID",
    "Jahr",
    "Projekt",
    "Träger-ID",
    "Handlungsfeld",
    "Fördersumme",
    "Eigenanteil",
    "Ortsteil",
    "Einrichtungs-ID",
    "Bewilligt am",
    "Laufzeit von",
    "Laufzeit bis",
]

_BASE: Sheets = {
    "Träger": [
        TRAEGER_HEADER,
        [
            "T-1",
            "Familienwerk Saaletal e.V.",
            "Verein",
            "www.familienwerk.example.org",
            "info@example.org",
            "03641 12-3456",
        ],
        ["T-2", "Stadtteilhilfe Süd gGmbH", "frei-gemeinnützig", "", "", ""],
    ],
    "Einrichtungen": [
        EINRICHTUNG_HEADER,
        [
            "E-1",
            "Familienzentrum Lobeda",
            "T-1",
            "Familienzentrum",
            "Erster Absatz über das Haus.\n\nZweiter Absatz mit Öffnungszeiten.",
            "Karl-Marx-Allee 9",
            "07747",
            "Lobeda-West",
            "50,8851",
            "11,6050",
            "teilweise: Aufzug im Nachbarhaus",
            "Deutsch; Arabisch",
            "aktiv",
            "",
            "01.03.2025",
        ],
        [
            "E-2",
            "Begegnungsstätte Löbstedt",
            "Stadtteilhilfe Süd gGmbH",
            "Begegnungsstätte",
            "",
            "Dorfstraße 3",
            "07743",
            "Löbstedt",
            "",
            "",
            "ja",
            "Deutsch",
            "",
            "",
            "",
        ],
    ],
    "Angebote": [
        ["Familienwegweiser – Angebote (Testdaten)"],
        [],
        ANGEBOT_HEADER,
        [
            "A-1",
            "E-1",
            "Krabbelgruppe",
            "Spielen und singen.",
            "Eltern mit Babys und Kleinkindern (0–3 J.)",
            "Begegnung; bildung",
            "HF 3",
            "",
            "6 Monate",
            "3",
            "kostenlos",
            "ja",
            "dienstags 9:30–11:00",
            "31.12.2030",
            "",
        ],
        [
            "A-2",
            "E-2",
            "Seniorentreff",
            "Kaffee und Kuchen für Ältere.",
            "senioren",
            "Begegnung und Freizeit",
            "6",
            "stadtweit",
            "60",
            "",
            "3,50 €",
            "nein",
            "",
            "",
            "aktiv",
        ],
        [],
        [
            "A-3",
            "Familienzentrum Lobeda",
            "Familiencafé",
            "",
            "Familien, Alleinerziehende",
            "",
            "Dialog der Generationen",
            "Winzerla; Burgau",
            "",
            "",
            "nach Einkommen",
            "x",
            "",
            "",
            "",
        ],
    ],
    "Förderungen": [
        FOERDERUNG_HEADER,
        [
            "LSZ-2024-001",
            "2024",
            "Familienbildung Lobeda",
            "T-1",
            "3",
            "12.500,00 €",
            "",
            "Lobeda",
            "E-1",
            "15.11.23",
            "1.1.24",
            "2024-12-31",
        ],
    ],
}


def base_sheets() -> Sheets:
    return copy.deepcopy(_BASE)


def row_of(sheets: Sheets, sheet: str, external_id: str) -> list[Any]:
    return next(r for r in sheets[sheet] if r and r[0] == external_id)


def set_cell(sheets: Sheets, sheet: str, external_id: str, column: str, value: Any) -> None:
    header = next(r for r in sheets[sheet] if r and column in r)
    row_of(sheets, sheet, external_id)[header.index(column)] = value


def spreadsheet_row(sheets: Sheets, sheet: str, external_id: str) -> int:
    """The row number a spreadsheet program shows for this id."""
    return next(i + 1 for i, r in enumerate(sheets[sheet]) if r and r[0] == external_id)


def write_xlsx(sheets: Sheets, path: Path) -> Path:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def _ods_cell(value: Any) -> TableCell:
    if isinstance(value, bool):
        cell = TableCell(valuetype="boolean", booleanvalue="true" if value else "false")
    elif isinstance(value, int | float):
        cell = TableCell(valuetype="float", value=value)
    elif isinstance(value, datetime | date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat())
    else:
        cell = TableCell(valuetype="string")
    if value not in (None, ""):
        for line in str(value).split("\n"):
            cell.addElement(P(text=line))
    return cell


def write_ods(sheets: Sheets, path: Path) -> Path:
    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            tr = TableRow()
            for value in row:
                tr.addElement(_ods_cell(value))
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


CSV_NAMES = {"Träger": "traeger", "Einrichtungen": "einrichtungen", "Angebote": "angebote"}
CSV_NAMES |= {"Förderungen": "foerderungen", "Ortsteile": "ortsteile"}


def write_csv_dir(
    sheets: Sheets,
    directory: Path,
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    name_style: str = "file",
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        file_name = CSV_NAMES[name] if name_style == "file" else name
        with (directory / f"{file_name}.csv").open("w", encoding=encoding, newline="") as handle:
            csv.writer(handle, delimiter=delimiter).writerows(
                ["" if v is None else v for v in row] for row in rows
            )
    return directory


def write_zip(directory: Path, path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(directory.iterdir()):
            archive.write(file, file.name)
    return path
