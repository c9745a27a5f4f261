"""Reading xlsx, ods, CSV (encodings, delimiters), directories and zips – and every tolerance rule."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from app.catalogue import vocab
from app.catalogue.districts import OrtsteilInfo
from importers.validate import ParsedWorkbook, parse_workbook
from importers.workbook import UnreadableWorkbook, decode_csv, read_workbook, sniff_delimiter
from tests.importers import builders as b

MAX = 20 * 1024 * 1024


def parse(path: Path, *, max_bytes: int = MAX) -> ParsedWorkbook:
    return parse_workbook(
        read_workbook(path, max_bytes=max_bytes),
        ortsteile=[OrtsteilInfo(o.slug, o.name, o.planungsraum, o.aliases) for o in vocab.ORTSTEILE],
        planungsraeume=[(p.code, p.name) for p in vocab.PLANUNGSRAEUME],
        as_of=date(2026, 1, 1),
    )


def values(parsed: ParsedWorkbook) -> dict[str, dict[str, dict[str, Any]]]:
    return {kind: {i: r.values for i, r in rows.items()} for kind, rows in parsed.records.items()}


@pytest.fixture
def reference(tmp_path: Path) -> ParsedWorkbook:
    parsed = parse(b.write_xlsx(b.base_sheets(), tmp_path / "basis.xlsx"))
    assert not parsed.errors, parsed.errors
    return parsed


def test_xlsx_values_follow_the_format(reference: ParsedWorkbook) -> None:
    offer = reference.records["angebote"]["A-1"]
    assert offer.row == 4  # title row and blank row above the header (row 3)
    assert offer.values["alter_von"] == 0.5
    grant = reference.records["foerderungen"]["LSZ-2024-001"].values
    assert grant["betrag_cents"] == 1_250_000
    assert (grant["bewilligt_am"], grant["laufzeit_von"]) == ("2023-11-15", "2024-01-01")


def test_ods_with_typed_cells_gives_the_same_records(tmp_path: Path, reference: ParsedWorkbook) -> None:
    sheets = b.base_sheets()
    b.set_cell(sheets, "Angebote", "A-1", "Alter bis", 3)
    b.set_cell(sheets, "Angebote", "A-1", "Gültig bis", date(2030, 12, 31))
    b.set_cell(sheets, "Förderungen", "LSZ-2024-001", "Fördersumme", 12500.0)
    b.set_cell(sheets, "Förderungen", "LSZ-2024-001", "Jahr", 2024)
    b.set_cell(sheets, "Förderungen", "LSZ-2024-001", "Bewilligt am", date(2023, 11, 15))
    b.set_cell(sheets, "Einrichtungen", "E-1", "Breitengrad", 50.8851)
    parsed = parse(b.write_ods(sheets, tmp_path / "mappe.ods"))
    assert not parsed.errors
    assert values(parsed) == values(reference)


@pytest.mark.parametrize(
    ("delimiter", "encoding", "name_style"),
    [(";", "utf-8", "file"), (",", "utf-8-sig", "file"), (";", "cp1252", "sheet"), (",", "cp1252", "file")],
)
def test_csv_directory_in_every_encoding_and_delimiter(
    tmp_path: Path, reference: ParsedWorkbook, delimiter: str, encoding: str, name_style: str
) -> None:
    directory = b.write_csv_dir(
        b.base_sheets(), tmp_path / "csv", delimiter=delimiter, encoding=encoding, name_style=name_style
    )
    parsed = parse(directory)
    assert not parsed.errors, parsed.errors
    assert values(parsed) == values(reference)
    assert parsed.records["angebote"]["A-1"].row == 4


def test_excel_unicode_text_export(tmp_path: Path, reference: ParsedWorkbook) -> None:
    """Excel's „Unicode-Text“: UTF-16 with BOM, tab-separated, .txt renamed to .csv."""
    directory = b.write_csv_dir(b.base_sheets(), tmp_path / "utf16", delimiter="\t", encoding="utf-16")
    assert (directory / "traeger.csv").read_bytes()[:2] == b"\xff\xfe"
    assert values(parse(directory)) == values(reference)


def test_zip_of_csvs(tmp_path: Path, reference: ParsedWorkbook) -> None:
    archive = b.write_zip(b.write_csv_dir(b.base_sheets(), tmp_path / "csv"), tmp_path / "mappe.zip")
    assert values(parse(archive)) == values(reference)
    with zipfile.ZipFile(archive, "a") as more:  # what the macOS archive tool adds
        more.writestr("__MACOSX/._traeger.csv", b"\x00\x05\x16\x07 Mac OS X resource fork")
    assert values(parse(archive)) == values(reference)


def test_csv_helpers() -> None:
    assert decode_csv("Träger".encode("cp1252")) == "Träger"
    assert decode_csv("\ufeffTräger".encode()) == "Träger"
    assert sniff_delimiter('A;B;"x, y"\n1;2;3\n') == ";"
    assert sniff_delimiter('A,B,"x; y"\n1,2,3\n') == ","


def test_tolerance_rules_in_one_messy_workbook(tmp_path: Path) -> None:
    sheets = b.base_sheets()
    # Header names in other spellings: case, umlauts, hyphens, spaces and aliases.
    sheets["Träger"][0] = ["TRAEGER ID", "trägername", "Typ", "Homepage", "e mail", "Tel."]
    # A logo/title row and blank rows above the header, blank rows and NBSP/line breaks inside the data.
    sheets["Träger"] = [["Stadt Jena – Trägerliste"], [None, None, "Stand: 2025"], [], *sheets["Träger"]]
    sheets["Träger"].insert(5, [])
    b.set_cell(sheets, "Träger", "T-2", "trägername", "  Stadtteilhilfe\u00a0Süd gGmbH  ")
    b.set_cell(sheets, "Einrichtungen", "E-1", "Beschreibung", "Zeile eins\r\nZeile zwei ")
    b.set_cell(sheets, "Einrichtungen", "E-1", "Zuletzt geprüft", 45717)  # Excel serial number
    b.set_cell(sheets, "Angebote", "A-2", "Anmeldung", "WAHR")
    b.set_cell(sheets, "Angebote", "A-3", "Anmeldung", 0)
    b.set_cell(sheets, "Angebote", "A-1", "Gültig bis", datetime(2030, 12, 31, 0, 0))
    parsed = parse(b.write_xlsx(sheets, tmp_path / "chaos.xlsx"))
    assert not parsed.errors, parsed.errors
    traeger = parsed.records["traeger"]
    assert traeger["T-2"].values["name"] == "Stadtteilhilfe Süd gGmbH"
    assert traeger["T-2"].row == 7
    assert traeger["T-1"].values["website"] == "https://www.familienwerk.example.org"
    einrichtung = parsed.records["einrichtungen"]["E-1"].values
    assert einrichtung["beschreibung"] == "Zeile eins\nZeile zwei"
    assert einrichtung["verified_at"] == "2025-03-01"
    assert parsed.records["angebote"]["A-2"].values["anmeldung"] is True
    assert parsed.records["angebote"]["A-3"].values["anmeldung"] is False
    assert parsed.records["angebote"]["A-1"].values["gueltig_bis"] == "2030-12-31"


def test_unknown_einrichtungsart_becomes_sonstige_with_a_warning(tmp_path: Path) -> None:
    sheets = b.base_sheets()
    b.set_cell(sheets, "Einrichtungen", "E-2", "Art", "Bauwagen")
    parsed = parse(b.write_xlsx(sheets, tmp_path / "art.xlsx"))
    assert parsed.records["einrichtungen"]["E-2"].values["art"] == "sonstige"
    assert [(w.sheet, w.row, w.column, w.value) for w in parsed.warnings] == [
        ("Einrichtungen", 3, "Art", "Bauwagen")
    ]


def test_formulas_give_their_cached_value_and_are_never_evaluated(tmp_path: Path) -> None:
    sheets = b.base_sheets()
    b.set_cell(sheets, "Förderungen", "LSZ-2024-001", "Fördersumme", "=1+1")
    path = b.write_xlsx(sheets, tmp_path / "formel.xlsx")
    patched = tmp_path / "formel-cached.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                # What Excel writes: the formula plus the value it computed last time.
                data = re.sub(rb"<f>1\+1</f><v\s*/?>(</v>)?", b"<f>1+1</f><v>12500</v>", data)
            target.writestr(item, data)
    parsed = parse(patched)
    assert parsed.records["foerderungen"]["LSZ-2024-001"].values["betrag_cents"] == 1_250_000


def test_swapped_coordinates_and_outside_jena_are_errors(tmp_path: Path) -> None:
    sheets = b.base_sheets()
    b.set_cell(sheets, "Einrichtungen", "E-1", "Breitengrad", "11,6050")
    b.set_cell(sheets, "Einrichtungen", "E-1", "Längengrad", "50,8851")
    b.set_cell(sheets, "Einrichtungen", "E-2", "Breitengrad", "52,52")
    b.set_cell(sheets, "Einrichtungen", "E-2", "Längengrad", "13,40")
    parsed = parse(b.write_xlsx(sheets, tmp_path / "geo.xlsx"))
    messages = {(e.row, e.column): e.message for e in parsed.errors}
    assert "vertauscht" in messages[(2, "Breitengrad")]
    assert "nicht in Jena" in messages[(3, "Breitengrad")]


def test_several_districts_for_an_institution_are_decided_by_coordinates(tmp_path: Path) -> None:
    sheets = b.base_sheets()
    b.set_cell(sheets, "Einrichtungen", "E-1", "Ortsteil", "Lobeda")  # the Planungsraum: four Ortsteile
    b.set_cell(sheets, "Einrichtungen", "E-2", "Ortsteil", "Wenigenjena/Kernberge")  # no coordinates
    parsed = parse(b.write_xlsx(sheets, tmp_path / "orte.xlsx"))
    assert parsed.records["einrichtungen"]["E-1"].values["ortsteil"] == "neulobeda"
    assert [(e.row, e.column) for e in parsed.errors] == [(3, "Ortsteil")]
    assert "Koordinaten" in parsed.errors[0].message


def test_age_range_and_date_order_are_checked(tmp_path: Path) -> None:
    sheets = b.base_sheets()
    b.set_cell(sheets, "Angebote", "A-1", "Alter von", "12")
    b.set_cell(sheets, "Förderungen", "LSZ-2024-001", "Laufzeit von", "01.01.2025")
    parsed = parse(b.write_xlsx(sheets, tmp_path / "bereiche.xlsx"))
    assert {(e.sheet, e.column) for e in parsed.errors} == {
        ("Angebote", "Alter bis"),
        ("Förderungen", "Laufzeit bis"),
    }


# --- unreadable files (exit code 2) ----------------------------------------------------------------


def _unreadable(path: Path, *, max_bytes: int = MAX) -> str:
    with pytest.raises(UnreadableWorkbook) as info:
        parse(path, max_bytes=max_bytes)
    return str(info.value)


def test_not_a_spreadsheet(tmp_path: Path) -> None:
    png = tmp_path / "foto.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert "keine Arbeitsmappe" in _unreadable(png)
    pdf = tmp_path / "bericht.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    assert "keine Arbeitsmappe" in _unreadable(pdf)
    broken = tmp_path / "kaputt.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    assert "beschädigt" in _unreadable(broken)


def test_password_protected_xlsx_and_ods(tmp_path: Path) -> None:
    # An encrypted OOXML file is a Compound File whose directory holds the "EncryptionInfo" stream.
    encrypted = tmp_path / "geheim.xlsx"
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    encrypted.write_bytes(header + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 200)
    assert "Passwort" in _unreadable(encrypted)
    ods = tmp_path / "geheim.ods"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest><manifest:file-entry manifest:full-path="content.xml">'
            "<manifest:encryption-data/></manifest:file-entry></manifest:manifest>",
        )
        archive.writestr("content.xml", b"\x8f\x13 verschluesselt")
    assert "Passwort" in _unreadable(ods)


def test_empty_files(tmp_path: Path) -> None:
    nothing = tmp_path / "leer.xlsx"
    nothing.write_bytes(b"")
    assert "leer" in _unreadable(nothing)
    book = Workbook()
    book.active.title = "Träger"  # type: ignore[union-attr]
    book.create_sheet("Einrichtungen")
    book.save(tmp_path / "leere-blaetter.xlsx")
    assert "leer" in _unreadable(tmp_path / "leere-blaetter.xlsx")


def test_missing_required_sheet(tmp_path: Path) -> None:
    sheets = b.base_sheets()
    del sheets["Einrichtungen"]
    message = _unreadable(b.write_xlsx(sheets, tmp_path / "ohne.xlsx"))
    assert "Einrichtungen" in message and "fehlt" in message
    single = tmp_path / "angebote.csv"
    single.write_text("Angebots-ID;Titel\nA-1;Krabbelgruppe\n", encoding="utf-8")
    assert "Träger und Einrichtungen" in _unreadable(single)


def test_over_the_size_limit(tmp_path: Path) -> None:
    path = b.write_xlsx(b.base_sheets(), tmp_path / "gross.xlsx")
    assert "IMPORT_MAX_BYTES" in _unreadable(path, max_bytes=1000)
    directory = b.write_csv_dir(b.base_sheets(), tmp_path / "csv")
    assert "IMPORT_MAX_BYTES" in _unreadable(directory, max_bytes=1000)


def test_zip_bomb(tmp_path: Path) -> None:
    bomb = tmp_path / "bombe.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("traeger.csv", b"0" * (30 * 1024 * 1024))
    assert bomb.stat().st_size < 100_000
    assert "Zip-Bombe" in _unreadable(bomb)


CELL_VALUES = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)),
    st.sampled_from(
        ["Lobda", "stadtweit", "HF 9", "-3,50 €", "31.02.2025", "ja", "6 Monate", "T-2", "E-404"]
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_cell_content_gives_located_errors_never_a_crash(tmp_path: Path, data: st.DataObject) -> None:
    sheets = b.base_sheets()
    for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
        sheet = data.draw(st.sampled_from(["Träger", "Einrichtungen", "Angebote", "Förderungen"]))
        rows = [r for r in sheets[sheet] if len(r) > 1]
        row = data.draw(st.sampled_from(rows[1:]))
        row[data.draw(st.integers(min_value=0, max_value=len(row) - 1))] = data.draw(CELL_VALUES)
    parsed = parse(b.write_xlsx(sheets, tmp_path / "zufall.xlsx"))
    for issue in parsed.errors:
        assert issue.sheet and issue.message
        assert issue.row is not None or issue.column is None
