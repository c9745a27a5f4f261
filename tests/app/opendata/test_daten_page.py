"""/daten: downloads, licence from settings, date of the data, schema.org Dataset; /api/docs without CDN."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.catalogue.models import ImportRun
from app.main import create_app
from app.settings import Settings
from tests.app.opendata.conftest import Catalogue
from tests.app.opendata.hsds_schemas import assert_valid


def _soup(client: TestClient, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def _text(soup: BeautifulSoup, selector: str) -> str:
    element = soup.select_one(selector)
    assert element is not None, selector
    return element.get_text(strip=True)


def _json_ld(soup: BeautifulSoup) -> dict[str, object]:
    (script,) = soup.select('script[type="application/ld+json"]')
    data: dict[str, object] = json.loads(script.get_text())
    return data


def test_daten_lists_downloads_that_work(client: TestClient, catalogue: Catalogue) -> None:
    soup = _soup(client, "/daten")
    links = {a["href"] for a in soup.select("ul.downloads a")}
    assert {"/api/hsds/export.zip", "/api/hsds/services", "/api/docs", "/api/openapi.json"} <= links
    assert "/foerderung/download/alle/foerderungen-360giving.json" in links
    for href in ("/api/hsds/export.zip", "/api/hsds/services", "/api/docs", "/api/openapi.json"):
        assert client.get(str(href)).status_code == 200, href


def test_daten_shows_default_licence_and_dataset(client: TestClient, catalogue: Catalogue) -> None:
    soup = _soup(client, "/daten")
    licence = soup.select_one('[data-testid="licence"] a')
    assert licence is not None
    assert licence.get_text() == "Datenlizenz Deutschland – Namensnennung – Version 2.0"
    assert licence["href"] == "https://www.govdata.de/dl-de/by-2-0"
    attribution = soup.select_one('[data-testid="attribution"]')
    assert attribution is not None and "Stadt Jena" in attribution.get_text()
    data = _json_ld(soup)
    assert data["@type"] == "Dataset"
    assert data["license"] == "https://www.govdata.de/dl-de/by-2-0"
    distribution = data["distribution"]
    assert isinstance(distribution, list)
    urls = [d["contentUrl"] for d in distribution]
    assert "http://127.0.0.1:8000/api/hsds/export.zip" in urls
    assert data["dateModified"] == datetime.now(UTC).date().isoformat()  # the factories just wrote rows


@pytest.fixture
def custom_client(settings: Settings) -> Iterator[TestClient]:
    custom = settings.model_copy(
        update={
            "data_licence_name": "Creative Commons Namensnennung 4.0",
            "data_licence_url": "https://creativecommons.org/licenses/by/4.0/",
            "data_licence_attribution": "Stadt Musterstadt",
            "base_url": "https://daten.example.org",
        }
    )
    app = create_app(custom)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def test_licence_comes_from_settings(custom_client: TestClient) -> None:
    soup = _soup(custom_client, "/daten")
    assert _text(soup, '[data-testid="licence"]') == "Creative Commons Namensnennung 4.0"
    assert "Stadt Musterstadt" in _text(soup, '[data-testid="attribution"]')
    data = _json_ld(soup)
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["url"] == "https://daten.example.org/daten"
    assert "dateModified" not in data  # an empty catalogue has no date
    assert "noch keine Daten" in _text(soup, '[data-testid="updated"]')


def test_update_date_is_the_last_import(client: TestClient, session: Session) -> None:
    session.add(
        ImportRun(file_name="a.xlsx", sha256="0" * 64, ok=True, finished_at=datetime(2026, 2, 3, tzinfo=UTC))
    )
    session.add(
        ImportRun(
            file_name="b.xlsx",
            sha256="1" * 64,
            ok=True,
            dry_run=True,
            finished_at=datetime(2026, 5, 6, tzinfo=UTC),
        )
    )
    session.commit()
    soup = _soup(client, "/daten")
    assert _text(soup, '[data-testid="updated"]') == "03.02.2026"
    assert _json_ld(soup)["dateModified"] == "2026-02-03"


def test_api_docs_is_self_hosted_and_lists_the_apis(client: TestClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src")):
        for element in soup.find_all(tag):
            value = str(element.get(attribute) or "")
            assert urlsplit(value).netloc in ("", "testserver"), value  # own origin only
    assert soup.find(string=lambda s: s is not None and "swagger" in s.lower()) is None
    headings = [h.get_text(" ", strip=True) for h in soup.select("article h3")]
    assert "GET /api/hsds/services" in headings
    assert "GET /api/hsds/export.zip" in headings
    assert soup.select_one('a[href="/api/openapi.json"]') is not None
    text = response.text
    assert "Seitennummer (ab 1)." in text  # the German parameter descriptions


def test_api_docs_shows_parameters_and_examples_of_v1(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    v1 = [p for p in document["paths"] if p.startswith("/api/v1/")]
    assert v1, "no /api/v1 endpoints documented"
    soup = _soup(client, "/api/docs")
    headings = {h.get_text(" ", strip=True) for h in soup.select("article h3")}
    for path in v1:
        assert f"GET {path}" in headings
    funding = next(a for a in soup.select("article") if "GET /api/v1/funding" in a.get_text())
    assert "Förderjahr" in funding.get_text()
    example = funding.select_one("details pre")
    assert example is not None and json.loads(example.get_text())["items"]


def test_documented_hsds_example_is_valid_hsds(client: TestClient) -> None:
    soup = _soup(client, "/api/docs")
    article = next(a for a in soup.select("article") if _heading(a) == "GET /api/hsds/services")
    example = article.select_one("details pre")
    assert example is not None
    page = json.loads(example.get_text())
    assert page["total_items"] == len(page["contents"]) == 1
    for service in page["contents"]:
        assert_valid(service, "service_list.json")


def _heading(article: Tag) -> str:
    heading = article.select_one("h3")
    return heading.get_text(" ", strip=True) if heading else ""
