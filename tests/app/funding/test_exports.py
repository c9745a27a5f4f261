"""Downloads: every format parsed back; 360Giving validated against the official schema (tests/schemas/)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.app.funding.dataset import PUBLISHED, TRAEGER, GrantSpec

pytestmark = pytest.mark.usefixtures("funded")

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas" / "360giving"
GRANT_SCHEMA = json.loads((SCHEMA_DIR / "360-giving-schema.json").read_text(encoding="utf-8"))
PACKAGE_SCHEMA = json.loads((SCHEMA_DIR / "360-giving-package-schema.json").read_text(encoding="utf-8"))
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _format_checker() -> FormatChecker:
    """jsonschema checks ``date-time``/``uri`` only with extra packages; these two small checks stand in.

    It matters: the schema's ``oneOf: [{format: date-time}, {pattern: date}]`` only works when date-time is
    really asserted.
    """
    checker = FormatChecker()

    @checker.checks("date-time")
    def is_datetime(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not RFC3339.match(value):
            return False
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return True

    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and (parts.netloc or parts.path))

    return checker


def _validators() -> tuple[Draft202012Validator, Draft202012Validator]:
    # The schema spells its dialect with http://, so the resource is created as Draft 2020-12 explicitly.
    registry: Registry[Any] = Registry().with_resource(
        GRANT_SCHEMA["$id"], DRAFT202012.create_resource(GRANT_SCHEMA)
    )
    checker = _format_checker()
    return (
        Draft202012Validator(GRANT_SCHEMA, format_checker=checker, registry=registry),
        Draft202012Validator(PACKAGE_SCHEMA, format_checker=checker, registry=registry),
    )


def _download(client: TestClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.text[:300]
    assert "attachment" in response.headers["content-disposition"]
    return response.content


def _of_year(year: int) -> list[GrantSpec]:
    return [g for g in PUBLISHED if g.jahr == year]


def test_excel_csv_semicolon_bom_decimal_comma(client: TestClient) -> None:
    body = _download(client, "/foerderung/download/2021/foerderungen-excel.csv")
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    expected = {g.external_id: g for g in _of_year(2021)}
    assert {r["Förder-ID"] for r in rows} == set(expected)
    for row in rows:
        spec = expected[row["Förder-ID"]]
        assert re.fullmatch(r"\d+,\d{2}", row["Fördersumme"])
        assert Decimal(row["Fördersumme"].replace(",", ".")) * 100 == spec.cents
        assert row["Träger"] == TRAEGER[spec.traeger]  # quotes and ';' in the name survive
        assert row["Bewilligt am"] == (spec.bewilligt_am.strftime("%d.%m.%Y") if spec.bewilligt_am else "")
        assert row["Handlungsfeld"] == str(spec.hf)
    total = sum(Decimal(r["Fördersumme"].replace(",", ".")) for r in rows)
    assert total * 100 == sum(g.cents for g in expected.values())
    stadtweit = next(r for r in rows if r["Förder-ID"] == "LSZ-2021-006")
    assert stadtweit["Ortsteil"] == "stadtweit"


def test_standard_csv_comma_decimal_point_iso_dates(client: TestClient) -> None:
    body = _download(client, "/foerderung/download/alle/foerderungen.csv")
    assert not body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    expected = {g.external_id: g for g in PUBLISHED}
    assert {r["Förder-ID"] for r in rows} == set(expected)
    for row in rows:
        spec = expected[row["Förder-ID"]]
        assert Decimal(row["Fördersumme"]) * 100 == spec.cents
        if spec.bewilligt_am:
            assert date.fromisoformat(row["Bewilligt am"]) == spec.bewilligt_am
        if spec.laufzeit:
            assert (row["Laufzeit von"], row["Laufzeit bis"]) == tuple(d.isoformat() for d in spec.laufzeit)


def test_download_respects_filters(client: TestClient) -> None:
    body = _download(client, "/foerderung/download/2021/foerderungen.csv?handlungsfeld=6&ortsteil=loebstedt")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    expected = {g.external_id for g in _of_year(2021) if g.hf == 6 and "loebstedt" in g.places}
    assert {r["Förder-ID"] for r in rows} == expected


def test_json_download_parses_with_totals(client: TestClient) -> None:
    document = json.loads(_download(client, "/foerderung/download/2021/foerderungen.json"))
    grants = _of_year(2021)
    assert {i["id"] for i in document["items"]} == {g.external_id for g in grants}
    assert document["totals"]["sum_cents"] == sum(g.cents for g in grants)
    assert document["totals"]["count"] == len(grants)
    by_id = {i["id"]: i for i in document["items"]}
    assert by_id["LSZ-2021-006"]["ortsteile"] == ["stadtweit"]
    assert by_id["LSZ-2021-003"]["ortsteile"] == ["neulobeda", "winzerla"]
    assert document["meta"]["filter"]["jahr"] == 2021


def test_page_links_the_stable_download_urls(client: TestClient) -> None:
    soup = BeautifulSoup(client.get("/foerderung?jahr=2021&handlungsfeld=6").text, "html.parser")
    links = {str(a["data-format"]): str(a["href"]) for a in soup.select("a[data-format]")}
    names = ("foerderungen-excel.csv", "foerderungen.csv", "foerderungen.json", "foerderungen-360giving.json")
    assert links == {name: f"/foerderung/download/2021/{name}?handlungsfeld=6" for name in names}
    for url in links.values():
        assert client.get(url).status_code == 200


def test_360giving_validates_against_the_official_schema(client: TestClient) -> None:
    package = json.loads(_download(client, "/foerderung/download/alle/foerderungen-360giving.json"))
    grant_validator, package_validator = _validators()
    errors = [e.message for e in package_validator.iter_errors(package)]
    assert errors == []
    for grant in package["grants"]:
        assert [e.message for e in grant_validator.iter_errors(grant)] == [], grant["id"]
    assert len(package["grants"]) == len(PUBLISHED)


def test_360giving_fields(client: TestClient) -> None:
    package = json.loads(_download(client, "/foerderung/download/alle/foerderungen-360giving.json"))
    by_id = {g["id"]: g for g in package["grants"]}
    for spec in PUBLISHED:
        grant = by_id[f"360G-stadtjena-{spec.external_id}"]
        assert re.fullmatch(r"360G-[A-Za-z0-9-]+", grant["id"])
        assert grant["currency"] == "EUR"
        assert isinstance(grant["amountAwarded"], int | float)
        assert round(grant["amountAwarded"] * 100) == spec.cents
        assert grant["title"] == spec.title
        assert grant["description"] and grant["description"] != grant["title"]
        expected_award = spec.bewilligt_am or date(spec.jahr, 1, 1)
        assert grant["awardDate"] == expected_award.isoformat()
        assert grant["recipientOrganization"] == [
            {"id": f"360G-stadtjena-org-{spec.traeger}", "name": TRAEGER[spec.traeger]}
        ]
        assert grant["fundingOrganization"][0]["name"] == "Stadt Jena"
        assert grant["grantProgramme"][0]["code"] == "LSZ"
        assert grant["classifications"][0]["code"] == f"hf{spec.hf}"
        if spec.laufzeit:
            start, end = spec.laufzeit
            assert grant["plannedDates"] == [{"startDate": start.isoformat(), "endDate": end.isoformat()}]
    assert by_id["360G-stadtjena-LSZ-2021-006"]["beneficiaryLocation"] == [
        {"name": "Jena (stadtweit)", "countryCode": "DE"}
    ]
    # The 1-January fallback is stated in the package notes, naming the grants concerned.
    fallback = [g for g in PUBLISHED if g.bewilligt_am is None]
    assert fallback
    for spec in fallback:
        assert f"360G-stadtjena-{spec.external_id}" in package["description"]
    assert "1. Januar" in package["description"]


def test_360giving_prefix_comes_from_settings(settings: Any, funded: Any) -> None:
    from app.main import create_app

    custom = settings.model_copy(update={"giving360_prefix": "jena/stadt"})
    app = create_app(custom)
    with TestClient(app) as client:
        package = json.loads(_download(client, "/foerderung/download/2020/foerderungen-360giving.json"))
    app.state.engine.dispose()
    assert [g["id"] for g in package["grants"]] == ["360G-jena-stadt-LSZ-2020-001"]


def test_360giving_of_an_empty_selection_is_404(client: TestClient) -> None:
    response = client.get("/foerderung/download/2019/foerderungen-360giving.json")
    assert response.status_code == 404
    assert client.get("/foerderung/download/2019/foerderungen.json").json()["items"] == []


@pytest.mark.parametrize(
    "url",
    [
        "/foerderung/download/2021/foerderungen.xlsx",
        "/foerderung/download/zwanzig/foerderungen.csv",
    ],
)
def test_unknown_download_is_404(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 404


def test_download_with_bad_filter_is_422(client: TestClient) -> None:
    assert client.get("/foerderung/download/2021/foerderungen.csv?ortsteil=Atlantis").status_code == 422
