"""Hostile workbooks (issue 14): refused before reading with a message naming the sheet; the reader runs in a
child process with memory and time limits, so no file can take the importer (or the web worker) down."""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from importers.isolated import read_workbook_isolated
from importers.workbook import MAX_CSV_LINE, UnreadableWorkbook, read_workbook
from tests.importers.builders import base_sheets, write_xlsx
from tests.importers.conftest import SyncRunner

MAX_BYTES = 20 * 1024 * 1024


def _sparse_xlsx(path: Path, *cells: str, sheet: str = "Angebote") -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for ref in cells:
        ws[ref] = "x"
    book.save(path)
    return path


def _rewrite_sheet(
    source: Path, target: Path, change: Callable[[bytes], bytes], *, extra: bytes = b""
) -> Path:
    """A copy of ``source`` with the first worksheet's XML changed (and an ``extra`` stored member)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            new.writestr(item.filename, data)
        if extra:
            new.writestr("xl/media/image1.png", extra, compress_type=zipfile.ZIP_STORED)
    return target


@pytest.mark.parametrize("far_cell", ["XFD1048576", "CV200000"])
def test_a_far_away_cell_is_refused_quickly_naming_the_sheet(tmp_path: Path, far_cell: str) -> None:
    path = _sparse_xlsx(tmp_path / "klein.xlsx", "A1", far_cell)
    assert path.stat().st_size < 10_000
    started = time.perf_counter()
    with pytest.raises(UnreadableWorkbook) as caught:
        read_workbook(path, max_bytes=MAX_BYTES)
    assert time.perf_counter() - started < 5  # before: 8 s and 870 MB (CV200000), or SIGABRT (XFD1048576)
    assert "„Angebote“" in str(caught.value)
    assert "Zeile" in str(caught.value) and "Spalte" in str(caught.value)


def test_a_declared_dimension_beyond_the_limits_is_refused(tmp_path: Path) -> None:
    source = write_xlsx(base_sheets(), tmp_path / "gut.xlsx")
    read_workbook(source, max_bytes=MAX_BYTES)  # the untouched workbook is fine

    def declare_huge(xml: bytes) -> bytes:
        head, _sep, tail = xml.partition(b"<sheetData")
        if b"<dimension" in head:
            head = (
                head.split(b"<dimension")[0] + b"<dimension" + head.split(b"<dimension")[1].split(b">", 1)[1]
            )
        head = head.replace(b"<sheetViews", b'<dimension ref="A1:XFD1048576"/><sheetViews', 1)
        return head + b"<sheetData" + tail

    path = _rewrite_sheet(source, tmp_path / "gross.xlsx", declare_huge)
    with pytest.raises(UnreadableWorkbook, match="meldet einen Bereich"):
        read_workbook(path, max_bytes=MAX_BYTES)


def test_a_highly_compressed_sheet_is_refused(tmp_path: Path) -> None:
    source = write_xlsx(base_sheets(), tmp_path / "gut.xlsx")
    # Whole archive plausible (an incompressible picture beside it), but one sheet packed 1000 : 1.
    padded = _rewrite_sheet(
        source,
        tmp_path / "bombe.xlsx",
        lambda xml: xml.replace(b"<sheetData", b" " * 3_000_000 + b"<sheetData", 1),
        extra=os.urandom(300_000),
    )
    with pytest.raises(UnreadableWorkbook, match=r"Tabellenblatt „.*“.*komprimiert"):
        read_workbook(padded, max_bytes=MAX_BYTES)


def test_the_importer_reports_the_refusal_instead_of_dying(tmp_path: Path, run_sync: SyncRunner) -> None:
    path = _sparse_xlsx(tmp_path / "klein.xlsx", "A1", "XFD1048576", sheet="Träger")
    report = run_sync(path, dry_run=True)
    assert not report.ok
    assert report.fatal is not None and "„Träger“" in report.fatal


def test_the_isolated_reader_gives_the_same_workbook(tmp_path: Path) -> None:
    path = write_xlsx(base_sheets(), tmp_path / "gut.xlsx")
    isolated = read_workbook_isolated(path, max_bytes=MAX_BYTES, memory_mb=1024, seconds=60)
    assert isolated == read_workbook(path, max_bytes=MAX_BYTES)


def test_the_child_limits_hold_and_the_parent_survives(tmp_path: Path) -> None:
    # Within the guards' limits (200,000 rows × 20 columns) but a dense grid of 4 million cells: with a
    # small memory limit the child dies and the caller gets a clear error – as for any file no guard knows.
    path = _sparse_xlsx(tmp_path / "duenn.xlsx", "A1", "T200000")
    with pytest.raises(UnreadableWorkbook, match="Speicher"):
        read_workbook_isolated(path, max_bytes=MAX_BYTES, memory_mb=150, seconds=60)
    assert len(read_workbook_isolated(path, max_bytes=MAX_BYTES, memory_mb=2048, seconds=60).sheets) == 1


def test_a_csv_line_over_128_kb_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "angebote.csv"
    path.write_text("ID;Titel\nA-1;" + "x" * (MAX_CSV_LINE + 10) + "\n", encoding="utf-8")
    with pytest.raises(UnreadableWorkbook, match="Zeile 2"):
        read_workbook(path, max_bytes=MAX_BYTES)
    single_field = tmp_path / "feld.csv"
    single_field.write_text("x" * (MAX_CSV_LINE + 10), encoding="utf-8")
    with pytest.raises(UnreadableWorkbook, match="Zeile 1"):
        read_workbook(single_field, max_bytes=MAX_BYTES)
