"""Result cards that answer, local offers before city-wide ones, counts that agree, the offer page's first
screen (contact, when/where, back to the search), the start page's one-step form."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import date, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.settings import Settings
from search.indexing import index_offers
from tests import factories
from tests.browser.dataset import KNOWN, KnownIds, add_known_rows

Soup = Callable[..., BeautifulSoup]
CITYWIDE = "CW-A-001"
TWIN_A, TWIN_B = "CW-A-002", "CW-A-003"


@pytest.fixture
def catalogue(engine: Engine, settings: Settings) -> KnownIds:
    """The known rows plus a city-wide offer (held in Winzerla) and two offers with the same title."""
    with Session(engine) as session:
        add_known_rows(session, fillers=False)
        owner = factories.traeger(session, external_id="CW-T-001", name="Stadtelternrat Jena e.V.")
        winzerla = factories.einrichtung(
            session,
            traeger_row=owner,
            external_id="CW-E-001",
            name="Elternhaus Winzerla",
            ortsteil_slug="winzerla",
            telefon="03641 777000",
            lat=50.8990,
            lon=11.5650,
        )
        nord = factories.einrichtung(
            session,
            traeger_row=owner,
            external_id="CW-E-002",
            name="Elterntreff Nord",
            ortsteil_slug="jena-nord",
        )
        today = date.today()
        factories.angebot(
            session,
            einrichtung_row=winzerla,
            external_id=CITYWIDE,
            titel="Elterntelefon für ganz Jena",
            zielgruppen=("familien",),
            stadtweit=True,
            verified_at=today - timedelta(days=10),
        )
        for external_id, place in ((TWIN_A, winzerla), (TWIN_B, nord)):
            factories.angebot(
                session,
                einrichtung_row=place,
                external_id=external_id,
                titel="Elterncafé",
                zielgruppen=("familien",),
                verified_at=today - timedelta(days=500),
            )
        session.commit()
    outcome = index_offers(engine, settings)
    assert outcome.ok, outcome.message
    return KNOWN


def _titles(items: list) -> list[str]:
    return [a.get_text() for a in items]


def test_district_search_shows_local_offers_first_then_city_wide_ones(
    catalogue: KnownIds, soup: Soup
) -> None:
    page = soup("/angebote?ortsteil=neulobeda")
    heading = page.select_one("[data-testid=citywide-heading]")
    assert heading is not None and heading.get_text() == "Für ganz Jena"
    lists = page.select("ol.cards")
    assert len(lists) == 2
    local, citywide = (_titles(ol.select(".card-title a")) for ol in lists)
    assert "Krabbelgruppe Lobeda" in local and "Elterntelefon für ganz Jena" not in local
    assert citywide == ["Elterntelefon für ganz Jena"]
    assert page.select_one("ol.cards .badge-city") is not None or "stadtweit" in lists[1].get_text()
    # The count says what it counts, and both parts add up to the total.
    count = page.select_one("[data-testid=result-count]")
    assert count is not None
    text = count.get_text()
    total = int(text.split()[0])
    assert f"davon {total - 1} in Neulobeda, 1 für ganz Jena" in text
    # Where the city-wide offer's own place is, it is local: no extra heading.
    winzerla = soup("/angebote?ortsteil=winzerla")
    assert winzerla.select_one("[data-testid=citywide-heading]") is None
    assert "Elterntelefon für ganz Jena" in _titles(winzerla.select(".card-title a"))


def test_district_page_and_search_count_the_same_offers(catalogue: KnownIds, soup: Soup) -> None:
    page = soup("/stadtteile/neulobeda")
    counts = page.select_one("[data-testid=district-counts]")
    assert counts is not None
    text = " ".join(counts.get_text().split())
    local = len(page.select("#vor-ort + ul.cards > li, #vor-ort ~ ul.cards:first-of-type > li"))
    assert f"{local} Angebote finden in Neulobeda statt" in text or f"{local} Angebot findet" in text
    assert "Dazu kommt 1 Angebot für ganz Jena." in text
    link = counts.select_one("a[data-testid=all-in-search]")
    assert link is not None
    total = int(link.get_text().split()[1])
    assert total == local + 1
    search = soup(str(link["href"])).select_one("[data-testid=result-count]")
    assert search is not None and search.get_text().startswith(f"{total} ")


def test_cards_carry_the_facts_a_family_decides_on(catalogue: KnownIds, soup: Soup) -> None:
    page = soup("/angebote?q=Krabbelgruppe")
    card = next(li for li in page.select("ol.cards > li") if "Krabbelgruppe Lobeda" in li.get_text())
    text = " ".join(card.get_text().split())
    assert "Eltern-Kind-Zentrum Lobeda · Neulobeda" in text
    assert "Alter: 6 Monate – 3 Jahre" in text and "kostenlos" in text
    assert "Wann: dienstags 9:30–11:00" in text
    tel = card.select_one("a[href^='tel:']")
    assert tel is not None and tel["href"] == "tel:03641555123"
    verified = card.select_one("[data-testid=card-verified]")
    assert verified is not None and "zuletzt geprüft 05.03.2026" in verified.get_text()
    assert ("stale" in verified["class"]) is (date(2026, 3, 5) < date.today() - timedelta(days=365))


def test_stale_entries_are_flagged_and_equal_titles_told_apart(catalogue: KnownIds, soup: Soup) -> None:
    page = soup("/angebote?q=Elterncaf%C3%A9&sort=name")
    twins = [
        li for li in page.select("ol.cards > li") if li.select(".card-title a")[0].get_text() == "Elterncafé"
    ]
    assert len(twins) == 2
    which = sorted(li.select(".card-which")[0].get_text() for li in twins)
    assert which == ["– Elternhaus Winzerla", "– Elterntreff Nord"]
    for li in twins:
        verified = li.select_one("[data-testid=card-verified]")
        assert verified is not None and "stale" in verified["class"]
        assert "älter als 12 Monate" in verified.get_text()


def test_distance_is_shown_in_km_when_sorted_by_distance(catalogue: KnownIds, soup: Soup) -> None:
    near = soup("/angebote?ortsteil=neulobeda&sort=distance&von=neulobeda")
    distances = [d.get_text() for d in near.select("[data-testid=distance]")]
    assert distances and all(d.endswith("km entfernt") for d in distances)
    assert distances[0].startswith("0,0 km")  # the Ortsteil's centre is the known institution itself
    assert not soup("/angebote?ortsteil=neulobeda").select("[data-testid=distance]")


def test_offer_page_answers_first_and_leads_back_to_the_search(catalogue: KnownIds, soup: Soup) -> None:
    results = soup("/angebote?q=Krabbelgruppe&ortsteil=neulobeda")
    href = next(
        str(a["href"]) for a in results.select(".card-title a") if a.get_text() == "Krabbelgruppe Lobeda"
    )
    page = soup(href)
    back = page.select_one("[data-testid=back-to-search]")
    assert back is not None
    assert parse_qs(urlsplit(str(back["href"])).query) == {"q": ["Krabbelgruppe"], "ortsteil": ["neulobeda"]}
    assert urlsplit(str(back["href"])).path == "/angebote"
    # Contact and when/where come before the description; call, e-mail and route are buttons.
    article = page.select_one("article.detail")
    assert article is not None
    order = [h.get_text() for h in article.select("h2")]
    assert order.index("Wann und wo") < order.index("Beschreibung")
    actions = page.select_one("[data-testid=contact-actions]")
    assert actions is not None
    hrefs = [str(a["href"]) for a in actions.select("a.button")]
    assert hrefs[0] == "tel:03641555123" and hrefs[1] == "mailto:ekz-lobeda@example.org"
    assert hrefs[2].startswith("https://www.openstreetmap.org/directions?")
    summary = page.select_one("[data-testid=easy-summary]")
    assert summary is not None
    assert "Es kostet nichts." in summary.get_text() and "Ort: Neulobeda." in summary.get_text()
    assert "Sie müssen sich nicht anmelden." in summary.get_text()
    canonical = page.select_one("link[rel=canonical]")
    assert canonical is not None and str(canonical["href"]).endswith(f"/angebote/{KNOWN.krabbelgruppe}")


def test_back_link_never_leaves_the_search(catalogue: KnownIds, soup: Soup) -> None:
    for value in ("//evil.example/x", "https://evil.example/?q=1", "q=a&next=https://evil.example"):
        page = soup(f"/angebote/{KNOWN.krabbelgruppe}?" + urlencode({"suche": value}))
        back = page.select_one("[data-testid=back-to-search]")
        assert back is not None
        assert urlsplit(str(back["href"])).netloc == "" and str(back["href"]).startswith("/angebote")
        assert "evil" not in str(back["href"])
    assert soup(f"/angebote/{KNOWN.krabbelgruppe}").select_one("[data-testid=back-to-search]") is None


def test_stale_offer_page_is_flagged(catalogue: KnownIds, soup: Soup) -> None:
    page = soup(f"/angebote/{TWIN_A}")
    banner = page.select_one("[data-testid=stale-banner]")
    assert banner is not None and "vor mehr als 12 Monaten" in banner.get_text()
    assert soup(f"/angebote/{CITYWIDE}").select_one("[data-testid=stale-banner]") is None


def test_start_page_combines_life_situation_and_district_in_one_step(
    catalogue: KnownIds, soup: Soup, client: TestClient
) -> None:
    start = soup("/")
    form = start.select_one("form[action='/angebote']")
    assert form is not None
    assert form.select("input[type=radio][name=lebenslage]") and form.select_one("select[name=ortsteil]")
    assert start.h1 is not None and "Familienwegweiser" not in start.h1.get_text()
    response = client.get("/angebote?lebenslage=baby&ortsteil=neulobeda&q=", follow_redirects=False)
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query == {"ortsteil": ["neulobeda"], "zielgruppe": ["werdende-eltern", "eltern-baby"]}
    results = soup(response.headers["location"])
    assert "Krabbelgruppe Lobeda" in _titles(results.select(".card-title a"))


def test_empty_results_give_advice_that_fits(catalogue: KnownIds, soup: Soup) -> None:
    only_word = soup("/angebote?q=xyzzyqx")
    empty = only_word.select_one("[data-testid=empty]")
    assert empty is not None
    text = " ".join(empty.get_text().split())
    assert "Schreibweise" in text and "weniger Filter" not in text and "Ohne Filter" not in text
    assert empty.select_one("a[href^='tel:']") is not None
    assert only_word.select_one("#sort") is None  # no sorting of nothing
    assert "„„" not in only_word.get_text()
    with_filter = soup("/angebote?q=xyzzyqx&ortsteil=maua")
    advice = [a.get_text() for a in with_filter.select("[data-testid=empty] li a")]
    assert advice == ["Ohne Filter Maua suchen"]


def test_results_page_stays_light(catalogue: KnownIds, client: TestClient) -> None:
    """HTML plus stylesheet and script of a full results page, gzip-compressed, stay within 60 KB."""
    page = client.get("/angebote")
    assert page.status_code == 200
    html = BeautifulSoup(page.text, "html.parser")
    assets = html.select("link[rel=stylesheet][href^='/static/'], script[src]")
    total = len(gzip.compress(page.content))
    for node in assets:
        total += len(gzip.compress(client.get(str(node.get("href") or node.get("src"))).content))
    assert 5_000 < total <= 60 * 1024, total


def test_english_pages_mark_german_content_and_print_in_english(catalogue: KnownIds, soup: Soup) -> None:
    page = soup(f"/angebote/{KNOWN.krabbelgruppe}?lang=en")
    assert page.html is not None and page.html["lang"] == "en"
    h1 = page.select_one("h1")
    assert h1 is not None and h1.get("lang") == "de"  # the title is catalogue data, written in German
    german = [node.get_text(" ", strip=True) for node in page.select("[lang=de]")]
    assert any("dienstags 9:30–11:00" in text for text in german)
    label = page.select_one(".print-url .print-label")
    assert label is not None and label.get_text() == "Address of this page:"
    results = soup("/angebote?q=Krabbelgruppe&lang=en")
    assert all(a.get("lang") == "de" for a in results.select(".card-title a"))
    # German pages need no marking.
    assert soup(f"/angebote/{KNOWN.krabbelgruppe}?lang=de").select_one("h1[lang]") is None
