"""Förderungen column „Angebots-IDs“: links, located errors, export round trip, online edits kept."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from app.catalogue.models import Foerderung
from app.db import utcnow
from importers.export import export_workbook
from tests.importers import builders as b
from tests.importers.conftest import SyncRunner


def _with_offers(ids: str, header: str = "Angebots-IDs") -> b.Sheets:
    sheets = b.base_sheets()
    sheets["Förderungen"][0] = [*sheets["Förderungen"][0], header]
    sheets["Förderungen"][1] = [*sheets["Förderungen"][1], ids]
    return sheets


def _linked(engine: Engine) -> list[str]:
    with Session(engine) as session:
        grant = session.exec(select(Foerderung).where(Foerderung.external_id == "LSZ-2024-001")).one()
        return sorted(a.external_id for a in grant.angebote)


def test_column_links_offers_and_alias_header_works(
    run_sync: SyncRunner, engine: Engine, tmp_path: Path
) -> None:
    report = run_sync(b.write_xlsx(_with_offers("A-1; A-2"), tmp_path / "v1.xlsx"))
    assert report.ok, report.errors
    assert _linked(engine) == ["A-1", "A-2"]
    report = run_sync(b.write_xlsx(_with_offers("A-2", header="Angebote"), tmp_path / "v2.xlsx"))
    assert report.ok and report.counts["foerderungen"]["changed"] == 1
    assert _linked(engine) == ["A-2"]


def test_unknown_offer_id_is_a_located_error_and_nothing_is_written(
    run_sync: SyncRunner, engine: Engine, tmp_path: Path
) -> None:
    report = run_sync(b.write_xlsx(_with_offers("A-1; A-99"), tmp_path / "bad.xlsx"))
    assert not report.ok
    [error] = [e for e in report.errors if e.column == "Angebots-IDs"]
    assert (error.sheet, error.row, error.value) == ("Förderungen", 2, "A-99")
    assert "A-99" in error.message
    with Session(engine) as session:
        assert session.exec(select(Foerderung)).all() == []


def test_without_angebote_sheet_ids_of_offers_in_the_database_count(
    run_sync: SyncRunner, engine: Engine, tmp_path: Path
) -> None:
    assert run_sync(b.write_xlsx(b.base_sheets(), tmp_path / "v1.xlsx")).ok
    partial = _with_offers("A-3")
    del partial["Angebote"]
    report = run_sync(b.write_xlsx(partial, tmp_path / "v2.xlsx"))
    assert report.ok, report.errors
    assert _linked(engine) == ["A-3"]
    partial = _with_offers("A-404")
    del partial["Angebote"]
    assert not run_sync(b.write_xlsx(partial, tmp_path / "v3.xlsx")).ok


def test_export_writes_the_column_back_and_reimport_changes_nothing(
    run_sync: SyncRunner, engine: Engine, tmp_path: Path
) -> None:
    assert run_sync(b.write_xlsx(_with_offers("A-2; A-1"), tmp_path / "v1.xlsx")).ok
    exported = tmp_path / "export.xlsx"
    with Session(engine) as session:
        export_workbook(session, exported)
    from openpyxl import load_workbook

    sheet = load_workbook(exported)["Förderungen"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("Angebots-IDs") + 1).value == "A-1; A-2"
    report = run_sync(exported)
    assert report.ok and report.total_changes == 0


def test_workbook_without_the_column_keeps_links_set_online(
    run_sync: SyncRunner, engine: Engine, tmp_path: Path
) -> None:
    assert run_sync(b.write_xlsx(b.base_sheets(), tmp_path / "v1.xlsx")).ok
    with Session(engine) as session:
        grant = session.exec(select(Foerderung).where(Foerderung.external_id == "LSZ-2024-001")).one()
        from app.catalogue.models import Angebot

        grant.angebote = list(session.exec(select(Angebot).where(Angebot.external_id == "A-1")).all())
        grant.online_edits = {"angebote": utcnow().isoformat()}
        session.add(grant)
        session.commit()
    assert run_sync(b.write_xlsx(b.base_sheets(), tmp_path / "v2.xlsx")).ok
    assert _linked(engine) == ["A-1"]
    # With the column, but unchanged from the last import (empty): the newer online value stays.
    report = run_sync(b.write_xlsx(_with_offers(""), tmp_path / "v3.xlsx"))
    assert report.ok
    assert _linked(engine) == ["A-1"]
