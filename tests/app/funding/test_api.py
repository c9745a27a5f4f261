"""GET /api/v1/funding: the issue's response shape, filters, independently summed totals, 422s."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.app.funding.dataset import PUBLISHED, TRAEGER

ITEM_KEYS = {
    "id",
    "year",
    "project",
    "traeger",
    "handlungsfeld",
    "amount_cents",
    "ortsteile",
    "offer_ids",
    "evaluation",
}


@pytest.mark.usefixtures("funded")
def test_shape_and_totals_for_a_year(client: TestClient) -> None:
    response = client.get("/api/v1/funding", params={"year": 2021})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "totals"}
    assert set(body["totals"]) == {"count", "sum_cents", "by_handlungsfeld", "by_year"}
    grants = [g for g in PUBLISHED if g.jahr == 2021]
    for item in body["items"]:
        assert set(item) == ITEM_KEYS
        assert set(item["traeger"]) == {"id", "name"}
    by_id = {i["id"]: i for i in body["items"]}
    assert set(by_id) == {g.external_id for g in grants}
    for spec in grants:
        item = by_id[spec.external_id]
        assert item["amount_cents"] == spec.cents
        assert item["traeger"] == {"id": spec.traeger, "name": TRAEGER[spec.traeger]}
        assert item["handlungsfeld"] == spec.hf
        assert item["year"] == 2021
    assert by_id["LSZ-2021-006"]["ortsteile"] == ["stadtweit"]
    assert body["totals"]["count"] == len(grants)
    assert body["totals"]["sum_cents"] == sum(g.cents for g in grants)
    assert body["totals"]["by_handlungsfeld"] == {
        str(n): sum(g.cents for g in grants if g.hf == n) for n in range(1, 7)
    }
    assert body["totals"]["by_year"] == {"2021": sum(g.cents for g in grants)}


@pytest.mark.usefixtures("funded")
def test_all_years_and_filters(client: TestClient) -> None:
    body = client.get("/api/v1/funding").json()
    years = sorted({g.jahr for g in PUBLISHED})
    assert body["totals"]["by_year"] == {
        str(y): sum(g.cents for g in PUBLISHED if g.jahr == y) for y in years
    }

    body = client.get("/api/v1/funding", params={"handlungsfeld": 6, "traeger": "T-A"}).json()
    assert {i["id"] for i in body["items"]} == {
        g.external_id for g in PUBLISHED if g.hf == 6 and g.traeger == "T-A"
    }

    body = client.get("/api/v1/funding", params={"ortsteil": "neulobeda"}).json()
    assert {i["id"] for i in body["items"]} == {g.external_id for g in PUBLISHED if "neulobeda" in g.places}

    body = client.get("/api/v1/funding", params={"ortsteil": "planungsraum-winzerla"}).json()
    winzerla = {"winzerla", "burgau", "goeschwitz", "ammerbach"}
    assert {i["id"] for i in body["items"]} == {g.external_id for g in PUBLISHED if winzerla & set(g.places)}

    # A well-formed Träger id without grants is a filter that matches nothing (not an error).
    body = client.get("/api/v1/funding", params={"traeger": "T-GIBTSNICHT"}).json()
    assert body["items"] == [] and body["totals"]["sum_cents"] == 0

    body = client.get("/api/v1/funding", params={"ortsteil": "stadtweit", "year": 2021}).json()
    stadtweit = [g for g in PUBLISHED if g.stadtweit and g.jahr == 2021]
    assert body["totals"]["sum_cents"] == sum(g.cents for g in stadtweit)


def test_empty_database_gives_zero_totals(client: TestClient) -> None:
    body = client.get("/api/v1/funding").json()
    assert body == {
        "items": [],
        "totals": {
            "count": 0,
            "sum_cents": 0,
            "by_handlungsfeld": {str(n): 0 for n in range(1, 7)},
            "by_year": {},
        },
    }


@pytest.mark.usefixtures("funded")
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "zwanzig"}, "year"),
        ({"year": "1800"}, "year"),
        ({"handlungsfeld": "7"}, "handlungsfeld"),
        ({"handlungsfeld": "HF3"}, "handlungsfeld"),
        ({"traeger": "T-\x00"}, "traeger"),
        ({"traeger": "T-\n1"}, "traeger"),
        ({"traeger": ""}, "traeger"),
        ({"ortsteil": "Atlantis"}, "ortsteil"),
        (
            {"ortsteil": "Lobeda-West"},
            "ortsteil",
        ),  # names and aliases are for the HTML page; the API takes codes
        ({"ortsteil": ""}, "ortsteil"),
    ],
)
def test_invalid_values_are_422(client: TestClient, params: dict[str, str], field: str) -> None:
    response = client.get("/api/v1/funding", params=params)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any(d["loc"] == ["query", field] for d in detail), detail
    assert all(isinstance(d["msg"], str) and d["msg"] for d in detail)


def test_openapi_documents_the_endpoint(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    operation = spec["paths"]["/api/v1/funding"]["get"]
    assert "Förderungen" in operation["description"]
    assert {p["name"] for p in operation["parameters"]} == {"year", "handlungsfeld", "traeger", "ortsteil"}
    assert "422" in operation["responses"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"items", "totals"}
    assert schema["example"]["totals"]["by_handlungsfeld"]["6"] == 1250000
    ortsteil = next(p for p in operation["parameters"] if p["name"] == "ortsteil")
    enum = set(ortsteil["schema"].get("enum") or ortsteil["schema"]["anyOf"][0]["enum"])
    assert {"stadtweit", "neulobeda", "planungsraum-lobeda"} <= enum and len(enum) == 30 + 1 + 6
