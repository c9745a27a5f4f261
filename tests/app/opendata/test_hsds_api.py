"""/api/hsds: every object valid against the official HSDS 3.0 compiled schemas, only public data, paging."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from app.opendata.hsds.mapping import HSDS_NAMESPACE
from tests.app.opendata.conftest import Catalogue
from tests.app.opendata.hsds_schemas import assert_valid

PLACES = ("Familienzentrum Löbdergraben", "Stadtteilbüro Lobeda")


def _get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(f"/api/hsds{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _uuid(kind: str, external_id: str) -> str:
    return str(uuid.uuid5(HSDS_NAMESPACE, f"{kind}/{external_id}"))


def test_services_list_only_public_offers(client: TestClient, catalogue: Catalogue) -> None:
    page = _get(client, "/services")
    names = [s["name"] for s in page["contents"]]
    assert names == ["Krabbelgruppe für Zwerge", "Schuldnerberatung für Familien", "Hausaufgabenhilfe"]
    assert page["total_items"] == 3
    for item in page["contents"]:
        assert_valid(item, "service_list.json")
        assert uuid.UUID(item["id"]).version == 5
    statuses = {s["name"]: s["status"] for s in page["contents"]}
    assert statuses["Hausaufgabenhilfe"] == "temporarily closed"  # its institution is temporarily closed
    assert statuses["Krabbelgruppe für Zwerge"] == "active"


def test_full_service_maps_the_domain_fields(client: TestClient, catalogue: Catalogue) -> None:
    service = _get(client, f"/services/{_uuid('service', 'A-100')}")
    assert_valid(service, "service.json")
    assert service["assured_date"] == "2025-04-02"
    assert (service["minimum_age"], service["maximum_age"]) == (0, 3)
    assert service["fees_description"] == "2,50 € (pro Treffen)"
    assert service["cost_options"][0]["amount"] == 2.5
    assert service["cost_options"][0]["currency"] == "EUR"
    assert service["application_process"] == "Anmeldung erforderlich."
    assert service["url"].endswith("/angebote/A-100")
    assert {a["name"] for a in service["service_areas"]} == {"Jena-Zentrum", "Jena-West"}
    assert service["organization"]["name"] == "Familienhilfe Saale e.V."
    assert service["organization_id"] == _uuid("organization", "T-100")
    (sal,) = service["service_at_locations"]
    assert sal["location"]["name"] == "Familienzentrum Löbdergraben"
    assert sal["location"]["addresses"][0]["postal_code"] == "07743"
    assert {lang["code"] for lang in service["languages"]} == {"de", "ar"}  # inherited from the institution
    codes = {a["taxonomy_term"]["code"] for a in service["attributes"]}
    assert codes == {"zielgruppe:eltern-baby", "zielgruppe:familien", "thema:begegnung", "handlungsfeld:hf3"}
    assert all(a["link_id"] == service["id"] and a["link_entity"] == "service" for a in service["attributes"])
    assert service["schedules"][0]["description"] == "dienstags 10–11:30 Uhr"


def test_full_services_valid_stadtweit_is_one_area(client: TestClient, catalogue: Catalogue) -> None:
    page = _get(client, "/services", full="true")
    for service in page["contents"]:
        assert_valid(service, "service.json")
    stadtweit = next(s for s in page["contents"] if s["name"].startswith("Schuldnerberatung"))
    assert [a["name"] for a in stadtweit["service_areas"]] == ["Jena (stadtweit)"]
    assert stadtweit["fees_description"] == "kostenlos"
    assert {lang["code"] for lang in stadtweit["languages"]} == {"de", "uk"}  # its own languages win


def test_hidden_offers_are_not_found(client: TestClient, catalogue: Catalogue) -> None:
    for offer in catalogue.hidden:
        assert client.get(f"/api/hsds/services/{_uuid('service', offer.external_id)}").status_code == 404
        sal = _uuid("service_at_location", offer.external_id)
        assert client.get(f"/api/hsds/service_at_locations/{sal}").status_code == 404
    response = client.get("/api/hsds/services/kein-uuid")
    assert response.status_code == 404
    assert "Kein öffentliches Angebot" in response.json()["detail"]


def test_pagination_follows_the_hsds_page_object(client: TestClient, catalogue: Catalogue) -> None:
    first = _get(client, "/services", per_page=2)
    assert {k: first[k] for k in first if k != "contents"} == {
        "total_items": 3,
        "total_pages": 2,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    second = _get(client, "/services", per_page=2, page=2)
    assert (second["size"], second["first_page"], second["last_page"]) == (1, False, True)
    assert {s["id"] for s in first["contents"]}.isdisjoint({s["id"] for s in second["contents"]})
    beyond = _get(client, "/services", per_page=2, page=3)
    assert (beyond["size"], beyond["empty"], beyond["contents"]) == (0, True, [])
    assert client.get("/api/hsds/services", params={"page": 0}).status_code == 422
    assert client.get("/api/hsds/services", params={"format": "xml"}).status_code == 422


def test_service_filters(client: TestClient, catalogue: Catalogue) -> None:
    def names(**params: Any) -> set[str]:
        return {s["name"] for s in _get(client, "/services", **params)["contents"]}

    terms = _get(client, "/taxonomy_terms", per_page=100)["contents"]
    by_code = {t["code"]: t["id"] for t in terms}
    assert names(taxonomy_term_id=by_code["zielgruppe:eltern-baby"]) == {"Krabbelgruppe für Zwerge"}
    assert names(taxonomy_term_id=by_code["thema"]) == {
        "Krabbelgruppe für Zwerge",
        "Schuldnerberatung für Familien",
    }
    assert names(taxonomy_term_id=str(uuid.uuid4())) == set()
    assert names(search="fuer zwerge") == {"Krabbelgruppe für Zwerge"}
    assert names(organization_id=_uuid("organization", "T-100")) == names()
    assert names(organization_id=_uuid("organization", "T-900")) == set()
    assert names(modified_after="2999-01-01T00:00:00Z") == set()
    minimal = _get(client, "/services", minimal="true")["contents"]
    assert all(set(item) == {"id", "last_modified"} for item in minimal)


def test_organizations_only_with_public_locations(client: TestClient, catalogue: Catalogue) -> None:
    page = _get(client, "/organizations")
    assert [o["name"] for o in page["contents"]] == ["Familienhilfe Saale e.V."]
    for item in page["contents"]:
        assert_valid(item, "organization_list.json")
    org = _get(client, f"/organizations/{_uuid('organization', 'T-100')}", full_service="true")
    assert_valid(org, "service_with_definitions.json", "organization")
    assert {loc["name"] for loc in org["locations"]} == {
        "Familienzentrum Löbdergraben",
        "Stadtteilbüro Lobeda",
    }
    assert len(org["services"]) == 3
    for service in org["services"]:
        assert_valid(service, "service.json")
    assert org["phones"][0]["number"] == "03641 123456"
    hidden = _uuid("organization", "T-900")
    assert client.get(f"/api/hsds/organizations/{hidden}").status_code == 404
    for item in _get(client, "/organizations", full="true")["contents"]:
        assert_valid(item, "service_with_definitions.json", "organization")
        assert len(item["services"]) == 3
        for service in item["services"]:  # without full_service: id, name, status only
            assert set(service) == {"id", "name", "status"}
            assert_valid(service, "service_list.json")


def test_locations_with_address_accessibility_languages(client: TestClient, catalogue: Catalogue) -> None:
    page = _get(client, "/locations", full="true")
    assert [loc["name"] for loc in page["contents"]] == [
        "Familienzentrum Löbdergraben",
        "Stadtteilbüro Lobeda",
    ]
    for item in page["contents"]:
        assert_valid(item, "service_with_definitions.json", "location")
    zentrum = _get(client, f"/locations/{_uuid('location', 'E-100')}")
    assert_valid(zentrum, "service_with_definitions.json", "location")
    assert (zentrum["latitude"], zentrum["longitude"]) == (50.927, 11.589)
    (address,) = zentrum["addresses"]
    assert (address["address_1"], address["city"], address["country"]) == ("Löbdergraben 1", "Jena", "DE")
    assert address["region"] == "Jena-Zentrum"
    assert zentrum["accessibility"][0]["description"] == "teilweise barrierefrei"
    assert zentrum["accessibility"][0]["details"] == "Rampe am Hintereingang"
    leicht = next(lang for lang in zentrum["languages"] if lang["name"] == "Leichte Sprache")
    assert leicht["note"] == "Leichte Sprache"
    assert zentrum["schedules"][0]["description"] == "Mo–Fr 9–17 Uhr"
    assert client.get(f"/api/hsds/locations/{_uuid('location', 'E-900')}").status_code == 404


def test_service_at_locations(client: TestClient, catalogue: Catalogue) -> None:
    page = _get(client, "/service_at_locations")
    assert page["total_items"] == 3
    for item in page["contents"]:
        assert_valid(item, "service_at_location_list.json")
    assert _get(client, "/service_at_locations", postcode="07743")["total_items"] == 2
    first = _get(client, "/service_at_locations", postcode="07743", per_page=1)
    second = _get(client, "/service_at_locations", postcode="07743", per_page=1, page=2)
    assert (first["total_pages"], first["size"], second["last_page"]) == (2, 1, True)
    assert first["contents"][0]["id"] != second["contents"][0]["id"]
    searched = _get(
        client, "/service_at_locations", search="schuldner", organization_id=_uuid("organization", "T-100")
    )
    assert [s["service"]["name"] for s in searched["contents"]] == ["Schuldnerberatung für Familien"]
    sal = _get(client, f"/service_at_locations/{_uuid('service_at_location', 'A-100')}")
    assert_valid(sal, "service_with_definitions.json", "service_at_location")
    assert sal["service_id"] == _uuid("service", "A-100")
    assert sal["location_id"] == _uuid("location", "E-100")
    for item in _get(client, "/service_at_locations", full="true")["contents"]:
        assert_valid(item, "service_with_definitions.json", "service_at_location")


def test_taxonomy_and_terms(client: TestClient, catalogue: Catalogue) -> None:
    (taxonomy,) = _get(client, "/taxonomies")["contents"]
    assert_valid(taxonomy, "service_with_definitions.json", "taxonomy")
    assert _get(client, f"/taxonomies/{taxonomy['id']}") == taxonomy
    terms = _get(client, "/taxonomy_terms", per_page=1000)
    assert terms["total_items"] == 3 + 13 + 13 + 6  # branches + Zielgruppen + Themen + Handlungsfelder
    for term in terms["contents"]:
        assert_valid(term, "service_with_definitions.json", "taxonomy_term")
        assert term["taxonomy_id"] == taxonomy["id"]
    top = _get(client, "/taxonomy_terms", top_only="true")["contents"]
    assert [t["name"] for t in top] == ["Zielgruppen", "Themen", "Handlungsfelder"]
    hf = next(t for t in top if t["code"] == "handlungsfeld")
    children = _get(client, "/taxonomy_terms", parent_id=hf["id"])["contents"]
    assert [t["code"] for t in children] == [f"handlungsfeld:hf{n}" for n in range(1, 7)]
    one = _get(client, f"/taxonomy_terms/{children[5]['id']}")
    assert_valid(one, "service_with_definitions.json", "taxonomy_term")
    assert one["name"] == "Dialog der Generationen"
    assert _get(client, "/taxonomy_terms", search="grosseltern")["contents"][0]["name"] == "Großeltern"


def test_meta_points_to_openapi(client: TestClient) -> None:
    meta = _get(client, "/")
    assert meta["version"] == "3.0"
    assert meta["openapi_url"].endswith("/api/openapi.json")
