"""Every workbook format imports cleanly and agrees: always with our own workbook (generated here by the
sample-data generator), and additionally with the reference workbook where ``../shared/data`` exists.

A plain clone has no ``../shared``: the reference cases are then simply not collected – never skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.catalogue.models import Angebot, Einrichtung
from benchmarks.generate_workbook import SPECS, generate, write_csv_dir, write_xlsx
from importers.export import export_workbook
from tests.importers.builders import write_ods
from tests.importers.conftest import REPO, SHARED_DATA, SyncRunner

FORMATS = ("xlsx", "ods", "csv")
REFERENCE_FILES = {
    "xlsx": "referenz-familienwegweiser.xlsx",
    "ods": "referenz-familienwegweiser.ods",
    "csv": "csv",
}
REFERENCE_COUNTS = {"traeger": 8, "einrichtungen": 38, "angebote": 150, "foerderungen": 50}
# Which workbooks exist decides which cases are collected: ours always, the reference only beside it.
WORKBOOKS = ["eigene", *(["referenz"] if SHARED_DATA.is_dir() else [])]
OWN_OFFERS, OWN_SEED = 60, 14
_COUNT_SHEETS = {"traeger": "Träger", "einrichtungen": "Einrichtungen", "angebote": "Angebote"}
_COUNT_SHEETS |= {"foerderungen": "Förderungen"}


@dataclass(frozen=True)
class Workbooks:
    files: dict[str, Path]
    counts: dict[str, int]


def _ods_value(value: Any) -> Any:
    return value if isinstance(value, str | int | float) or value is None else str(value)


@pytest.fixture(scope="module")
def own_workbooks(tmp_path_factory: pytest.TempPathFactory) -> Workbooks:
    """Our own fixture: one generated dataset written as xlsx, ods and a folder of CSVs."""
    folder = tmp_path_factory.mktemp("eigene")
    dataset = generate(OWN_OFFERS, OWN_SEED)
    write_xlsx(dataset, folder / "eigene.xlsx")
    write_csv_dir(dataset, folder / "csv")
    sheets = {
        title: [
            [col.header for col in SPECS[title].columns],
            *([_ods_value(row.get(col.header)) for col in SPECS[title].columns] for row in rows),
        ]
        for title, rows in dataset.sheets.items()
    }
    write_ods(sheets, folder / "eigene.ods")
    files = {"xlsx": folder / "eigene.xlsx", "ods": folder / "eigene.ods", "csv": folder / "csv"}
    counts = {kind: len(dataset.sheets[title]) for kind, title in _COUNT_SHEETS.items()}
    return Workbooks(files, counts)


@pytest.fixture(params=WORKBOOKS)
def workbooks(request: pytest.FixtureRequest) -> Workbooks:
    if request.param == "eigene":
        own: Workbooks = request.getfixturevalue("own_workbooks")
        return own
    return Workbooks({k: SHARED_DATA / name for k, name in REFERENCE_FILES.items()}, REFERENCE_COUNTS)


def test_the_own_workbook_is_always_there() -> None:
    assert WORKBOOKS[0] == "eigene"  # the reference may only add cases, never replace ours


@pytest.mark.parametrize("kind", FORMATS)
def test_workbook_imports_with_zero_errors(run_sync: SyncRunner, workbooks: Workbooks, kind: str) -> None:
    report = run_sync(workbooks.files[kind])
    assert report.ok and report.errors == [], report.errors[:5]
    assert {k: c["new"] for k, c in report.counts.items()} == workbooks.counts


def test_formats_agree_and_round_trip(
    run_sync: SyncRunner, workbooks: Workbooks, engine: Engine, tmp_path: Path
) -> None:
    assert run_sync(workbooks.files["xlsx"]).ok
    for kind in ("ods", "csv"):
        report = run_sync(workbooks.files[kind])
        assert report.ok and report.total_changes == 0, [c.to_dict() for c in report.changes[:3]]
    with Session(engine) as session:
        export_workbook(session, tmp_path / "export.xlsx")
    again = run_sync(tmp_path / "export.xlsx")
    assert again.ok and again.total_changes == 0


def test_sample_workbook_has_what_the_other_areas_rely_on(run_sync: SyncRunner, engine: Engine) -> None:
    report = run_sync(REPO / "data" / "familienwegweiser-beispiel.xlsx")
    assert report.ok, report.errors[:5]
    with Session(engine) as session:
        titles = set(session.exec(select(Angebot.titel)).all())
        assert {
            "Krabbelgruppe",
            "Eltern-Kind-Turnen",
            "Erziehungsberatung",
            "Familiencafé",
            "Hausaufgabenhilfe",
            "Schwangerschaftsberatung",
        } <= titles
        krabbel = session.exec(select(Angebot).where(Angebot.titel == "Krabbelgruppe")).one()
        assert krabbel.einrichtung.ortsteil.slug == "neulobeda"
        seniors = session.exec(
            select(Angebot).join(Einrichtung).where(Angebot.titel == "Seniorenmittagstisch")
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
