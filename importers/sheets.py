"""The workbook's sheets and columns: canonical headers, aliases, required columns, header location."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.catalogue.values import cell_text, fold_key


@dataclass(frozen=True)
class Column:
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def match_keys(self) -> set[str]:
        return {fold_key(self.header), *(fold_key(a) for a in self.aliases)}


@dataclass(frozen=True)
class SheetSpec:
    key: str
    title: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    required: bool = False

    def column_for(self, header: Any) -> Column | None:
        key = fold_key(cell_text(header))
        if not key:
            return None
        for column in self.columns:
            if key in column.match_keys():
                return column
        return None

    def names(self) -> set[str]:
        return {fold_key(self.title), fold_key(self.key), *(fold_key(a) for a in self.aliases)}


_COL_TELEFON = Column("Telefon", ("Tel.", "Tel", "Telefonnummer"))
_COL_EMAIL = Column("E-Mail", ("Mail", "Email"))
_COL_WEBSITE = Column("Website", ("Homepage", "Internet", "URL", "Webseite"))
_COL_BARRIEREFREI = Column("Barrierefrei", ("Barrierefreiheit", "rollstuhlgerecht"))
_COL_SPRACHEN = Column("Sprachen", ("Sprache",))
_COL_STATUS = Column("Status")
_COL_GEPRUEFT = Column("Zuletzt geprüft", ("Geprüft am", "Stand"))

TRAEGER = SheetSpec(
    "traeger",
    "Träger",
    (
        Column("Träger-ID", ("ID", "Traeger-Nr", "Träger-Nr"), required=True),
        Column("Name", ("Träger", "Trägername"), required=True),
        Column("Art", ("Trägerart", "Typ")),
        _COL_WEBSITE,
        _COL_EMAIL,
        _COL_TELEFON,
    ),
    required=True,
)
EINRICHTUNGEN = SheetSpec(
    "einrichtungen",
    "Einrichtungen",
    (
        Column("Einrichtungs-ID", ("ID",), required=True),
        Column("Name", ("Einrichtung", "Bezeichnung"), required=True),
        Column("Träger-ID", ("Träger",), required=True),
        Column("Art", ("Einrichtungsart", "Typ")),
        Column("Beschreibung", ("Kurzbeschreibung", "Text")),
        Column("Straße", ("Strasse", "Adresse", "Anschrift")),
        Column("PLZ", ("Postleitzahl",)),
        Column("Ort", ("Stadt",)),
        Column("Ortsteil", ("Stadtteil", "Stadtgebiet", "Sozialraum"), required=True),
        Column("Breitengrad", ("Lat", "Latitude", "Breite")),
        Column("Längengrad", ("Lon", "Lng", "Longitude", "Länge")),
        _COL_TELEFON,
        _COL_EMAIL,
        _COL_WEBSITE,
        Column("Öffnungszeiten", ("Sprechzeiten",)),
        _COL_BARRIEREFREI,
        _COL_SPRACHEN,
        _COL_STATUS,
        Column("Nachfolger-ID", ("Neue Einrichtung", "Nachfolger")),
        _COL_GEPRUEFT,
    ),
    aliases=("Einrichtung",),
    required=True,
)
ANGEBOTE = SheetSpec(
    "angebote",
    "Angebote",
    (
        Column("Angebots-ID", ("ID",), required=True),
        Column("Einrichtungs-ID", ("Einrichtung",), required=True),
        Column("Titel", ("Angebot", "Name", "Bezeichnung"), required=True),
        Column("Beschreibung", ("Kurzbeschreibung", "Text")),
        Column("Zielgruppen", ("Zielgruppe",), required=True),
        Column("Themen", ("Thema", "Kategorie", "Kategorien")),
        Column("Handlungsfeld", ("HF", "LSZ-Handlungsfeld")),
        Column("Ortsteil", ("Stadtteil", "Ortsteile")),
        Column("Alter von", ("Mindestalter", "Alter ab")),
        Column("Alter bis", ("Höchstalter",)),
        Column("Kosten", ("Gebühr", "Preis")),
        Column("Anmeldung", ("Anmeldung erforderlich",)),
        Column("Termine", ("Zeiten", "Wann")),
        _COL_SPRACHEN,
        _COL_BARRIEREFREI,
        Column("Gültig von", ("Beginn",)),
        Column("Gültig bis", ("Ende",)),
        _COL_STATUS,
        _COL_GEPRUEFT,
    ),
    aliases=("Angebot",),
)
FOERDERUNGEN = SheetSpec(
    "foerderungen",
    "Förderungen",
    (
        Column("Förder-ID", ("ID", "Antragsnummer"), required=True),
        Column("Jahr", ("Förderjahr",), required=True),
        Column("Projekt", ("Maßnahme", "Projekttitel"), required=True),
        Column("Träger-ID", ("Träger", "Zuwendungsempfänger"), required=True),
        Column("Handlungsfeld", ("HF",), required=True),
        Column("Fördersumme", ("Betrag", "Zuwendung", "Summe"), required=True),
        Column("Eigenanteil", ("Eigenmittel",)),
        Column("Ortsteil", ("Stadtteil", "Wirkungsraum")),
        Column("Einrichtungs-ID", ("Einrichtung",)),
        Column("Bewilligt am", ("Bescheid vom",)),
        Column("Laufzeit von", ("Beginn",)),
        Column("Laufzeit bis", ("Ende",)),
        Column("Beschreibung", ("Kurzbeschreibung",)),
        Column("Angebots-IDs", ("Angebote", "Angebots-ID")),
    ),
    aliases=("Förderung", "LSZ-Förderungen"),
)
ORTSTEILE = SheetSpec(
    "ortsteile",
    "Ortsteile",
    (
        Column("Ortsteil", required=True),
        Column("Planungsraum", required=True),
        Column("Aliase", ("Alias", "Aliasse")),
    ),
)
SHEETS: tuple[SheetSpec, ...] = (TRAEGER, EINRICHTUNGEN, ANGEBOTE, FOERDERUNGEN, ORTSTEILE)
HEADER_SEARCH_ROWS = 30


def sheet_spec_for(name: str) -> SheetSpec | None:
    key = fold_key(name)
    return next((spec for spec in SHEETS if key in spec.names()), None)


def locate_header(spec: SheetSpec, rows: Sequence[Sequence[Any]]) -> int | None:
    """Index of the first row naming at least two known columns (title rows and logos above are skipped)."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        known = {c.header for cell in row if (c := spec.column_for(cell)) is not None}
        if len(known) >= 2:
            return index
    return None
