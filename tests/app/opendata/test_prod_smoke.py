"""Runs ``make prod-smoke`` (scripts/prod_smoke.py): PostgreSQL + real Meilisearch + 2 uvicorn workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PREREQUISITES_MISSING = 2  # the script's exit code when PostgreSQL, Meilisearch or the sample is missing


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.meili
def test_production_topology_smoke() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.prod_smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode == PREREQUISITES_MISSING:
        pytest.skip(result.stderr.strip())
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr[-5000:]}"
    for expected in (
        "auf allen 2 Workern",
        "Ratenbegrenzung gilt über Worker hinweg",
        "reindex stellt die Suche wieder her",
        "Produktions-Smoke bestanden",
    ):
        assert expected in result.stdout
