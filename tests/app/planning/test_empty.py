"""The planning view of an empty catalogue."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient


def test_planning_without_offers_marks_every_cell_empty(client: TestClient) -> None:
    soup = BeautifulSoup(client.get("/planung").text, "html.parser")
    assert soup.select_one("[data-testid=empty-cells]").get_text(strip=True) == str(30 * 13)  # type: ignore[union-attr]
    assert soup.select_one("[data-testid=stale-total]").get_text(strip=True) == "0"  # type: ignore[union-attr]
