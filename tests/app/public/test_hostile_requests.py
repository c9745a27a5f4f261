"""Hostile /angebote and /api/v1/offers URLs (issue 14): repeated filters and long queries are capped."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.catalogue import vocab
from tests.browser.dataset import KnownIds


def test_a_filter_repeated_thousands_of_times_is_refused_cheaply(known: KnownIds, client: TestClient) -> None:
    query = "&".join(["ortsteil=lobeda"] * 2000)
    response = client.get(f"/angebote?{query}")
    assert response.status_code == 400
    assert "zu lang" in response.text
    # Bounded output: before the cap every chip repeated all the others (120 MB at N = 2,000).
    assert len(response.content) < 100_000
    assert "ortsteil=lobeda&amp;ortsteil=lobeda" not in response.text  # the URL is not echoed into links
    assert response.text.count('class="chip"') <= 1


def test_duplicates_are_merged_into_one_chip(known: KnownIds, client: TestClient) -> None:
    query = "&".join(["ortsteil=lobeda", "ortsteil=Lobeda", "ortsteil=lobeda"] * 10)
    response = client.get(f"/angebote?{query}")
    assert response.status_code == 200
    assert response.text.count('class="chip"') == 1


def test_more_distinct_values_than_the_vocabulary_has_are_a_400(known: KnownIds, client: TestClient) -> None:
    too_many = len(vocab.ZIELGRUPPEN) + 1
    query = "&".join(f"zielgruppe=x{i}" for i in range(too_many))
    response = client.get(f"/angebote?{query}")
    assert response.status_code == 400
    assert "Zu viele Werte" in response.text
    assert response.text.count('class="chip"') <= len(vocab.ZIELGRUPPEN)


def test_the_api_shares_the_limits(known: KnownIds, client: TestClient) -> None:
    long = client.get("/api/v1/offers?" + "&".join(["ortsteil=lobeda"] * 2000))
    assert long.status_code == 422
    assert any(item["loc"] == ["query", "query"] for item in long.json()["detail"])
    districts = client.get("/api/v1/offers?" + "&".join(f"ortsteil=o{i}" for i in range(60)))
    assert districts.status_code == 422
    messages = {tuple(item["loc"]): item["msg"] for item in districts.json()["detail"]}
    assert "Zu viele Werte" in messages[("query", "ortsteil")]
    duplicates = client.get("/api/v1/offers?" + "&".join(["ortsteil=lobeda"] * 20))
    assert duplicates.status_code == 200
