"""Turn raw sheets into canonical records – every problem becomes a located :class:`Issue`.

A record's ``values`` are JSON-able (dates as ISO text, references as workbook ids, link sets as sorted code
lists). The same shape is built from the database (``importers.state``), so a sync is a plain dict comparison
and the values can be stored as import provenance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.catalogue import values as c
from app.catalogue import vocab
from app.catalogue.districts import DistrictMatch, DistrictResolver, OrtsteilInfo
from app.catalogue.text import fold_key
from importers import application_sheets, sheets
from importers.geo import nearest_ortsteil
from importers.report import Issue
from importers.state import TABLES, table
from importers.workbook import RawSheet, RawWorkbook, UnreadableWorkbook

# Canonical fields per kind and the workbook column each comes from (for messages and diffs).
FIELD_COLUMNS: dict[str, dict[str, str]] = {
    "traeger": {"name": "Name", "art": "Art", "website": "Website", "email": "E-Mail", "telefon": "Telefon"},
    "einrichtungen": {
        "traeger": "Träger-ID",
        "name": "Name",
        "art": "Art",
        "beschreibung": "Beschreibung",
        "strasse": "Straße",
        "plz": "PLZ",
        "ort": "Ort",
        "ortsteil": "Ortsteil",
        "lat": "Breitengrad",
        "lon": "Längengrad",
        "telefon": "Telefon",
        "email": "E-Mail",
        "website": "Website",
        "oeffnungszeiten": "Öffnungszeiten",
        "barrierefrei": "Barrierefrei",
        "barrierefrei_hinweis": "Barrierefrei",
        "sprachen": "Sprachen",
        "status": "Status",
        "nachfolger": "Nachfolger-ID",
        "verified_at": "Zuletzt geprüft",
    },
    "angebote": {
        "einrichtung": "Einrichtungs-ID",
        "titel": "Titel",
        "beschreibung": "Beschreibung",
        "zielgruppen": "Zielgruppen",
        "themen": "Themen",
        "handlungsfeld_number": "Handlungsfeld",
        "ortsteile": "Ortsteil",
        "stadtweit": "Ortsteil",
        "alter_von": "Alter von",
        "alter_bis": "Alter bis",
        "kosten_art": "Kosten",
        "kosten_cents": "Kosten",
        "kosten_text": "Kosten",
        "anmeldung": "Anmeldung",
        "termine": "Termine",
        "sprachen": "Sprachen",
        "barrierefrei": "Barrierefrei",
        "barrierefrei_hinweis": "Barrierefrei",
        "gueltig_von": "Gültig von",
        "gueltig_bis": "Gültig bis",
        "status": "Status",
        "verified_at": "Zuletzt geprüft",
    },
    "foerderungen": {
        "traeger": "Träger-ID",
        "jahr": "Jahr",
        "projekt": "Projekt",
        "handlungsfeld_number": "Handlungsfeld",
        "betrag_cents": "Fördersumme",
        "eigenanteil_cents": "Eigenanteil",
        "ortsteile": "Ortsteil",
        "stadtweit": "Ortsteil",
        "einrichtung": "Einrichtungs-ID",
        "bewilligt_am": "Bewilligt am",
        "laufzeit_von": "Laufzeit von",
        "laufzeit_bis": "Laufzeit bis",
        "beschreibung": "Beschreibung",
        "angebote": "Angebots-IDs",
    },
}
ID_COLUMNS = {
    "traeger": "Träger-ID",
    "einrichtungen": "Einrichtungs-ID",
    "angebote": "Angebots-ID",
    "foerderungen": "Förder-ID",
}
# What a reference names → the sheet it must exist in (for the error message).
REFERENCED_SHEETS = {"Träger": "Träger", "Einrichtung": "Einrichtungen"}


@dataclass
class Record:
    kind: str
    external_id: str
    sheet: str
    row: int
    values: dict[str, Any]


@dataclass
class OrtsteilUpdate:
    slug: str
    planungsraum: str
    aliases: list[str]
    sheet: str
    row: int


@dataclass
class TableRows:
    """One recognised sheet: its name in the file and its data rows (row number, column → raw cell)."""

    sheet: str
    header_row: int
    rows: list[tuple[int, dict[str, Any]]]
    columns: set[str] = field(default_factory=set)


@dataclass
class ParsedWorkbook:
    resolver: DistrictResolver
    records: dict[str, dict[str, Record]] = field(default_factory=dict)
    ortsteile: dict[str, OrtsteilUpdate] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)  # kinds whose sheet is in the workbook
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    tables: dict[str, TableRows] = field(default_factory=dict)  # recognised sheets
    expired: int = 0  # offers past „Gültig bis“ on the reference date (kept, but not shown publicly)
    # (parser, type, cell) → (ok, value or message): vocabulary cells repeat thousands of times.
    cache: dict[tuple[Any, type, Any], tuple[bool, Any]] = field(default_factory=dict)

    def parse_districts(self, value: Any) -> DistrictMatch | None:
        return c.parse_districts(value, self.resolver)

    @property
    def row_count(self) -> int:
        return sum(len(r) for r in self.records.values())


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


class RowReader:
    """Reads the cells of one row through parsers, turning ParseErrors into located issues."""

    def __init__(self, parsed: ParsedWorkbook, table: TableRows, number: int, cells: dict[str, Any]) -> None:
        self.parsed, self.sheet, self.number, self.cells = parsed, table.sheet, number, cells
        self.columns = table.columns
        self.failed = False

    def raw(self, column: str) -> Any:
        return self.cells.get(column)

    def get(self, column: str, parser: Callable[[Any], Any], *, required: bool = False) -> Any:
        raw = self.cells.get(column)
        if c.is_empty(raw):
            if required and column in self.columns:  # a missing column is reported once, not per row
                self.error(column, f"„{column}“ ist ein Pflichtfeld – bitte ausfüllen.")
            return None
        cacheable = parser in CACHEABLE or getattr(parser, "__self__", None) is self.parsed
        key = (parser, type(raw), raw)
        cached = self.parsed.cache.get(key) if cacheable else None
        if cached is None:
            try:
                cached = (True, parser(raw))
            except c.ParseError as exc:
                cached = (False, str(exc))
            if cacheable:
                self.parsed.cache[key] = cached
        ok, result = cached
        if not ok:
            self.error(column, result)
            return None
        return result

    def error(self, column: str | None, message: str, value: Any = None) -> None:
        self.failed = True
        shown = value if value is not None else (self.cells.get(column) if column else None)
        self.parsed.errors.append(Issue(self.sheet, self.number, column, _shown(shown), message))

    def warn(self, column: str | None, message: str) -> None:
        raw = self.cells.get(column) if column else None
        self.parsed.warnings.append(Issue(self.sheet, self.number, column, _shown(raw), message))


def _shown(value: Any) -> str | None:
    text = c.cell_text(value)
    return text if text else None


CACHEABLE: set[Callable[[Any], Any]] = {
    c.parse_zielgruppen,
    c.parse_themen,
    c.parse_handlungsfeld,
    c.parse_status,
    c.parse_traegerart,
    c.parse_einrichtungsart,
    c.parse_sprachen,
    c.parse_barrierefrei,
    c.parse_kosten,
    c.parse_bool,
    c.parse_age,
    c.parse_date,
    c.parse_money_cents,
    c.parse_plz,
    c.parse_year,
}


# --- reading sheets -----------------------------------------------------------------------------------------


def tables_of(workbook: RawWorkbook, parsed: ParsedWorkbook) -> dict[str, TableRows]:
    """Recognise sheets, locate header rows, map columns; warn about unknown sheets and columns."""
    if all(c.is_empty(cell) for sheet in workbook.sheets for row in sheet.rows for cell in row):
        raise UnreadableWorkbook("Die Arbeitsmappe ist leer – sie enthält keine einzige ausgefüllte Zelle.")
    tables: dict[str, TableRows] = {}
    seen: set[str] = set()
    for sheet in workbook.sheets:
        spec = sheets.sheet_spec_for(sheet.name) or application_sheets.sheet_spec_for(sheet.name)
        if spec is None:
            if any(not c.is_empty(cell) for row in sheet.rows for cell in row):
                parsed.warnings.append(
                    Issue(
                        sheet.name, None, None, None, "Unbekanntes Tabellenblatt – es wurde nicht eingelesen."
                    )
                )
            continue
        if spec.key in seen:
            parsed.warnings.append(
                Issue(sheet.name, None, None, None, f"Zweites Blatt „{spec.title}“ – es wurde ignoriert.")
            )
            continue
        seen.add(spec.key)
        table = _read_table(sheet, spec, parsed)
        if table is not None:
            tables[spec.key] = table
    missing = [spec.title for spec in sheets.SHEETS if spec.required and spec.key not in seen]
    if missing:
        found = ", ".join(f"„{s.name}“" for s in workbook.sheets) or "keine"
        raise UnreadableWorkbook(
            f"Das Pflicht-Tabellenblatt „{' und '.join(missing)}“ fehlt (gefunden: {found}). "
            "Die Blätter heißen "
            "Träger, Einrichtungen, Angebote, Förderungen und Ortsteile; CSV-Dateien werden nach ihrem "
            "Dateinamen zugeordnet (z. B. traeger.csv)."
        )
    return tables


def _read_table(sheet: RawSheet, spec: sheets.SheetSpec, parsed: ParsedWorkbook) -> TableRows | None:
    header_index = sheets.locate_header(spec, sheet.rows)
    if header_index is None:
        expected = ", ".join(col.header for col in spec.columns if col.required)
        parsed.errors.append(
            Issue(
                sheet.name,
                None,
                None,
                None,
                f"Keine Kopfzeile gefunden: in den ersten {sheets.HEADER_SEARCH_ROWS} Zeilen nennt keine "
                "Zeile "
                f"mindestens zwei bekannte Spalten (erwartet u. a.: {expected}).",
            )
        )
        return None
    header_row = header_index + 1
    mapping: dict[int, str] = {}
    for index, cell in enumerate(sheet.rows[header_index]):
        if c.is_empty(cell):
            continue
        column = spec.column_for(cell)
        if column is None:
            parsed.warnings.append(
                Issue(
                    sheet.name,
                    header_row,
                    c.single_line(cell),
                    None,
                    f"Unbekannte Spalte „{c.single_line(cell)}“ – ihre Werte wurden nicht übernommen.",
                )
            )
        elif column.header in mapping.values():
            parsed.warnings.append(
                Issue(
                    sheet.name,
                    header_row,
                    column.header,
                    c.single_line(cell),
                    f"Spalte „{column.header}“ kommt doppelt vor – nur die erste wurde übernommen.",
                )
            )
        else:
            mapping[index] = column.header
    for column in spec.columns:
        if column.required and column.header not in mapping.values():
            parsed.errors.append(
                Issue(
                    sheet.name,
                    header_row,
                    column.header,
                    None,
                    f"Die Pflichtspalte „{column.header}“ fehlt in der Kopfzeile"
                    + (f" (auch erkannt als: {', '.join(column.aliases)})." if column.aliases else "."),
                )
            )
    rows: list[tuple[int, dict[str, Any]]] = []
    for offset, raw_row in enumerate(sheet.rows[header_index + 1 :]):
        cells = {name: raw_row[i] for i, name in mapping.items() if i < len(raw_row)}
        if all(c.is_empty(v) for v in cells.values()):
            continue  # blank rows inside the data are fine
        rows.append((header_row + 1 + offset, cells))
    return TableRows(sheet.name, header_row, rows, set(mapping.values()))


# --- the sheets ---------------------------------------------------------------------------------------------


def parse_workbook(
    workbook: RawWorkbook,
    *,
    ortsteile: Iterable[OrtsteilInfo],
    planungsraeume: Iterable[tuple[str, str]],
    as_of: date,
    progress: Callable[[str, int, int], None] | None = None,
    known_offers: Iterable[str] = (),
) -> ParsedWorkbook:
    """Validate every row; ``progress(description, rows done, rows total)`` is called every 1,000 rows."""
    base = list(ortsteile)
    raeume = list(planungsraeume)
    parsed = ParsedWorkbook(resolver=DistrictResolver(base, raeume))
    tables = tables_of(workbook, parsed)
    parsed.tables = tables
    parsed.present = {key for key in tables if key != "ortsteile"}
    if "ortsteile" in tables:
        _parse_ortsteile(tables["ortsteile"], parsed, base, raeume)
    total = sum(len(t.rows) for t in tables.values())
    done = 0
    for kind, parse_row in (
        ("traeger", _traeger),
        ("einrichtungen", _einrichtung),
        ("angebote", _angebot),
        ("foerderungen", _foerderung),
    ):
        parsed.records[kind] = {}
        table = tables.get(kind)
        if table is None:
            continue
        first_row: dict[str, int] = {}
        for number, cells in table.rows:
            done += 1
            if progress is not None and done % 1000 == 0:
                progress(f"Prüfen: {table.sheet}", done, total)
            reader = RowReader(parsed, table, number, cells)
            external_id = reader.get(ID_COLUMNS[kind], c.parse_external_id, required=True)
            values = parse_row(reader, parsed, as_of)
            _check_lengths(reader, kind, values)
            if external_id is None:
                continue
            if external_id in first_row:
                reader.error(
                    ID_COLUMNS[kind],
                    f"Die ID „{external_id}“ kommt doppelt vor (schon in Zeile {first_row[external_id]}) – "
                    "jede Zeile braucht eine eigene ID.",
                )
                continue
            first_row[external_id] = number
            parsed.records[kind][external_id] = Record(kind, external_id, table.sheet, number, values)
    _check_references(parsed, known_offers)
    return parsed


def _max_lengths(kind: str) -> dict[str, int]:
    """Length limits of the text columns (PostgreSQL enforces them; a too-long cell must be a row error)."""
    columns = table(TABLES[kind]).c
    return {
        name: length
        for name in FIELD_COLUMNS[kind]
        if name in columns and (length := getattr(columns[name].type, "length", None))
    }


MAX_LENGTHS = {kind: _max_lengths(kind) for kind in FIELD_COLUMNS}


def _check_lengths(r: RowReader, kind: str, values: dict[str, Any]) -> None:
    for name, limit in MAX_LENGTHS[kind].items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            column = FIELD_COLUMNS[kind][name]
            r.error(
                column, f"„{column}“ ist zu lang ({len(value)} Zeichen, höchstens {limit}) – bitte kürzen."
            )
            values[name] = None


def _parse_ortsteile(
    table: TableRows, parsed: ParsedWorkbook, base: list[OrtsteilInfo], raeume: list[tuple[str, str]]
) -> None:
    by_key = {fold_key(o.name): o for o in base} | {fold_key(o.slug): o for o in base}
    raum_keys: dict[str, str] = {}
    for raum_code, raum_name in raeume:
        for variant in (raum_code, raum_name, f"Planungsraum {raum_name}"):
            raum_keys[fold_key(variant)] = raum_code
    defaults = {o.slug: o.aliases for o in vocab.ORTSTEILE}
    for number, cells in table.rows:
        reader = RowReader(parsed, table, number, cells)
        name = reader.get("Ortsteil", c.parse_line, required=True)
        raum = reader.get("Planungsraum", c.parse_line, required=True)
        info = by_key.get(fold_key(name)) if name else None
        if name and info is None:
            suggestions = parsed.resolver.suggest(name)
            hint = f" – meinten Sie {', '.join(suggestions)}?" if suggestions else ""
            reader.error("Ortsteil", f"„{name}“ ist keiner der 30 Ortsteile Jenas{hint}")
        code: str | None = raum_keys.get(fold_key(raum)) if raum else None
        if raum and code is None:
            allowed = ", ".join(n for _c, n in raeume)
            reader.error("Planungsraum", f"Unbekannter Planungsraum „{raum}“; erlaubt: {allowed}.")
        if info is None or code is None:
            continue
        if info.slug in parsed.ortsteile:
            reader.error("Ortsteil", f"Der Ortsteil „{info.name}“ steht doppelt im Blatt.")
            continue
        aliases = list(defaults.get(info.slug, ()))
        aliases += [a for a in c.split_multi(cells.get("Aliase"), commas=False) if a not in aliases]
        parsed.ortsteile[info.slug] = OrtsteilUpdate(info.slug, code, aliases, table.sheet, number)
    if not parsed.errors:
        updated = [
            OrtsteilInfo(
                o.slug,
                o.name,
                parsed.ortsteile[o.slug].planungsraum if o.slug in parsed.ortsteile else o.planungsraum,
                tuple(parsed.ortsteile[o.slug].aliases) if o.slug in parsed.ortsteile else o.aliases,
            )
            for o in base
        ]
        parsed.resolver = DistrictResolver(updated, raeume)


def _traeger(r: RowReader, parsed: ParsedWorkbook, as_of: date) -> dict[str, Any]:
    return {
        "name": r.get("Name", c.parse_line, required=True),
        "art": r.get("Art", c.parse_traegerart),
        "website": r.get("Website", c.parse_url),
        "email": r.get("E-Mail", c.parse_email),
        "telefon": r.get("Telefon", c.parse_phone),
    }


def _einrichtung(r: RowReader, parsed: ParsedWorkbook, as_of: date) -> dict[str, Any]:
    art = r.get("Art", c.parse_einrichtungsart)
    if art is None and not c.is_empty(r.raw("Art")):
        r.warn("Art", "Unbekannte Einrichtungsart – gespeichert als „Sonstige“.")
    barrierefrei, hinweis = r.get("Barrierefrei", c.parse_barrierefrei) or (None, None)
    lat = r.get("Breitengrad", c.parse_float)
    lon = r.get("Längengrad", c.parse_float)
    lat, lon = _check_coordinates(r, lat, lon)
    plz = r.get("PLZ", c.parse_plz)
    if plz is not None and not vocab.PLZ_RANGE[0] <= int(plz) <= vocab.PLZ_RANGE[1]:
        r.warn("PLZ", f"Die PLZ {plz} liegt nicht in Jena (07743–07751) – bitte prüfen.")
    status = r.get("Status", c.parse_status) or vocab.Status.aktiv.value
    nachfolger = r.get("Nachfolger-ID", c.parse_external_id)
    if status == vocab.Status.umgezogen and nachfolger is None:
        r.warn("Nachfolger-ID", "Status „umgezogen“ ohne Nachfolger-ID – Familien erfahren nicht, wohin.")
    return {
        "traeger": r.get("Träger-ID", c.parse_line, required=True),
        "name": r.get("Name", c.parse_line, required=True),
        "art": art or "sonstige",
        "beschreibung": r.get("Beschreibung", c.parse_text),
        "strasse": r.get("Straße", c.parse_line),
        "plz": plz,
        "ort": r.get("Ort", c.parse_line) or "Jena",
        "ortsteil": _single_ortsteil(r, lat, lon),
        "lat": lat,
        "lon": lon,
        "telefon": r.get("Telefon", c.parse_phone),
        "email": r.get("E-Mail", c.parse_email),
        "website": r.get("Website", c.parse_url),
        "oeffnungszeiten": r.get("Öffnungszeiten", c.parse_text),
        "barrierefrei": barrierefrei,
        "barrierefrei_hinweis": hinweis,
        "sprachen": r.get("Sprachen", c.parse_sprachen) or [],
        "status": status,
        "nachfolger": nachfolger,
        "verified_at": _verified(r, as_of),
    }


def _verified(r: RowReader, as_of: date) -> str | None:
    verified = r.get("Zuletzt geprüft", c.parse_date)
    if verified is not None and verified > as_of:
        r.warn(
            "Zuletzt geprüft",
            f"„Zuletzt geprüft“ liegt nach dem Stichtag {c.format_date(as_of)} – Tippfehler?",
        )
    return _iso(verified)


def _check_coordinates(
    r: RowReader, lat: float | None, lon: float | None
) -> tuple[float | None, float | None]:
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        r.error(
            "Breitengrad" if lat is None else "Längengrad",
            "Bitte Breiten- und Längengrad angeben (oder keinen).",
        )
        return None, None
    (lat_min, lat_max), (lon_min, lon_max) = vocab.LAT_RANGE, vocab.LON_RANGE
    if lat_min <= lat <= lat_max and lon_min <= lon <= lon_max:
        return lat, lon
    if lat_min <= lon <= lat_max and lon_min <= lat <= lon_max:
        r.error("Breitengrad", "Breiten- und Längengrad sind vertauscht (Jena: Breite ≈ 50,9, Länge ≈ 11,6).")
    else:
        r.error(
            "Breitengrad", f"Die Koordinaten {lat}, {lon} liegen nicht in Jena (Breite ≈ 50,9, Länge ≈ 11,6)."
        )
    return None, None


def _single_ortsteil(r: RowReader, lat: float | None, lon: float | None) -> str | None:
    match = r.get("Ortsteil", r.parsed.parse_districts, required=True)
    if match is None:
        return None
    if match.stadtweit or not match.ortsteile:
        r.error("Ortsteil", "Eine Einrichtung liegt in genau einem Ortsteil – „stadtweit“ geht hier nicht.")
        return None
    if len(match.ortsteile) == 1:
        return match.ortsteile[0]
    if lat is not None and lon is not None:
        return nearest_ortsteil(lat, lon, match.ortsteile)
    names = ", ".join(r.parsed.resolver.name_of(s) for s in match.ortsteile)
    r.error("Ortsteil", f"Mehrdeutig ({names}) – bitte einen Ortsteil nennen oder Koordinaten angeben.")
    return None


def _districts(r: RowReader) -> tuple[list[str], bool]:
    match = r.get("Ortsteil", r.parsed.parse_districts)
    if match is None:
        return [], False
    return sorted(match.ortsteile), match.stadtweit


def _date_range(r: RowReader, start_col: str, end_col: str) -> tuple[date | None, date | None]:
    start = r.get(start_col, c.parse_date)
    end = r.get(end_col, c.parse_date)
    if start and end and start > end:
        r.error(
            end_col, f"„{end_col}“ ({c.format_date(end)}) liegt vor „{start_col}“ ({c.format_date(start)})."
        )
    return start, end


def _angebot(r: RowReader, parsed: ParsedWorkbook, as_of: date) -> dict[str, Any]:
    zielgruppen = r.get("Zielgruppen", c.parse_zielgruppen, required=True)
    ortsteile, stadtweit = _districts(r)
    alter_von = r.get("Alter von", c.parse_age)
    alter_bis = r.get("Alter bis", c.parse_age)
    if alter_von is not None and alter_bis is not None and alter_von > alter_bis:
        r.error("Alter bis", f"„Alter bis“ ({c.format_age(alter_bis, 'de')}) ist kleiner als „Alter von“.")
    kosten = r.get("Kosten", c.parse_kosten) or c.Kosten(None)
    barrierefrei, hinweis = r.get("Barrierefrei", c.parse_barrierefrei) or (None, None)
    von, bis = _date_range(r, "Gültig von", "Gültig bis")
    if bis is not None and bis < as_of:
        parsed.expired += 1
    sprachen = r.get("Sprachen", c.parse_sprachen)
    return {
        "einrichtung": r.get("Einrichtungs-ID", c.parse_line, required=True),
        "titel": r.get("Titel", c.parse_line, required=True),
        "beschreibung": r.get("Beschreibung", c.parse_text),
        "zielgruppen": sorted(zielgruppen or []),
        "themen": sorted(r.get("Themen", c.parse_themen) or []),
        "handlungsfeld_number": r.get("Handlungsfeld", c.parse_handlungsfeld),
        "ortsteile": ortsteile,
        "stadtweit": stadtweit,
        "alter_von": alter_von,
        "alter_bis": alter_bis,
        "kosten_art": kosten.art,
        "kosten_cents": kosten.cents,
        "kosten_text": kosten.text,
        "anmeldung": r.get("Anmeldung", c.parse_bool),
        "termine": r.get("Termine", c.parse_text),
        "sprachen": sprachen or None,
        "barrierefrei": barrierefrei,
        "barrierefrei_hinweis": hinweis,
        "gueltig_von": _iso(von),
        "gueltig_bis": _iso(bis),
        "status": r.get("Status", c.parse_status) or vocab.Status.aktiv.value,
        "verified_at": _verified(r, as_of),
    }


def _foerderung(r: RowReader, parsed: ParsedWorkbook, as_of: date) -> dict[str, Any]:
    ortsteile, stadtweit = _districts(r)
    von, bis = _date_range(r, "Laufzeit von", "Laufzeit bis")
    return {
        "traeger": r.get("Träger-ID", c.parse_line, required=True),
        "jahr": r.get("Jahr", c.parse_year, required=True),
        "projekt": r.get("Projekt", c.parse_line, required=True),
        "handlungsfeld_number": r.get("Handlungsfeld", c.parse_handlungsfeld, required=True),
        "betrag_cents": r.get("Fördersumme", c.parse_money_cents, required=True),
        "eigenanteil_cents": r.get("Eigenanteil", c.parse_money_cents),
        "ortsteile": ortsteile,
        "stadtweit": stadtweit,
        "einrichtung": r.get("Einrichtungs-ID", c.parse_line),
        "bewilligt_am": _iso(r.get("Bewilligt am", c.parse_date)),
        "laufzeit_von": _iso(von),
        "laufzeit_bis": _iso(bis),
        "beschreibung": r.get("Beschreibung", c.parse_text),
        # Optional column: without it the links stay as they are (they may have been set online).
        **(
            {"angebote": sorted(r.get("Angebots-IDs", c.parse_id_list) or [])}
            if "Angebots-IDs" in r.columns
            else {}
        ),
    }


# --- references between sheets ------------------------------------------------------------------------------


def _check_references(parsed: ParsedWorkbook, known_offers: Iterable[str] = ()) -> None:
    traeger = parsed.records["traeger"]
    einrichtungen = parsed.records["einrichtungen"]
    traeger_names = {fold_key(r.values["name"] or ""): r.external_id for r in traeger.values()}
    einrichtung_names = {fold_key(r.values["name"] or ""): r.external_id for r in einrichtungen.values()}

    def resolve(
        record: Record, fieldname: str, ids: dict[str, Record], names: dict[str, str], what: str
    ) -> None:
        ref = record.values.get(fieldname)
        if ref is None or ref in ids:
            return
        by_name = names.get(fold_key(ref))
        if by_name is not None:
            record.values[fieldname] = by_name
            return
        column = FIELD_COLUMNS[record.kind][fieldname]
        parsed.errors.append(
            Issue(
                record.sheet,
                record.row,
                column,
                ref,
                f"{what} „{ref}“ gibt es nicht im Blatt „{REFERENCED_SHEETS[what]}“ – "
                "bitte eine vorhandene ID "
                "oder den genauen Namen eintragen.",
            )
        )

    for record in einrichtungen.values():
        resolve(record, "traeger", traeger, traeger_names, "Träger")
        resolve(record, "nachfolger", einrichtungen, einrichtung_names, "Einrichtung")
        if record.values.get("nachfolger") == record.external_id:
            parsed.errors.append(
                Issue(
                    record.sheet,
                    record.row,
                    "Nachfolger-ID",
                    record.external_id,
                    "Eine Einrichtung kann nicht ihr eigener Nachfolger sein.",
                )
            )
    for record in parsed.records["angebote"].values():
        resolve(record, "einrichtung", einrichtungen, einrichtung_names, "Einrichtung")
    # Offers a funded project names: those of the workbook's Angebote sheet, or – without that sheet – the
    # offers already in the database.
    offers = set(parsed.records["angebote"]) if "angebote" in parsed.present else set(known_offers)
    for record in parsed.records["foerderungen"].values():
        resolve(record, "traeger", traeger, traeger_names, "Träger")
        resolve(record, "einrichtung", einrichtungen, einrichtung_names, "Einrichtung")
        unknown = [ref for ref in record.values.get("angebote") or [] if ref not in offers]
        if unknown:
            parsed.errors.append(
                Issue(
                    record.sheet,
                    record.row,
                    "Angebots-IDs",
                    "; ".join(unknown),
                    f"Angebots-ID „{'“, „'.join(unknown)}“ gibt es nicht im Blatt „Angebote“ – "
                    "bitte vorhandene Angebots-IDs eintragen (mehrere mit ; trennen).",
                )
            )
