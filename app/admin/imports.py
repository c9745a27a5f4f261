"""Workbook uploads in the browser: stage the file, dry run with the importer, then apply that same file."""

from __future__ import annotations

import errno
import hashlib
import re
import secrets
import shutil
import time
from pathlib import Path

from fastapi import UploadFile

from app.i18n import gettext as _
from app.settings import Settings

ALLOWED_SUFFIXES = (".xlsx", ".ods", ".csv", ".zip")
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_STALE_SECONDS = 24 * 3600
_CHUNK = 1024 * 1024


class UploadError(ValueError):
    """German message about a rejected upload."""

    status = 400


class UploadStorageError(UploadError):
    """The server cannot store the upload (disk full, read-only or missing folder): not the user's fault."""

    status = 503


def _storage_error(exc: OSError, root: Path) -> UploadStorageError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        message = _(
            "Auf dem Server ist kein Speicherplatz mehr frei für hochgeladene Arbeitsmappen ({folder}). "
            "Es wurde nichts gespeichert – bitte die Betreuung des Servers informieren."
        )
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        message = _(
            "Der Upload-Ordner {folder} ist nicht beschreibbar (Dateirechte oder schreibgeschützter "
            "Datenträger). Es wurde nichts gespeichert – bitte die Betreuung des Servers informieren."
        )
    else:
        message = _(
            "Die Datei konnte auf dem Server nicht gespeichert werden ({folder}: {cause}). "
            "Es wurde nichts gespeichert."
        )
    return UploadStorageError(message.format(folder=root, cause=exc.strerror or exc))


def safe_file_name(name: str) -> str:
    """The uploaded file's own name without any path, reduced to harmless characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^\w.\- ]", "_", base).strip(" .")[:100]
    return cleaned or "arbeitsmappe.xlsx"


def _cleanup(root: Path) -> None:
    if not root.exists():
        return
    cutoff = time.time() - _STALE_SECONDS
    for entry in root.iterdir():
        if entry.is_dir() and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)


def stage_upload(upload: UploadFile, settings: Settings) -> tuple[str, Path]:
    """Save the upload under a random token; refuses wrong types and files over ``import_max_bytes``."""
    name = safe_file_name(upload.filename or "")
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise UploadError(
            _("Bitte eine Arbeitsmappe hochladen (.xlsx, .ods, .csv oder .zip mit CSV-Dateien).")
        )
    root = settings.upload_dir
    token = secrets.token_hex(16)
    folder = root / token
    path = folder / name
    size = 0
    try:
        root.mkdir(parents=True, exist_ok=True)
        _cleanup(root)
        folder.mkdir()
        with path.open("wb") as out:
            while chunk := upload.file.read(_CHUNK):
                size += len(chunk)
                if size > settings.import_max_bytes:
                    out.close()
                    shutil.rmtree(folder, ignore_errors=True)
                    mb = settings.import_max_bytes // (1024 * 1024)
                    raise UploadError(_("Die Datei ist größer als {mb} MB.").format(mb=mb))
                out.write(chunk)
    except OSError as exc:  # a partial file must not stay behind
        shutil.rmtree(folder, ignore_errors=True)
        raise _storage_error(exc, root) from exc
    if size == 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise UploadError(_("Die hochgeladene Datei ist leer."))
    return token, path


def staged_file(token: str, settings: Settings) -> Path:
    if not _TOKEN.match(token):
        raise UploadError(_("Unbekannter Prüflauf – bitte die Datei erneut hochladen."))
    folder = settings.upload_dir / token
    files = [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    if len(files) != 1:
        raise UploadError(_("Der Prüflauf ist abgelaufen – bitte die Datei erneut hochladen."))
    return files[0]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def discard(token: str, settings: Settings) -> None:
    if _TOKEN.match(token):
        shutil.rmtree(settings.upload_dir / token, ignore_errors=True)
