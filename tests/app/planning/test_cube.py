"""/planung cube: Ortsteil × Zielgruppe for one HF (and the other views), Planungsraum subtotals, the year's
LSZ money beside the counts, and the CSV of the whole cube."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import factories


@pytest.fixture
def data(session: Session) -> None:
    t = factories.traeger(session, external_id="T-C", name="Würfelverein e.V.")
    neulobeda = factories.einrichtung(session, traeger_row=t, ortsteil_slug="neulobeda", external_id="E-NL")
    winzerla = factories.einrichtung(session, traeger_row=t, ortsteil_slug="winzerla", external_id="E-WZ")
    # Two HF 3 offers for families in Neulobeda, one of them also for single parents; one HF 6 for seniors.
    factories.angebot(
        session,
        einrichtung_row=neulobeda,
        zielgruppen=("familien", "alleinerziehende"),
        handlungsfeld_number=3,
    )
    factories.angebot(session, einrichtung_row=neulobeda, zielgruppen=("familien",), handlungsfeld_number=3)
    factories.angebot(session, einrichtung_row=winzerla, zielgruppen=("senioren",), handlungsfeld_number=6)
    # An HF 3 offer running in two Ortsteile of Planungsraum Lobeda (counts in each; subtotal adds both).
    factories.angebot(
        session, einrichtung_row=neulobeda, zielgruppen=("kinder",), handlungsfeld_number=3,
        ortsteile=("lobeda-altstadt", "woellnitz"),
    )  # fmt: skip
    factories.foerderung(
        session,
        traeger_row=t,
        jahr=2025,
        handlungsfeld_number=3,
        betrag_cents=10_000_00,
        ortsteile=("neulobeda",),
    )
    factories.foerderung(
        session,
        traeger_row=t,
        jahr=2025,
        handlungsfeld_number=6,
        betrag_cents=5_000_00,
        ortsteile=("neulobeda",),
    )
    factories.foerderung(
        session,
        traeger_row=t,
        jahr=2024,
        handlungsfeld_number=3,
        betrag_cents=99_000_00,
        ortsteile=("neulobeda",),
    )
    session.commit()


def _row(page: BeautifulSoup, key: str) -> list[str]:
    row = page.select_one(f"#wuerfel-tabelle tr[data-key='{key}']")
    assert row is not None, key
    return [c.get_text(" ", strip=True) for c in row.select("td")]


def test_ortsteil_by_zielgruppe_for_one_hf_with_money_and_subtotals(client: TestClient, data: None) -> None:
    response = client.get("/planung", params={"ansicht": "ortsteil-zielgruppe", "hf": 3, "jahr": 2025})
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    headers = [th.get_text(strip=True) for th in page.select("#wuerfel-tabelle thead th")]
    familien = headers.index("Familien") - 1
    alleinerziehende = headers.index("Alleinerziehende") - 1
    kinder = headers.index("Kinder (3–12 J.)") - 1
    neulobeda = _row(page, "neulobeda")
    assert neulobeda[familien].startswith("2") and neulobeda[alleinerziehende].startswith("1")
    assert neulobeda[-1] == "10.000,00\xa0€"  # HF 3 money of 2025 only (not 2024, not HF 6)
    assert _row(page, "winzerla")[familien].endswith("Lücke")  # the HF 6 offer does not count for HF 3
    lobeda = _row(page, "planungsraum-lobeda")
    assert lobeda[familien].startswith("2") and lobeda[kinder].startswith("2")  # Lobeda-Altstadt + Wöllnitz
    assert lobeda[-1] == "10.000,00\xa0€"


def test_other_two_views_and_bad_values(client: TestClient, data: None) -> None:
    page = BeautifulSoup(
        client.get(
            "/planung", params={"ansicht": "ortsteil-handlungsfeld", "zielgruppe": "familien", "jahr": 2025}
        ).text,
        "html.parser",
    )
    neulobeda = _row(page, "neulobeda")
    assert neulobeda[2].startswith("2") and neulobeda[-1] == "15.000,00\xa0€"  # HF 3 column; all HF money
    page = BeautifulSoup(
        client.get("/planung", params={"ansicht": "zielgruppe-handlungsfeld", "ortsteil": "neulobeda"}).text,
        "html.parser",
    )
    assert _row(page, "familien")[2].startswith("2") and _row(page, "alle")[2].startswith("2")
    for bad in ({"ansicht": "kreuz"}, {"hf": "9"}, {"jahr": "1999"}, {"zielgruppe": "x"}):
        assert client.get("/planung", params=bad).status_code == 400, bad


def test_cube_csv_has_every_combination(client: TestClient, data: None) -> None:
    response = client.get("/planung/wuerfel.csv", params={"jahr": 2025})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Planungsraum", "Ortsteil", "Zielgruppe", "Handlungsfeld", "Angebote"]
    by_key = {(r[1], r[2], r[3]): r for r in rows[1:]}
    assert by_key[("Neulobeda", "Familien", "3")][4:] == ["2", "10000,00"]
    assert by_key[("Neulobeda", "Familien", "6")][4:] == ["0", "5000,00"]
    assert by_key[("Winzerla", "Seniorinnen und Senioren", "6")][4] == "1"
    assert len(rows) == 1 + 31 * 13 * 7  # 30 Ortsteile + stadtweit, 13 Zielgruppen, HF 1–6 + ohne
    assert client.get("/planung/wuerfel.csv", params={"jahr": 1999}).status_code == 400
