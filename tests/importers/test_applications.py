"""Funding-cycle sheets: tolerant import, located errors (nothing written), round trip, the ranking CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app import cli
from app.applications.models import Antrag, Bewertung, Foerderjahr, Kriterium
from app.applications.service import ranking_for_year
from app.catalogue.values import ParseError
from app.settings import Settings
from importers.application_sheets import parse_points, parse_weight
from importers.export import export_workbook
from tests.importers.builders import write_xlsx
from tests.importers.conftest import SHARED_DATA, SyncRunner
from tests.importers.funding_builders import funding_sheets


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_funding_sheets_import_with_their_tolerance(
    run_sync: SyncRunner, engine: Engine, tmp_path: Path
) -> None:
    report = run_sync(write_xlsx(funding_sheets(), tmp_path / "f.xlsx"))
    assert report.ok, [e.to_dict() for e in report.errors]
    assert {k: report.counts[k]["new"] for k in ("foerderjahre", "kriterien", "antraege", "bewertungen")} == {
        "foerderjahre": 1,
        "kriterien": 3,
        "antraege": 4,
        "bewertungen": 33,
    }
    with Session(engine) as session:
        assert session.get(Foerderjahr, 2027).budget_cents == 25_000_00  # type: ignore[union-attr]
        weights = {k.external_id: k.gewicht for k in session.exec(select(Kriterium)).all()}
        assert weights == {"K1": 50.0, "K2": 30.0, "K3": 20.0}  # "50 %", "30", 0.2
        a2 = session.exec(select(Antrag).where(Antrag.external_id == "AN-2027-002")).one()
        assert (a2.summe_cents, a2.handlungsfeld_number, a2.status, a2.art) == (
            15_000_00,
            6,
            "eingegangen",
            "fortsetzung",
        )
        assert a2.ortsteile == ["loebstedt"] and a2.zielgruppen == ["senioren"]
        a1 = session.exec(select(Antrag).where(Antrag.external_id == "AN-2027-001")).one()
        assert a1.ortsteile == [
            "drackendorf",
            "lobeda-altstadt",
            "neulobeda",
            "woellnitz",
        ]  # Planungsraum Lobeda
        points = sorted(b.punkte for b in session.exec(select(Bewertung).where(Bewertung.antrag_id == a1.id)))
        assert points == [2, 2, 3, 3, 3, 4, 4, 4, 5]  # "4", 3.0, "2 Punkte" …
        ranking = ranking_for_year(session, 2027).to_json()
    by_id = {i["antrag"]: i for i in ranking["items"]}
    assert by_id["AN-2027-002"] | {"titel": None} == {
        "antrag": "AN-2027-002", "titel": None, "traeger": "T-2", "rang": 1, "punkte": 76.0,
        "summe_cents": 15_000_00, "im_budget": True, "status": "eingegangen", "uneinig": ["K2"],
    }  # fmt: skip
    assert (by_id["AN-2027-001"]["rang"], by_id["AN-2027-001"]["punkte"]) == (2, 72.6667)
    assert by_id["AN-2027-001"]["im_budget"] is False  # 15.000 + 12.000 > 25.000
    assert by_id["AN-2027-003"]["rang"] is None and by_id["AN-2027-003"]["status"] == "zurückgezogen"
    assert (by_id["AN-2027-004"]["rang"], by_id["AN-2027-004"]["punkte"]) == (None, None)  # K3 unscored


def test_sync_again_and_export_round_trip_change_nothing(
    run_sync: SyncRunner, engine: Engine, tmp_path: Path
) -> None:
    path = write_xlsx(funding_sheets(), tmp_path / "f.xlsx")
    assert run_sync(path).ok
    again = run_sync(path)
    assert again.ok and again.total_changes == 0
    with Session(engine) as session:
        export_workbook(session, tmp_path / "export.xlsx")
    report = run_sync(tmp_path / "export.xlsx")
    assert report.ok, [e.to_dict() for e in report.errors]
    assert report.total_changes == 0, [c.to_dict() for c in report.changes[:5]]
    assert report.counts["bewertungen"]["unchanged"] == 33


def _errors_for(
    run_sync: SyncRunner, tmp_path: Path, sheets: dict
) -> list[tuple[str | None, int | None, str | None]]:
    report = run_sync(write_xlsx(sheets, tmp_path / "bad.xlsx"))
    assert not report.ok and report.exit_code == 1
    return [(e.sheet, e.row, e.column) for e in report.errors]


def test_errors_name_sheet_row_and_column_and_nothing_is_written(
    run_sync: SyncRunner, engine: Engine, tmp_path: Path
) -> None:
    sheets = funding_sheets()
    sheets["Kriterien"][4][2] = "10 %"  # K3: weights now 90 %
    sheets["Anträge"][2][2] = "T-99"  # unknown Träger (row 3)
    sheets["Bewertungen"][1][3] = "7"  # points outside 0–5 (row 2)
    sheets["Bewertungen"][2][3] = "viel"  # not a number (row 3)
    sheets["Bewertungen"].append(["AN-2027-999", "K1", "FD Soziales", 3, ""])  # unknown Antrag (row 35)
    sheets["Bewertungen"].append(["AN-2027-001", "K9", "FD Soziales", 3, ""])  # unknown Kriterium (row 36)
    sheets["Bewertungen"].append(["AN-2027-001", "K2", "fd soziales", 3, ""])  # repeated triple (row 37)
    errors = _errors_for(run_sync, tmp_path, sheets)
    assert ("Kriterien", 5, "Gewicht") in errors
    assert ("Anträge", 3, "Träger-ID") in errors
    assert ("Bewertungen", 2, "Punkte") in errors
    assert ("Bewertungen", 3, "Punkte") in errors
    assert ("Bewertungen", 35, "Antrags-ID") in errors
    assert ("Bewertungen", 36, "Kriterium-ID") in errors
    assert ("Bewertungen", 37, "Prüfer") in errors
    assert len(errors) == 7  # no follow-up errors for the points of the broken application
    assert _count(engine, Antrag) == 0 and _count(engine, Bewertung) == 0 and _count(engine, Kriterium) == 0


def test_an_application_year_without_budget_is_an_error(run_sync: SyncRunner, tmp_path: Path) -> None:
    sheets = funding_sheets()
    sheets["Anträge"][1][1] = 2031
    assert ("Anträge", 2, "Förderjahr") in _errors_for(run_sync, tmp_path, sheets)


def test_rangliste_cli_prints_the_ranking_as_json(
    run_sync: SyncRunner, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_sync(write_xlsx(funding_sheets(), tmp_path / "f.xlsx")).ok
    assert cli.main(["rangliste", "--jahr", "2027", "--json"], settings=settings) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["jahr"], out["budget_cents"]) == (2027, 25_000_00)
    assert [i["antrag"] for i in out["items"]] == ["AN-2027-001", "AN-2027-002", "AN-2027-003", "AN-2027-004"]
    assert [i["rang"] for i in out["items"]] == [2, 1, None, None]
    assert set(out["items"][0]) == {
        "antrag", "titel", "traeger", "rang", "punkte", "summe_cents", "im_budget", "status", "uneinig"
    }  # fmt: skip
    assert cli.main(["rangliste", "--jahr", "2027"], settings=settings) == 0
    text = capsys.readouterr().out
    assert "76,0" in text and "unvollständig bewertet" in text and "über Budget" in text
    assert cli.main(["rangliste", "--jahr", "1999"], settings=settings) == 1


def test_reference_ranking_matches_where_the_shared_data_exists(
    run_sync: SyncRunner, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Always checks our own workbook; adds the reference's published ranking where ../shared exists."""
    sources = [(write_xlsx(funding_sheets(), tmp_path / "f.xlsx"), None)]
    reference = SHARED_DATA / "referenz-mit-antraegen.xlsx"
    if reference.exists():
        expected = json.loads((SHARED_DATA / "referenz-mit-antraegen.rangliste.json").read_text())
        sources.append((reference, expected))
    for path, expected in sources:
        assert run_sync(path).ok
        if expected is None:
            continue
        assert cli.main(["rangliste", "--jahr", str(expected["jahr"]), "--json"], settings=settings) == 0
        capsys.readouterr()
        assert cli.main(["rangliste", "--jahr", str(expected["jahr"]), "--json"], settings=settings) == 0
        text = capsys.readouterr().out
        out = json.loads(text)
        assert out["budget_cents"] == expected["budget_cents"]
        assert {i["antrag"]: i for i in out["items"]} == {i["antrag"]: i for i in expected["items"]}
        # Even the text is the reference file's (same key order, indentation, rounding).
        assert text == (SHARED_DATA / "referenz-mit-antraegen.rangliste.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("cell", "percent"),
    [("25 %", 25.0), ("25%", 25.0), ("25", 25.0), ("0,25", 25.0), (0.25, 25.0), (25, 25.0), ("12,5 %", 12.5),
     ("20 Prozent", 20.0)],
)  # fmt: skip
def test_weights_are_read_as_percent(cell: object, percent: float) -> None:
    assert parse_weight(cell) == percent


@pytest.mark.parametrize(
    ("cell", "points"), [("4", 4), ("4 Punkte", 4), (3.0, 3), ("3,0", 3), (0, 0), (5, 5)]
)
def test_points_as_text_or_number(cell: object, points: int) -> None:
    assert parse_points(cell) == points


@pytest.mark.parametrize("cell", ["7", "-1", "2,5", "viel", 6, True])
def test_points_outside_zero_to_five_or_not_whole_are_refused(cell: object) -> None:
    with pytest.raises(ParseError):
        parse_points(cell)
