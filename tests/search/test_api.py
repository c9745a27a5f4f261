"""GET /api/v1/offers and /healthz against a real database (SQLite and PostgreSQL) and the embedded index."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.main import create_app
from app.settings import SearchBackendName, Settings
from search.indexing import index_offers
from tests.search.conftest import PUBLIC, build_catalogue, free_port


@pytest.fixture
def ids(engine: Engine, settings: Settings) -> dict[str, str]:
    with Session(engine, expire_on_commit=False) as session:
        ids = build_catalogue(session)
    assert index_offers(engine, settings).ok
    return ids


def test_offers_shape_and_facets(client: TestClient, ids: dict[str, str]) -> None:
    response = client.get("/api/v1/offers", params={"q": "Krabelgruppe"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["id"] == ids["krabbel"]
    assert item["title"] == "Krabbelgruppe Zwergenland"
    assert item["einrichtung"]["name"] == "Familienzentrum Sonnenhof"
    assert item["ortsteile"] == ["jena-zentrum"]
    assert item["zielgruppen"] == ["eltern-baby"]
    assert item["themen"] == ["begegnung"]
    assert item["handlungsfeld"] == 3
    assert item["url"].endswith(f"/angebote/{ids['krabbel']}")
    assert body["facets"]["kostenlos"] == {"true": 1}
    assert set(body["facets"]) >= {"ortsteil", "zielgruppe", "thema", "handlungsfeld", "sprache"}
    assert body["hinweis"] is None


def test_repeated_parameters_mean_or(client: TestClient, ids: dict[str, str]) -> None:
    response = client.get("/api/v1/offers?zielgruppe=kinder&zielgruppe=werdende-eltern&sort=name")
    assert response.status_code == 200
    assert [i["id"] for i in response.json()["items"]] == [ids["hausaufgaben"], ids["schwanger"]]


def test_paging_and_total(client: TestClient, ids: dict[str, str]) -> None:
    body = client.get("/api/v1/offers", params={"limit": 4, "offset": 12, "sort": "name"}).json()
    assert body["total"] == len(PUBLIC)
    assert len(body["items"]) == len(PUBLIC) - 12


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"ortsteil": "Lobda"}, "ortsteil", "Unbekannter Stadtteil"),
        ({"zielgruppe": "rentner"}, "zielgruppe", "Unbekannte Zielgruppe"),
        ({"thema": "x"}, "thema", "Unbekannte Thema"),
        ({"handlungsfeld": "9"}, "handlungsfeld", "Unbekanntes Handlungsfeld"),
        ({"alter": "abc"}, "alter", "keine Zahl"),
        ({"alter": "-1"}, "alter", "zwischen 0 und 120"),
        ({"kostenlos": "vielleicht"}, "kostenlos", "kein Wahrheitswert"),
        ({"sprache": "klingonisch"}, "sprache", "Unbekannte Sprache"),
        ({"lat": "95"}, "lat", "Breitengrad"),
        ({"sort": "zufall"}, "sort", "Unbekannte Sortierung"),
        ({"limit": "0"}, "limit", "zwischen 1 und 100"),
        ({"offset": "1.5"}, "offset", "keine ganze Zahl"),
        ({"q": "x" * 201}, "q", "höchstens 200"),
        ({"planungsraum": "mitte"}, "planungsraum", "Unbekannter Planungsraum"),
        ({"zielgruppe": ""}, "zielgruppe", "Leerer Wert"),
    ],
)
def test_invalid_values_give_422_in_german(
    client: TestClient, ids: dict[str, str], params: dict[str, str], field: str, fragment: str
) -> None:
    response = client.get("/api/v1/offers", params=params)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [d["loc"] for d in detail] == [["query", field]]
    assert fragment in detail[0]["msg"]


def test_unknown_district_suggests_names(client: TestClient, ids: dict[str, str]) -> None:
    detail = client.get("/api/v1/offers", params={"ortsteil": "Winzerl"}).json()["detail"]
    assert "Winzerla" in detail[0]["msg"]


def test_openapi_documents_the_parameters(client: TestClient) -> None:
    operation = client.get("/api/openapi.json").json()["paths"]["/api/v1/offers"]["get"]
    names = [p["name"] for p in operation["parameters"]]
    assert names == [
        "q", "ortsteil", "planungsraum", "zielgruppe", "thema", "handlungsfeld", "alter",
        "kostenlos", "barrierefrei", "sprache", "lat", "lon", "sort", "limit", "offset",
    ]  # fmt: skip
    assert "200" in operation["responses"]


def test_dead_engine_api_answers_with_notice_and_health_says_down(
    settings: Settings, engine: Engine, ids: dict[str, str]
) -> None:
    dead = settings.model_copy(
        update={
            "search_backend": SearchBackendName.meilisearch,
            "meili_url": f"http://127.0.0.1:{free_port()}",
            "meili_timeout_seconds": 0.3,
        }
    )
    app = create_app(dead)
    with TestClient(app) as client:
        body = client.get("/api/v1/offers", params={"q": "Seniorengymnastik", "ortsteil": "winzerla"}).json()
        health = client.get("/healthz").json()
    app.state.engine.dispose()
    assert [i["id"] for i in body["items"]] == [ids["senioren_winzerla"]]
    assert "nicht erreichbar" in body["hinweis"]
    assert health["checks"]["search"].startswith("down")
    assert health["checks"]["database"] == "ok"


def test_health_reports_a_working_index(client: TestClient, ids: dict[str, str]) -> None:
    assert client.get("/healthz").json()["checks"]["search"] == "ok"
