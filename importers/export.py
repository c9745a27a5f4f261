"""Write the catalogue back as a workbook in the planning team's format (syncing it back changes nothing).

Only published rows are written: hidden rows are not part of the planner's current workbook.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlmodel import Session

from app.catalogue import values as c
from app.catalogue import vocab
from importers import sheets
from importers.applications import export_rows as application_rows
from importers.state import DbState, load_state

DATE_FORMAT = "DD.MM.YYYY"
MONEY_FORMAT = '#,##0.00 "€"'
_LABELS = {
    "zielgruppen": {t.code: t.de for t in vocab.ZIELGRUPPEN},
    "themen": {t.code: t.de for t in vocab.THEMEN},
    "einrichtungsart": {t.code: t.de for t in vocab.EINRICHTUNGSARTEN},
    "traegerart": {t.code: t.de for t in vocab.TRAEGERARTEN},
    "status": {str(t.code): t.de for t in vocab.STATUS_TERMS},
}


def _text_cell(ws: WriteOnlyWorksheet, text: str) -> Cell:
    """Text is always a text cell: ``=HYPERLINK(…)`` in a title must never become a live formula."""
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    return cell


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _labels(kind: str, codes: list[str] | None) -> str:
    return c.format_multi(_LABELS[kind].get(code, code) for code in codes or [])


def _districts(state: DbState, slugs: list[str], stadtweit: bool) -> str:
    names = {o.slug: o.name for o in state.ortsteile}
    return c.format_multi((["stadtweit"] if stadtweit else []) + [names[s] for s in slugs])


def _rows(state: DbState, kind: str) -> list[dict[str, Any]]:
    return [
        {"_id": row.external_id, **row.values}
        for row in sorted(state.rows[kind].values(), key=lambda r: r.external_id)
        if row.published
    ]


def export_workbook(session: Session, path: Path) -> None:
    state = load_state(session.connection())
    names = {o.slug: o.name for o in state.ortsteile}
    raum_names = dict(state.planungsraeume)
    # Only published offers are written, so a Förderung may only name those (else no clean re-import).
    published_offers = {ext for ext, row in state.rows["angebote"].items() if row.published}
    book = Workbook(write_only=True)

    def sheet(spec: sheets.SheetSpec, rows: list[list[Any]]) -> None:
        ws: WriteOnlyWorksheet = book.create_sheet(spec.title)
        header = []
        for col in spec.columns:
            cell = WriteOnlyCell(ws, value=col.header)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for values in rows:
            out: list[Any] = []
            for value in values:
                if isinstance(value, date):
                    cell = WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]  # openpyxl writes dates
                    cell.number_format = DATE_FORMAT
                    out.append(cell)
                elif isinstance(value, Money):
                    cell = WriteOnlyCell(ws, value=value.cents / 100)
                    cell.number_format = MONEY_FORMAT
                    out.append(cell)
                elif isinstance(value, str):
                    out.append(_text_cell(ws, value))
                else:
                    out.append(value)
            ws.append(out)

    sheet(
        sheets.TRAEGER,
        [
            [
                r["_id"],
                r["name"],
                _LABELS["traegerart"].get(r["art"] or "", r["art"]),
                r["website"],
                r["email"],
                r["telefon"],
            ]
            for r in _rows(state, "traeger")
        ],
    )
    sheet(
        sheets.EINRICHTUNGEN,
        [
            [
                r["_id"],
                r["name"],
                r["traeger"],
                _LABELS["einrichtungsart"].get(r["art"], r["art"]),
                r["beschreibung"],
                r["strasse"],
                r["plz"],
                r["ort"],
                names.get(r["ortsteil"], r["ortsteil"]),
                r["lat"],
                r["lon"],
                r["telefon"],
                r["email"],
                r["website"],
                r["oeffnungszeiten"],
                c.format_barrierefrei(r["barrierefrei"], r["barrierefrei_hinweis"]),
                c.format_multi(r["sprachen"]),
                _LABELS["status"].get(r["status"], r["status"]),
                r["nachfolger"],
                _date(r["verified_at"]),
            ]
            for r in _rows(state, "einrichtungen")
        ],
    )
    sheet(
        sheets.ANGEBOTE,
        [
            [
                r["_id"],
                r["einrichtung"],
                r["titel"],
                r["beschreibung"],
                _labels("zielgruppen", r["zielgruppen"]),
                _labels("themen", r["themen"]),
                r["handlungsfeld_number"],
                _districts(state, r["ortsteile"], r["stadtweit"]),
                _age(r["alter_von"]),
                _age(r["alter_bis"]),
                c.format_kosten(c.Kosten(r["kosten_art"], r["kosten_cents"], r["kosten_text"])),
                c.format_bool(r["anmeldung"]),
                r["termine"],
                c.format_multi(r["sprachen"] or []),
                c.format_barrierefrei(r["barrierefrei"], r["barrierefrei_hinweis"]),
                _date(r["gueltig_von"]),
                _date(r["gueltig_bis"]),
                _LABELS["status"].get(r["status"], r["status"]),
                _date(r["verified_at"]),
            ]
            for r in _rows(state, "angebote")
        ],
    )
    sheet(
        sheets.FOERDERUNGEN,
        [
            [
                r["_id"],
                r["jahr"],
                r["projekt"],
                r["traeger"],
                r["handlungsfeld_number"],
                Money(r["betrag_cents"]),
                Money(r["eigenanteil_cents"]) if r["eigenanteil_cents"] is not None else None,
                _districts(state, r["ortsteile"], r["stadtweit"]),
                r["einrichtung"],
                _date(r["bewilligt_am"]),
                _date(r["laufzeit_von"]),
                _date(r["laufzeit_bis"]),
                r["beschreibung"],
                c.format_multi(a for a in r["angebote"] if a in published_offers),
            ]
            for r in _rows(state, "foerderungen")
        ],
    )
    sheet(
        sheets.ORTSTEILE,
        [
            [o.name, raum_names.get(o.planungsraum, o.planungsraum), c.format_multi(o.aliases)]
            for o in state.ortsteile
        ],
    )
    for spec, rows in application_rows(session.connection(), names):
        sheet(spec, rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


class Money:
    def __init__(self, cents: int) -> None:
        self.cents = cents


def _age(years: float | None) -> int | str | None:
    if years is None:
        return None
    return int(years) if float(years).is_integer() else c.format_age(years, "de")
