"""The reference workbook (../shared/data) imports cleanly in all formats; our sample has what others need."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.catalogue.models import Angebot, Einrichtung
from importers.export import export_workbook
from tests.importers.conftest import REPO, SHARED_DATA, SyncRunner

EXPECTED = {"traeger": 8, "einrichtungen": 38, "angebote": 150, "foerderungen": 50}
SOURCES = {
    "xlsx": "referenz-familienwegweiser.xlsx",
    "ods": "referenz-familienwegweiser.ods",
    "csv": "csv",
}


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} fehlt (nur außerhalb des Projektbaums)")
    return SHARED_DATA


@pytest.mark.parametrize("kind", list(SOURCES))
def test_reference_workbook_imports_with_zero_errors(
    run_sync: SyncRunner, shared_data: Path, kind: str
) -> None:
    report = run_sync(shared_data / SOURCES[kind])
    assert report.ok and report.errors == [], report.errors[:5]
    assert {k: c["new"] for k, c in report.counts.items()} == EXPECTED


def test_reference_formats_agree_and_round_trip(
    run_sync: SyncRunner, shared_data: Path, engine: Engine, tmp_path: Path
) -> None:
    assert run_sync(shared_data / SOURCES["xlsx"]).ok
    for kind in ("ods", "csv"):
        report = run_sync(shared_data / SOURCES[kind])
        assert report.ok and report.total_changes == 0, [c.to_dict() for c in report.changes[:3]]
    with Session(engine) as session:
        export_workbook(session, tmp_path / "export.xlsx")
    again = run_sync(tmp_path / "export.xlsx")
    assert again.ok and again.total_changes == 0


def test_sample_workbook_has_what_the_other_areas_rely_on(run_sync: SyncRunner, engine: Engine) -> None:
    report = run_sync(REPO / "data" / "familienwegweiser-beispiel.xlsx")
    assert report.ok, report.errors[:5]
    with Session(engine) as session:
        titles = set(session.exec(select(Angebot.title)).all())
        assert {
            "Krabbelgruppe",
            "Eltern-Kind-Turnen",
            "Erziehungsberatung",
            "Familiencafé",
            "Hausaufgabenhilfe",
            "Schwangerschaftsberatung",
        } <= titles
        krabbel = session.exec(select(Angebot).where(Angebot.title == "Krabbelgruppe")).one()
        assert krabbel.einrichtung.ortsteil.slug == "neulobeda"
        seniors = session.exec(
            select(Angebot).join(Einrichtung).where(Angebot.title == "Seniorenmittagstisch")
        ).one()
        assert seniors.einrichtung.ortsteil.slug == "loebstedt"
        assert any(
            "<script>alert(1)</script>" in (a.beschreibung or "") for a in session.exec(select(Angebot))
        )
        districts = session.exec(select(func.count(func.distinct(Einrichtung.ortsteil_id)))).one()
        assert districts == 30
        statuses = set(session.exec(select(Einrichtung.status)).all())
        assert {"geschlossen", "umgezogen", "voruebergehend-geschlossen", "aktiv"} <= statuses
        expired = session.exec(
            select(func.count()).select_from(Angebot).where(col(Angebot.gueltig_bis) < func.current_date())
        ).one()
        assert expired >= 1
