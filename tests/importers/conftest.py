"""Importer fixtures: run a sync against the per-test database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from app.settings import Settings
from importers.report import SyncReport
from importers.sync import sync_workbook

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"

SyncRunner = Callable[..., SyncReport]


@pytest.fixture
def run_sync(engine: Engine, settings: Settings) -> SyncRunner:
    def run(path: Path, **kwargs: Any) -> SyncReport:
        return sync_workbook(path, engine=engine, settings=settings, **kwargs)

    return run
