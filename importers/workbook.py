"""Read any workbook the planning team hands over into raw grids of cells with spreadsheet row numbers.

Formats: ``.xlsx``/``.xls``/``.ods`` (python-calamine – formulas give their cached values, never evaluated),
one ``.csv`` file, a directory of CSVs or a ``.zip`` of CSVs (each CSV is a sheet named after its file).
Anything unreadable raises :class:`UnreadableWorkbook` with a German message; callers exit with code 2.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from importers.sheet_guard import HostileSheet, check_xlsx

# A zip (xlsx/ods/zip of CSVs) may unpack to at most this multiple of the size limit; beyond is a bomb.
ZIP_EXPANSION_FACTOR = 10
ZIP_MAX_RATIO = 250
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_OOXML_MARKER = "EncryptionInfo".encode("utf-16-le")
_CSV_ENCODINGS = ("utf-8", "cp1252")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# No sensible CSV line is this long (the csv module's own field limit is 128 KB, too).
MAX_CSV_LINE = 128 * 1024


class UnreadableWorkbook(Exception):
    """The file cannot be read as a workbook at all (exit code 2). The message is German and user-facing."""


@dataclass
class RawSheet:
    name: str
    rows: list[list[Any]]  # rows[i] is spreadsheet row i + 1; cells are str/int/float/bool/date/datetime/…


@dataclass
class RawWorkbook:
    source: str
    kind: str  # xlsx | ods | xls | csv
    sheets: list[RawSheet] = field(default_factory=list)


def read_workbook(path: Path, *, max_bytes: int) -> RawWorkbook:
    if not path.exists():
        raise UnreadableWorkbook(f"Die Datei „{path}“ gibt es nicht.")
    if path.is_dir():
        return _read_csv_directory(path, max_bytes=max_bytes)
    size = path.stat().st_size
    if size > max_bytes:
        raise UnreadableWorkbook(
            f"Die Datei „{path.name}“ ist {_mb(size)} groß; erlaubt sind höchstens {_mb(max_bytes)} "
            "(IMPORT_MAX_BYTES). Bitte Anhänge oder Bilder aus der Arbeitsmappe entfernen."
        )
    if size == 0:
        raise UnreadableWorkbook(f"Die Datei „{path.name}“ ist leer.")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_ZIP_MAGIC):
        return _read_zip_based(path, max_bytes=max_bytes)
    if head.startswith(_OLE_MAGIC):
        if _ENCRYPTED_OOXML_MARKER in path.read_bytes():
            raise _password_protected(path)
        return _read_calamine(path, kind="xls")
    if path.suffix.lower() in (".csv", ".txt"):
        return RawWorkbook(str(path), "csv", [_csv_sheet(path.stem, path.read_bytes())])
    raise UnreadableWorkbook(
        f"„{path.name}“ ist keine Arbeitsmappe. Erwartet wird eine Excel-Datei (.xlsx), eine "
        "LibreOffice-Tabelle (.ods), CSV-Dateien (einzeln, als Ordner oder als .zip)."
    )


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def _password_protected(path: Path) -> UnreadableWorkbook:
    return UnreadableWorkbook(
        f"„{path.name}“ ist mit einem Passwort geschützt. Bitte den Kennwortschutz entfernen "
        "(Datei → Informationen → Arbeitsmappe schützen) und erneut importieren."
    )


def _check_zip(archive: zipfile.ZipFile, path: Path, *, max_bytes: int) -> None:
    infos = archive.infolist()
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > max_bytes * ZIP_EXPANSION_FACTOR or (total > 1024 * 1024 and total / packed > ZIP_MAX_RATIO):
        raise UnreadableWorkbook(
            f"„{path.name}“ würde entpackt {_mb(total)} ergeben – das ist für eine Arbeitsmappe unplausibel "
            "(verdächtiges Archiv, „Zip-Bombe“). Der Import wurde abgebrochen."
        )


def _read_zip_based(path: Path, *, max_bytes: int) -> RawWorkbook:
    try:
        with zipfile.ZipFile(path) as archive:
            _check_zip(archive, path, max_bytes=max_bytes)
            names = archive.namelist()
            if "xl/workbook.xml" in names or "[Content_Types].xml" in names:
                kind = "xlsx"
                try:
                    check_xlsx(archive, path.name)
                except HostileSheet as exc:
                    raise UnreadableWorkbook(str(exc)) from exc
            elif "mimetype" in names or "content.xml" in names:
                manifest = archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
                if b"encryption-data" in manifest:
                    raise _password_protected(path)
                kind = "ods"
            else:
                csv_names = [n for n in names if n.lower().endswith(".csv") and not _is_os_debris(n)]
                if not csv_names:
                    raise UnreadableWorkbook(
                        f"Das Archiv „{path.name}“ enthält weder eine Arbeitsmappe noch CSV-Dateien."
                    )
                sheets = [_csv_sheet(Path(n).stem, archive.read(n)) for n in sorted(csv_names)]
                return RawWorkbook(str(path), "csv", sheets)
    except zipfile.BadZipFile as exc:
        raise UnreadableWorkbook(f"„{path.name}“ ist beschädigt und kann nicht geöffnet werden.") from exc
    return _read_calamine(path, kind=kind)


def _is_os_debris(name: str) -> bool:
    """Entries that zip tools of macOS add next to the real files (``__MACOSX/._traeger.csv``)."""
    return name.startswith("__MACOSX/") or Path(name).name.startswith("._") or name.endswith("/")


def _read_calamine(path: Path, *, kind: str) -> RawWorkbook:
    try:
        with CalamineWorkbook.from_path(str(path)) as book:
            sheets = [
                RawSheet(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False))
                for name in book.sheet_names
            ]
    except PasswordError as exc:
        raise _password_protected(path) from exc
    except (CalamineError, OSError, ValueError) as exc:
        raise UnreadableWorkbook(
            f"„{path.name}“ kann nicht als Tabelle gelesen werden ({type(exc).__name__}). "
            "Ist die Datei beschädigt "
            "oder keine Excel-/LibreOffice-Datei?"
        ) from exc
    return RawWorkbook(str(path), kind, sheets)


def _read_csv_directory(path: Path, *, max_bytes: int) -> RawWorkbook:
    files = sorted(
        p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv" and not _is_os_debris(p.name)
    )
    if not files:
        raise UnreadableWorkbook(f"Im Ordner „{path}“ liegen keine CSV-Dateien.")
    total = sum(p.stat().st_size for p in files)
    if total > max_bytes:
        raise UnreadableWorkbook(
            f"Die CSV-Dateien in „{path.name}“ sind zusammen {_mb(total)} groß; erlaubt sind höchstens "
            f"{_mb(max_bytes)} (IMPORT_MAX_BYTES)."
        )
    return RawWorkbook(str(path), "csv", [_csv_sheet(p.stem, p.read_bytes()) for p in files])


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 – what Excel on Windows writes; UTF-16 with BOM
    ("Unicode-Text")."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    for encoding in _CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or tab: whichever splits the header region widest (quotes respected)."""
    sample_lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not sample_lines:
        return ";"
    best, best_score = ";", -1
    for delimiter in (";", ",", "\t"):
        try:
            counts = [len(row) for row in csv.reader(sample_lines, delimiter=delimiter)]
        except csv.Error:
            continue
        # The header splits into many columns: prefer the delimiter giving the widest row.
        score = max(counts) if counts else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _thousands(number: int) -> str:
    return f"{number:_}".replace("_", ".")


def _check_line_lengths(name: str, text: str) -> None:
    if len(text) <= MAX_CSV_LINE:
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_CSV_LINE:
            raise UnreadableWorkbook(
                f"Die CSV-Datei „{name}“ hat in Zeile {number} {_thousands(len(line))} Zeichen; erlaubt "
                f"sind höchstens {_thousands(MAX_CSV_LINE)} Zeichen je Zeile. Ist es wirklich eine CSV-Datei "
                "(Trennzeichen ; oder ,)? Der Import wurde abgebrochen."
            )


def _csv_sheet(name: str, data: bytes) -> RawSheet:
    if b"\x00" in data[:4096] and not data.startswith(_UTF16_BOMS):
        raise UnreadableWorkbook(f"„{name}“ ist keine Textdatei (CSV) – bitte als CSV (UTF-8) speichern.")
    text = decode_csv(data)
    _check_line_lengths(name, text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        rows: list[list[Any]] = [list(row) for row in reader]
    except csv.Error as exc:
        raise UnreadableWorkbook(f"Die CSV-Datei „{name}“ ist fehlerhaft: {exc}") from exc
    # A quoted line break stays inside its row, as a spreadsheet program shows it: row i is rows[i - 1].
    return RawSheet(name, rows)
