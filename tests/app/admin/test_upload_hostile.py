"""Hostile uploads in /verwaltung/import (issue 14): a clear 400 naming the problem, nothing left on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from app.settings import Settings
from importers.workbook import MAX_CSV_LINE
from tests.app.auth.fixtures import World, login, text_of, token_on


def _upload(client: TestClient, name: str, body: bytes) -> tuple[int, str]:
    action = "/verwaltung/import/pruefen"
    token = token_on(client, "/verwaltung/import", action)
    response = client.post(action, data={"csrf_token": token}, files={"datei": (name, body)})
    message = text_of(response, "#import-bericht") if response.status_code == 400 else response.text
    return response.status_code, message


def _staged(settings: Settings) -> list[Path]:
    return list(settings.upload_dir.iterdir()) if settings.upload_dir.exists() else []


@pytest.mark.parametrize("far_cell", ["XFD1048576", "CV200000"])
def test_a_sparse_giant_sheet_is_refused(
    client: TestClient, world: World, settings: Settings, tmp_path: Path, far_cell: str
) -> None:
    login(client, "admin@example.org")
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Einrichtungen"
    ws["A1"], ws[far_cell] = "ID", "x"
    path = tmp_path / "klein.xlsx"
    book.save(path)
    status, message = _upload(client, "klein.xlsx", path.read_bytes())
    assert status == 400
    assert "„Einrichtungen“" in message
    assert _staged(settings) == []


def test_a_csv_with_an_endless_line_is_refused(client: TestClient, world: World, settings: Settings) -> None:
    login(client, "admin@example.org")
    body = ("ID;Name\nT-1;" + "x" * (MAX_CSV_LINE + 1) + "\n").encode()
    status, message = _upload(client, "traeger.csv", body)
    assert status == 400  # before: an uncaught _csv.Error (HTTP 500), the staged file stayed on disk
    assert "Zeile 2" in message
    assert _staged(settings) == []
