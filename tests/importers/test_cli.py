"""The command line as other tools use it: exit codes 0/1/2, JSON, --dry-run, export → sync round trip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.importers import builders as b
from tests.importers.conftest import REPO

COUNT_KEYS = {"new", "changed", "unchanged", "unpublished"}
ERROR_KEYS = {"sheet", "row", "column", "value", "message"}


@pytest.fixture
def cli(sqlite_url: str, tmp_path: Path) -> Any:
    env = {
        **os.environ,
        "DATABASE_URL": sqlite_url,
        "SEARCH_INDEX_PATH": str(tmp_path / "search.db"),
        "SEARCH_BACKEND": "sqlite",
        "ENV": "test",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "importers", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


def _json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    assert set(data) >= {"ok", "dry_run", "counts", "errors", "warnings", "conflicts"}
    assert set(data["counts"]) == {"traeger", "einrichtungen", "angebote", "foerderungen"}
    assert all(set(c) == COUNT_KEYS for c in data["counts"].values())
    assert all(set(e) == ERROR_KEYS for e in data["errors"] + data["warnings"])
    return data


def test_sync_json_dry_run_then_apply_then_rerun(cli: Any, tmp_path: Path) -> None:
    path = b.write_xlsx(b.base_sheets(), tmp_path / "mappe.xlsx")
    dry = cli("sync", str(path), "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    data = _json(dry)
    assert data["ok"] is True and data["dry_run"] is True
    assert data["counts"]["angebote"] == {"new": 3, "changed": 0, "unchanged": 0, "unpublished": 0}

    applied = cli("sync", str(path), "--json", "--as-of", "2026-01-15")
    assert applied.returncode == 0, applied.stderr
    assert _json(applied)["counts"]["angebote"]["new"] == 3  # the dry run wrote nothing

    again = cli("sync", str(path))
    assert again.returncode == 0
    assert "Keine Änderungen" in again.stdout
    assert "Traceback" not in again.stderr


def test_validation_errors_exit_1_with_located_errors(cli: Any, tmp_path: Path) -> None:
    sheets = b.base_sheets()
    b.set_cell(sheets, "Angebote", "A-2", "Ortsteil", "Lobda")
    result = cli("sync", str(b.write_xlsx(sheets, tmp_path / "fehler.xlsx")), "--json")
    assert result.returncode == 1
    data = _json(result)
    assert data["ok"] is False
    assert [(e["sheet"], e["row"], e["column"], e["value"]) for e in data["errors"]] == [
        ("Angebote", b.spreadsheet_row(sheets, "Angebote", "A-2"), "Ortsteil", "Lobda")
    ]
    readable = cli("sync", str(tmp_path / "fehler.xlsx"))
    assert readable.returncode == 1
    assert "Lobda" in readable.stdout and "nichts gespeichert" in readable.stdout


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notiz.xlsx", b"Das ist keine Tabelle", "keine Arbeitsmappe"),
        ("leer.xlsx", b"", "leer"),
        ("fehlt.xlsx", None, "fehlt"),
    ],
)
def test_unreadable_input_exits_2_without_traceback(
    cli: Any, tmp_path: Path, name: str, content: bytes | None, expected: str
) -> None:
    path = tmp_path / name
    if content is None:
        sheets = b.base_sheets()
        del sheets["Träger"]
        b.write_xlsx(sheets, path)
    else:
        path.write_bytes(content)
    result = cli("sync", str(path), "--json")
    assert result.returncode == 2
    data = _json(result)
    assert data["ok"] is False and expected in data["errors"][0]["message"]
    readable = cli("sync", str(path))
    assert readable.returncode == 2 and "Traceback" not in readable.stderr + readable.stdout
    assert expected in readable.stdout


def test_export_then_sync_reports_zero_changes(cli: Any, tmp_path: Path) -> None:
    assert cli("sync", str(b.write_xlsx(b.base_sheets(), tmp_path / "mappe.xlsx"))).returncode == 0
    exported = tmp_path / "export.xlsx"
    result = cli("export", str(exported))
    assert result.returncode == 0, result.stderr
    data = _json(cli("sync", str(exported), "--json"))
    assert data["ok"] is True and not data["conflicts"]
    assert all(c["new"] == c["changed"] == c["unpublished"] == 0 for c in data["counts"].values())


def test_database_without_tables_exits_2_with_a_hint(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'leer.db'}", "ENV": "test"}
    path = b.write_xlsx(b.base_sheets(), tmp_path / "mappe.xlsx")
    result = subprocess.run(
        [sys.executable, "-m", "importers", "sync", str(path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "python -m app.migrate" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
