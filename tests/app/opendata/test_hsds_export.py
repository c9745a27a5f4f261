"""/api/hsds/export.zip: JSON objects and the tabular CSV form, valid HSDS 3.0, only public data."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from sqlalchemy import Engine
from sqlmodel import Session

from app.catalogue.models import Angebot
from app.catalogue.vocab import Status
from app.db import utcnow
from app.opendata.hsds.mapping import HSDS_NAMESPACE, hsds_id, map_status
from app.settings import PROJECT_ROOT, Settings
from importers.sync import sync_workbook
from tests.app.opendata.conftest import Catalogue
from tests.app.opendata.hsds_schemas import FORMATS, assert_valid, errors, load, tabular_columns

SAMPLE_WORKBOOK = PROJECT_ROOT / "data" / "familienwegweiser-beispiel.xlsx"


def _export(client: TestClient) -> zipfile.ZipFile:
    response = client.get("/api/hsds/export.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def _csv(archive: zipfile.ZipFile, path: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(f"csv/{path}").decode("utf-8"))))


def test_the_schema_check_itself_rejects_broken_objects() -> None:
    assert errors({"id": "kein-uuid", "name": "x", "status": "offen"}, "service.json")
    assert errors({"id": "3a19ff88-4620-4d17-9830-ac1d859eb5d5"}, "service_with_definitions.json", "location")


def test_export_json_objects_are_valid(client: TestClient, catalogue: Catalogue) -> None:
    archive = _export(client)
    files = {name: json.loads(archive.read(f"json/{name}.json")) for name in (
        "services", "organizations", "locations", "service_at_locations", "taxonomies", "taxonomy_terms"
    )}  # fmt: skip
    assert len(files["services"]) == 3
    for service in files["services"]:
        assert_valid(service, "service.json")
    for name, definition in (
        ("organizations", "organization"),
        ("locations", "location"),
        ("service_at_locations", "service_at_location"),
        ("taxonomies", "taxonomy"),
        ("taxonomy_terms", "taxonomy_term"),
    ):
        assert files[name], name
        for obj in files[name]:
            assert_valid(obj, "service_with_definitions.json", definition)
    everything = b"".join(archive.read(n) for n in archive.namelist())
    for hidden in ("Verborgener Träger", "/angebote/A-90"):
        assert hidden.encode() not in everything
    readme = archive.read("LIESMICH.txt").decode()
    assert "Datenlizenz Deutschland" in readme and "Stadt Jena" in readme


def _typed(row: dict[str, str], properties: dict[str, Any]) -> dict[str, Any]:
    """CSV cells back to JSON types (empty = absent), so a row can be checked against tabular.json."""
    typed: dict[str, Any] = {}
    for key, value in row.items():
        if value == "":
            continue
        typed[key] = float(value) if properties[key].get("type") == "number" else value
    return typed


def test_export_csv_tables_columns_and_rows(client: TestClient, catalogue: Catalogue) -> None:
    archive = _export(client)
    official = tabular_columns()
    tabular = load("tabular.json")["properties"]
    ids: dict[str, set[str]] = {}
    for table, (path, columns) in official.items():
        if f"csv/{path}" not in archive.namelist():
            continue
        header = archive.read(f"csv/{path}").decode().splitlines()[0].split(",")
        assert header == columns, table
        item_schema = tabular[table]["items"]
        validator = Draft202012Validator(item_schema, format_checker=FORMATS)
        rows = _csv(archive, path)
        for row in rows:
            problems = [e.message for e in validator.iter_errors(_typed(row, item_schema["properties"]))]
            assert not problems, f"{path}: {problems}"
        ids[table] = {r["id"] for r in rows}
    written = {n.removeprefix("csv/") for n in archive.namelist() if n.startswith("csv/")}
    assert written <= {path for path, _ in official.values()}
    assert len(ids["service"]) == 3 and len(ids["location"]) == 2 and len(ids["organization"]) == 1
    # Foreign keys point at rows that exist.
    for row in _csv(archive, "service_at_location.csv"):
        assert row["service_id"] in ids["service"] and row["location_id"] in ids["location"]
    for row in _csv(archive, "attributes.csv"):
        assert row["link_id"] in ids["service"] and row["taxonomy_term_id"] in ids["taxonomy_term"]
    for row in _csv(archive, "service_areas.csv"):
        assert row["service_id"] in ids["service"]
    for row in _csv(archive, "addresses.csv"):
        assert row["location_id"] in ids["location"]
    names = {r["name"] for r in _csv(archive, "service_areas.csv")}
    assert names == {"Jena-Zentrum", "Jena-West", "Jena (stadtweit)", "Neulobeda"}
    package = json.loads(archive.read("datapackage.json"))
    assert {r["path"] for r in package["resources"]} == {f"csv/{p}" for p in written}


def test_fast_ids_equal_standard_uuid5() -> None:
    cases = (("service", ("A-0001",)), ("language", ("location_id", "E-1", "Türkisch")), ("x", ()))
    for kind, parts in cases:
        name = "/".join([kind, *parts])
        assert hsds_id(kind, *parts) == str(uuid.uuid5(HSDS_NAMESPACE, name))


def test_export_is_reused_until_the_catalogue_changes(
    client: TestClient, catalogue: Catalogue, session: Session
) -> None:
    response = client.get("/api/hsds/export.zip")
    first, etag = response.content, response.headers["etag"]
    assert client.get("/api/hsds/export.zip").content == first  # same bytes, incl. the generation time
    unchanged = client.get("/api/hsds/export.zip", headers={"If-None-Match": etag})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    offer = session.get_one(Angebot, catalogue.krabbel.id)
    offer.titel = "Krabbelgruppe Sonnenschein"
    offer.updated_at = utcnow()
    session.add(offer)
    session.commit()
    assert client.get("/api/hsds/export.zip", headers={"If-None-Match": etag}).status_code == 200
    response = client.get("/api/hsds/export.zip")
    changed = response.content
    assert changed != first and response.headers["etag"] != etag
    services = json.loads(zipfile.ZipFile(io.BytesIO(changed)).read("json/services.json"))
    assert "Krabbelgruppe Sonnenschein" in {s["name"] for s in services}


def test_every_status_maps_to_an_hsds_status() -> None:
    allowed = set(load("service.json")["properties"]["status"]["enum"])
    mapped = {status: map_status(status) for status in Status}
    assert set(mapped.values()) <= allowed
    assert mapped == {
        Status.aktiv: "active",
        Status.voruebergehend_geschlossen: "temporarily closed",
        Status.geschlossen: "defunct",
        Status.umgezogen: "defunct",
    }


def test_sample_workbook_is_valid_hsds(settings: Settings, engine: Engine, client: TestClient) -> None:
    """The real sample data (importer, 160+ offers with all their variety), not just hand-made rows."""
    report = sync_workbook(SAMPLE_WORKBOOK, engine=engine, settings=settings)
    assert report.ok, report.to_dict()
    archive = _export(client)
    services = json.loads(archive.read("json/services.json"))
    assert len(services) >= 100
    for service in services:
        assert_valid(service, "service.json")
    for name, definition in (("organizations", "organization"), ("locations", "location")):
        for obj in json.loads(archive.read(f"json/{name}.json")):
            assert_valid(obj, "service_with_definitions.json", definition)
    ids = [s["id"] for s in services]
    assert len(ids) == len(set(ids))
