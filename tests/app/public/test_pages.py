"""Start, detail, institution, district, topic and target-group pages: content, links, status, escaping."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.public import queries
from tests import factories
from tests.browser.dataset import HOSTILE_DESCRIPTION, HOSTILE_TITLE, KnownIds

Soup = Callable[..., BeautifulSoup]


def text_of(page: BeautifulSoup) -> str:
    return " ".join(page.get_text(" ").split())


def test_start_page_has_search_life_situations_and_district_picker(known: KnownIds, soup: Soup) -> None:
    page = soup("/")
    form = page.select_one("form[action='/angebote'][method='get']")
    assert form is not None
    field = form.select_one("input[name=q]")
    assert field is not None and page.select_one(f"label[for={field['id']}]") is not None
    options = [str(o["value"]) for o in form.select("select[name=ortsteil] option") if o["value"]]
    assert len([o for o in options if not o.startswith("Planungsraum ")]) == 30 and "neulobeda" in options
    assert "Planungsraum Lobeda" in options and "Planungsraum Winzerla" in options
    cards = {label.select_one("strong").get_text() for label in form.select("label.tile")}  # type: ignore[union-attr]
    tiles = {a.get_text(): a["href"] for a in page.select("a.situation-link")}
    assert cards == set(tiles)
    assert set(tiles) == {
        "Wir bekommen ein Baby",
        "Kinderbetreuung",
        "Hilfe und Beratung",
        "Älter werden in Jena",
        "Neu in Jena",
        "Freizeit und Begegnung",
    }
    baby = parse_qs(urlsplit(str(tiles["Wir bekommen ein Baby"])).query)
    assert sorted(baby["zielgruppe"]) == ["eltern-baby", "werdende-eltern"]
    assert parse_qs(urlsplit(str(tiles["Kinderbetreuung"])).query) == {"thema": ["betreuung"]}


def test_district_picker_can_choose_a_whole_planungsraum(known: KnownIds, soup: Soup) -> None:
    page = soup("/angebote?q=Krabbelgruppe&ortsteil=Planungsraum+Lobeda")
    assert [a.get_text() for a in page.select("ol.cards .card-title a")] == ["Krabbelgruppe Lobeda"]
    ticked = {box["value"] for box in page.select("input[name=ortsteil][checked]")}
    assert ticked == {"neulobeda", "lobeda-altstadt", "woellnitz", "drackendorf"}
    winzerla = soup("/angebote?ortsteil=Planungsraum+Winzerla")
    ticked = {box["value"] for box in winzerla.select("input[name=ortsteil][checked]")}
    assert ticked == {"winzerla", "burgau", "goeschwitz", "ammerbach"}


def test_life_situation_link_filters_results(known: KnownIds, soup: Soup) -> None:
    start = soup("/")
    baby = next(a["href"] for a in start.select("a.situation-link") if "Baby" in a.get_text())
    results = soup(str(baby))
    titles = [a.get_text() for a in results.select(".card-title a")]
    assert "Krabbelgruppe Lobeda" in titles
    assert "Mittagstisch für Seniorinnen und Senioren" not in titles


def test_offer_detail_shows_what_users_need(known: KnownIds, soup: Soup) -> None:
    page = soup(f"/angebote/{known.krabbelgruppe}")
    text = text_of(page)
    assert page.h1 is not None and page.h1.get_text() == "Krabbelgruppe Lobeda"
    assert "Eltern mit Babys und Kleinkindern (0–3 J.)" in text
    assert "6 Monate – 3 Jahre" in text  # months below one year
    assert "dienstags 9:30–11:00 (außer in den Ferien)" in text
    assert "kostenlos" in text and "nicht nötig" in text
    assert "Deutsch, Englisch" in text  # inherited from the institution
    assert "Zuletzt geprüft am 05.03.2026" in text
    assert page.select_one("a[href='tel:03641555123']") is not None
    assert page.select_one("a[href='mailto:ekz-lobeda@example.org']") is not None
    assert page.select_one(f"a[href='/einrichtungen/{known.institution}']") is not None
    assert page.select_one("a[href='/stadtteile/neulobeda']") is not None
    osm = [str(a["href"]) for a in page.select("a[href^='https://www.openstreetmap.org/']")]
    assert any("mlat=50.89350" in href for href in osm)  # the map; the route button is the other link
    assert not page.select("iframe, img[src^=http]")  # a link, no embedded map
    share = page.select_one("a[href^='mailto:?subject=']")
    assert share is not None and "Krabbelgruppe%20Lobeda" in str(share["href"])
    url_field = page.select_one("input#share-url")
    assert url_field is not None and str(url_field["value"]).endswith(f"/angebote/{known.krabbelgruppe}")


def test_offer_detail_json_ld_is_a_schema_org_service(known: KnownIds, soup: Soup) -> None:
    page = soup(f"/angebote/{known.krabbelgruppe}")
    blocks = page.select("script[type='application/ld+json']")
    assert len(blocks) == 1
    data = json.loads(blocks[0].get_text())
    assert data["@context"] == "https://schema.org" and data["@type"] == "Service"
    assert data["name"] == "Krabbelgruppe Lobeda"
    assert data["provider"] == {
        "@type": "Organization",
        "name": "Familienbund Saaletal e.V.",
        "url": "https://familienbund.example.org",
        "email": "kontakt@familienbund.example.org",
        "telephone": "03641 555000",
    }
    place = data["availableChannel"]["serviceLocation"]
    assert place["@type"] == "Place" and place["name"] == "Eltern-Kind-Zentrum Lobeda"
    assert place["address"]["postalCode"] == "07747"
    assert place["geo"] == {"@type": "GeoCoordinates", "latitude": 50.8935, "longitude": 11.604}
    assert data["offers"]["price"] == "0.00"


def test_hostile_workbook_text_renders_as_text(known: KnownIds, client: TestClient) -> None:
    response = client.get(f"/angebote/{known.hostile}")
    page = BeautifulSoup(response.text, "html.parser")
    scripts = page.select("script")
    assert all(s.get("type") == "application/ld+json" or s.get("src") for s in scripts)
    assert not page.select("[onerror]") and not page.select("img[src=x]")
    assert page.h1 is not None and page.h1.get_text() == HOSTILE_TITLE
    assert HOSTILE_DESCRIPTION in page.get_text()
    ld = next(s for s in scripts if s.get("type") == "application/ld+json")
    assert "</script" not in ld.get_text() and "<img" not in ld.get_text()
    assert json.loads(ld.get_text())["description"] == HOSTILE_DESCRIPTION
    # … and in lists and search results
    for path in (f"/einrichtungen/{known.institution}", "/angebote?q=Elterncafe"):
        listing = BeautifulSoup(client.get(path).text, "html.parser")
        assert not listing.select("[onerror]")
        assert all(s.get("type") == "application/ld+json" or s.get("src") for s in listing.select("script"))
        assert HOSTILE_TITLE in listing.get_text()


def test_status_banners(known: KnownIds, soup: Soup) -> None:
    temporary = soup(f"/angebote/{known.temporarily_closed}").select_one("[data-testid=status-banner]")
    assert temporary is not None and "vorübergehend geschlossen" in temporary.get_text()
    moved = soup(f"/angebote/{known.moved}").select_one("[data-testid=status-banner]")
    assert moved is not None and "umgezogen" in moved.get_text()
    successor = moved.select_one("a")
    assert successor is not None and successor["href"] == f"/einrichtungen/{known.successor_institution}"
    closed = soup(f"/angebote/{known.closed}").select_one("[data-testid=status-banner]")
    assert closed is not None and "nicht mehr statt" in closed.get_text()
    assert soup(f"/angebote/{known.krabbelgruppe}").select_one("[data-testid=status-banner]") is None


def test_expired_offer_answers_410_with_similar_offers(known: KnownIds, soup: Soup) -> None:
    page = soup(f"/angebote/{known.expired}", status=410)
    links = [str(a["href"]) for a in page.select(".cards .card-title a")]
    assert links and all(link.startswith("/angebote/BT-A-") for link in links)
    assert f"/angebote/{known.expired}" not in links
    assert page.select_one("a[href='/angebote?thema=begegnung']") is not None


def test_unpublished_offer_and_unknown_ids_are_404(engine: Engine, soup: Soup) -> None:
    with Session(engine) as session:
        hidden = factories.angebot(session, titel="Versteckt", published=False).external_id
        session.commit()
    soup(f"/angebote/{hidden}", status=404)
    soup("/angebote/GIBT-ES-NICHT", status=404)
    soup("/einrichtungen/GIBT-ES-NICHT", status=404)
    soup("/stadtteile/atlantis", status=404)
    soup("/themen/atlantis", status=404)


def test_institution_page_lists_its_public_offers(known: KnownIds, soup: Soup) -> None:
    page = soup(f"/einrichtungen/{known.institution}")
    assert page.h1 is not None and page.h1.get_text() == "Eltern-Kind-Zentrum Lobeda"
    titles = {a.get_text() for a in page.select(".cards .card-title a")}
    assert {"Krabbelgruppe Lobeda", "Babyschwimmen im Stadtteilbad"} <= titles
    assert "Ferienfreizeit 2020" not in titles and "Stillcafé (eingestellt)" not in titles
    assert json.loads(page.select_one("script[type='application/ld+json']").get_text())["@type"] == "Place"  # type: ignore[union-attr]
    moved = soup(f"/einrichtungen/{known.moved_institution}")
    banner = moved.select_one("[data-testid=status-banner] a")
    assert banner is not None and banner["href"] == f"/einrichtungen/{known.successor_institution}"


def test_district_page_lists_offers_institutions_and_neighbours(known: KnownIds, soup: Soup) -> None:
    page = soup("/stadtteile/neulobeda")
    assert page.h1 is not None and "Neulobeda" in page.h1.get_text()
    titles = {a.get_text() for a in page.select(".cards .card-title a")}
    assert "Krabbelgruppe Lobeda" in titles
    assert "Mittagstisch für Seniorinnen und Senioren" not in titles
    assert page.select_one(f"a[href='/einrichtungen/{known.institution}']") is not None
    neighbours = {a.get_text() for a in page.select("a[href^='/stadtteile/']")}
    assert {"Lobeda-Altstadt", "Wöllnitz", "Drackendorf"} <= neighbours
    assert "Winzerla" not in neighbours
    index = soup("/stadtteile")
    assert len(index.select("a[href^='/stadtteile/']")) == 30


def test_offer_running_elsewhere_appears_in_that_district(known: KnownIds, soup: Soup) -> None:
    # Filler offers of the Lobeda institution run in Winzerla (their own Ortsteil column wins).
    winzerla = {a.get_text() for a in soup("/stadtteile/winzerla").select(".cards .card-title a")}
    assert "Familienkurs 03" in winzerla
    lobeda = {a.get_text() for a in soup("/stadtteile/neulobeda").select(".cards .card-title a")}
    assert "Familienkurs 03" not in lobeda


def test_topic_and_target_group_pages(known: KnownIds, soup: Soup) -> None:
    seniors = soup("/zielgruppen/senioren")
    assert seniors.h1 is not None and seniors.h1.get_text() == "Seniorinnen und Senioren"
    assert [a.get_text() for a in seniors.select(".cards a")] == ["Mittagstisch für Seniorinnen und Senioren"]
    sport = soup("/themen/bewegung")
    titles = {a.get_text() for a in sport.select(".cards a")}
    assert "Babyschwimmen im Stadtteilbad" in titles and "Krabbelgruppe Lobeda" not in titles
    assert len(soup("/themen").select("a[href^='/themen/']")) == 13
    assert len(soup("/zielgruppen").select("a[href^='/zielgruppen/']")) == 13


def test_website_links_only_allow_http(engine: Engine, soup: Soup) -> None:
    with Session(engine) as session:
        bad = factories.einrichtung(session, website="javascript:alert(1)", name="Haus A")
        bare = factories.einrichtung(session, website="www.haus-b.example.org", name="Haus B")
        session.commit()
        bad_id, bare_id = bad.external_id, bare.external_id
    assert soup(f"/einrichtungen/{bad_id}").select_one("a[href^='javascript:']") is None
    assert (
        soup(f"/einrichtungen/{bare_id}").select_one("a[href='https://www.haus-b.example.org']") is not None
    )


def test_main_navigation_marks_the_current_section(known: KnownIds, soup: Soup) -> None:
    current = soup("/stadtteile/neulobeda").select("nav.main-nav a[aria-current=page]")
    assert [a["href"] for a in current] == ["/stadtteile"]
    assert not soup("/").select("nav.main-nav a[aria-current]")


def test_long_lists_name_the_total_and_link_to_the_search(
    known: KnownIds, soup: Soup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "LIST_LIMIT", 3)
    page = soup("/stadtteile/neulobeda")
    lists = page.select("ul.cards")
    assert lists and len(lists[0].select(".card-title a")) == 3
    more = page.select_one("a[data-testid=all-in-search]")
    assert more is not None and more["href"] == "/angebote?ortsteil=neulobeda"
    total = int(more.get_text().split()[1])
    assert total > 3
    full = soup("/angebote?ortsteil=neulobeda").select_one("[data-testid=result-count]")
    assert full is not None and full.get_text().startswith(f"{total} ")
