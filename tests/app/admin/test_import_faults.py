"""Workbook upload under faults: a full or read-only upload folder is named in German (503, nothing left
behind); an apply while another import runs says so (409) and keeps the checked file."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app.catalogue.models import Angebot
from app.settings import Settings
from importers.lock import import_lock
from tests.app.admin.test_admin_pages import SAMPLE
from tests.app.auth.fixtures import World, login_as, soup, text_of, token_on


@contextmanager
def tmpfs(where: Path, *options: str) -> Iterator[Path]:
    """A real tiny filesystem (needs root, as in the project's containers)."""
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(where)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"tmpfs lässt sich nicht einhängen: {done.stderr!r}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _upload(settings: Settings, tmp_path: Path) -> tuple[int, str]:
    upload = tmp_path / "Katalog.xlsx"
    shutil.copyfile(SAMPLE, upload)
    with login_as(settings, "admin@example.org") as admin:
        action = "/verwaltung/import/pruefen"
        token = token_on(admin, "/verwaltung/import", action)
        with upload.open("rb") as handle:
            response = admin.post(action, data={"csrf_token": token}, files={"datei": (upload.name, handle)})
        message = text_of(response, "#import-fehler") if response.status_code != 200 else ""
        return response.status_code, message


def test_full_upload_folder(world: World, settings: Settings, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "voll", "size=16k") as folder:
        status, message = _upload(settings.model_copy(update={"upload_dir": folder}), tmp_path)
        assert status == 503
        assert "kein Speicherplatz" in message
        assert list(folder.iterdir()) == []  # the partial upload is gone


def test_read_only_upload_folder(world: World, settings: Settings, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "nurlesen", "size=1m", "ro") as folder:
        status, message = _upload(settings.model_copy(update={"upload_dir": folder}), tmp_path)
        assert status == 503
        assert "nicht beschreibbar" in message


def test_upload_folder_that_cannot_exist(world: World, settings: Settings, tmp_path: Path) -> None:
    blocker = tmp_path / "eine-datei"
    blocker.write_text("kein Ordner")
    status, message = _upload(settings.model_copy(update={"upload_dir": blocker / "uploads"}), tmp_path)
    assert status == 503
    assert "nicht gespeichert" in message


def test_apply_while_another_import_runs(
    world: World, settings: Settings, engine: Engine, session: Session, tmp_path: Path
) -> None:
    upload = tmp_path / "Katalog.xlsx"
    shutil.copyfile(SAMPLE, upload)
    with login_as(settings, "admin@example.org") as admin:
        action = "/verwaltung/import/pruefen"
        token = token_on(admin, "/verwaltung/import", action)
        with upload.open("rb") as handle:
            checked = admin.post(action, data={"csrf_token": token}, files={"datei": (upload.name, handle)})
        assert checked.status_code == 200
        form = soup(checked).select_one("form[action='/verwaltung/import/anwenden']")
        assert form is not None
        fields = {str(i["name"]): str(i["value"]) for i in form.select("input")}
        before = session.exec(select(func.count()).select_from(Angebot)).one()
        with import_lock(engine):
            busy = admin.post("/verwaltung/import/anwenden", data=fields)
        assert busy.status_code == 409
        assert "ein anderer Import läuft seit" in text_of(busy, "#import-fehler")
        assert session.exec(select(func.count()).select_from(Angebot)).one() == before
        applied = admin.post("/verwaltung/import/anwenden", data=fields)  # the file was kept: retry works
        assert applied.status_code == 200, text_of(applied, "#import-fehler")
