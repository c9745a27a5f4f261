"""Pages and downloads with no published grants at all (a fresh installation)."""

from __future__ import annotations

import csv
import io

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient


def test_overview_without_grants_says_so(client: TestClient) -> None:
    response = client.get("/foerderung")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one("#f-jahr option[selected]")["value"] == "alle"  # type: ignore[index]
    assert soup.select_one(".notice") is not None
    assert soup.select("#tabelle-projekte tbody tr") == []
    assert " ".join(soup.select_one("[data-testid=sum]").get_text().split()) == "0,00 €"  # type: ignore[union-attr]


def test_csv_without_grants_has_only_the_header(client: TestClient) -> None:
    response = client.get("/foerderung/download/alle/foerderungen-excel.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 and rows[0][0] == "Förder-ID"
