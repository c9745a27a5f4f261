"""Refuse hostile xlsx sheets before the spreadsheet reader sees them.

The reader builds a dense grid from the top-left to the bottom-right cell: one cell at ``XFD1048576`` next
to ``A1`` asks for 17 billion cells (512 GB, the process aborts), a cell at ``CV200000`` for 20 million.
So before reading, every sheet's declared dimension, XML size, compression ratio and the cells it really
contains (positions and counts, found by streaming the XML) are checked against sane limits. Each refusal
names the sheet.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

# Sane for any planning workbook (the benchmark's 10,000 offers use a few thousand rows and < 40 columns).
MAX_ROWS = 200_000
MAX_COLUMNS = 500
MAX_CELLS = 4_000_000  # rows × columns of the grid the reader would build
MAX_SHEET_XML_BYTES = 150 * 1024 * 1024
MAX_MEMBER_RATIO = 250  # uncompressed / compressed, for members over 1 MB
_SMALL_MEMBER = 1024 * 1024
_MAX_META_BYTES = 5 * 1024 * 1024
_CHUNK = 1024 * 1024

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\sref=[\"']([^\"']*)[\"']")
_ROW = re.compile(rb"<(?:\w+:)?row(?=[\s>/])([^>]*)>")
_CELL = re.compile(rb"<(?:\w+:)?c(?=[\s>/])([^>]*)>")
_R_ATTR = re.compile(rb"\sr=[\"']([A-Za-z]{0,3})([0-9]{0,8})[\"']")
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,8})$")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class HostileSheet(ValueError):
    """A sheet beyond the limits; the message is German and names the sheet."""


@dataclass
class Extent:
    rows: int = 0
    columns: int = 0
    cells: int = 0


def _n(number: int) -> str:
    return f"{number:_}".replace("_", ".")


def column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def check_xlsx(archive: zipfile.ZipFile, file_name: str) -> None:
    """Raise :class:`HostileSheet` for the first sheet of the xlsx ``archive`` that is beyond the limits."""
    for sheet_name, member in _sheet_members(archive):
        try:
            info = archive.getinfo(member)
        except KeyError:
            continue
        _check_member(info, sheet_name, file_name)
        extent, declared = _scan(archive, member)
        if declared is not None:
            _check_extent(declared, sheet_name, file_name, what="meldet einen Bereich von")
        _check_extent(extent, sheet_name, file_name, what="hat Zellen bis")


def _check_member(info: zipfile.ZipInfo, sheet_name: str, file_name: str) -> None:
    mb = info.file_size / 1024 / 1024
    if info.file_size > MAX_SHEET_XML_BYTES:
        raise HostileSheet(
            f"Das Tabellenblatt „{sheet_name}“ in „{file_name}“ ist entpackt {mb:.0f} MB groß "
            f"(höchstens {MAX_SHEET_XML_BYTES // 1024 // 1024} MB). Der Import wurde abgebrochen."
        )
    if info.file_size > _SMALL_MEMBER and info.file_size / max(1, info.compress_size) > MAX_MEMBER_RATIO:
        raise HostileSheet(
            f"Das Tabellenblatt „{sheet_name}“ in „{file_name}“ ist unplausibel stark komprimiert "
            f"({mb:.0f} MB entpackt, verdächtiges Archiv). Der Import wurde abgebrochen."
        )


def _check_extent(extent: Extent, sheet_name: str, file_name: str, *, what: str) -> None:
    grid = extent.rows * extent.columns
    counted = f" ({_n(extent.cells)} belegte Zellen)" if extent.cells else ""
    if extent.rows > MAX_ROWS or extent.columns > MAX_COLUMNS or grid > MAX_CELLS or extent.cells > MAX_CELLS:
        raise HostileSheet(
            f"Das Tabellenblatt „{sheet_name}“ in „{file_name}“ {what} Zeile {_n(extent.rows)} und Spalte "
            f"{_n(extent.columns)}{counted} – erlaubt sind höchstens {_n(MAX_ROWS)} "
            f"Zeilen, {MAX_COLUMNS} Spalten und {_n(MAX_CELLS)} Zellen. Bitte leere, aber formatierte "
            "Bereiche weit unten oder rechts löschen (oder nur die benötigten Zellen in eine neue "
            "Arbeitsmappe kopieren). Der Import wurde abgebrochen."
        )


def _sheet_members(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member) of every worksheet, in workbook order."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        return [(posixpath.basename(n), n) for n in sorted(names) if n.startswith("xl/worksheets/")]
    book = _small_xml(archive, "xl/workbook.xml")
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for rel in _small_xml(archive, "xl/_rels/workbook.xml.rels").iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            targets[rel.get("Id", "")] = path
    sheets = []
    for sheet in book.iter(f"{_NS_MAIN}sheet"):
        member = targets.get(sheet.get(f"{_NS_REL}id", ""))
        if member:
            sheets.append((sheet.get("name", member), member))
    listed = {m for _n, m in sheets}
    # Worksheets the workbook does not list are still checked: a reader may open them anyway.
    sheets += [(posixpath.basename(n), n) for n in sorted(names) if n.startswith("xl/worksheets/sheet")
               and n.endswith(".xml") and n not in listed]  # fmt: skip
    return sheets


def _small_xml(archive: zipfile.ZipFile, member: str) -> ElementTree.Element:
    info = archive.getinfo(member)
    if info.file_size > _MAX_META_BYTES:
        raise HostileSheet(f"„{member}“ ist unplausibel groß – die Arbeitsmappe wird nicht gelesen.")
    try:
        # Small (capped above); expat ≥ 2.4.1 refuses entity amplification ("billion laughs").
        return ElementTree.fromstring(archive.read(member))  # noqa: S314
    except ElementTree.ParseError as exc:
        raise HostileSheet(f"„{member}“ ist beschädigt ({exc}).") from exc


def _declared(chunk: bytes) -> Extent | None:
    found = _DIMENSION.search(chunk)
    if not found:
        return None
    corners = found.group(1).decode("ascii", "replace").split(":")
    extent = Extent()
    for corner in corners:
        match = _REF.match(corner.strip())
        if match:
            extent.columns = max(extent.columns, column_number(match.group(1)))
            extent.rows = max(extent.rows, int(match.group(2)))
    return extent


def _scan(archive: zipfile.ZipFile, member: str) -> tuple[Extent, Extent | None]:
    """The real extent: highest row and column named by a cell (or implied by counting), number of cells."""
    extent = Extent()
    declared: Extent | None = None
    rows_seen = 0
    cells_in_row = 0
    carry = b""
    first = True
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            data = carry + chunk
            if not chunk:
                cut = len(data)
            else:
                cut = data.rfind(b"<")  # the tag starting there may be incomplete: keep it for the next round
                cut = cut if cut > 0 else len(data)
            block, carry = data[:cut], data[cut:]
            if first:
                declared = _declared(block)
                first = False
            events = sorted(
                [(m.start(), "row", m.group(1)) for m in _ROW.finditer(block)]
                + [(m.start(), "c", m.group(1)) for m in _CELL.finditer(block)]
            )
            for _pos, kind, attributes in events:
                ref = _R_ATTR.search(attributes)
                if kind == "row":
                    rows_seen += 1
                    cells_in_row = 0
                    if ref and ref.group(2):
                        extent.rows = max(extent.rows, int(ref.group(2)))
                    continue
                extent.cells += 1
                cells_in_row += 1
                extent.columns = max(extent.columns, cells_in_row)
                if ref:
                    if ref.group(1):
                        extent.columns = max(extent.columns, column_number(ref.group(1).decode()))
                    if ref.group(2):
                        extent.rows = max(extent.rows, int(ref.group(2)))
            if not chunk:
                break
    extent.rows = max(extent.rows, rows_seen)
    return extent, declared
