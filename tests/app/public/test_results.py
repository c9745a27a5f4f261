"""The results page: count, facets, chips, pagination, sorts, empty state, bad parameters, degraded search."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.main import create_app
from app.settings import Settings
from search.indexing import index_offers
from tests import factories
from tests.browser.dataset import FILLER_COUNT, KnownIds

Soup = Callable[..., BeautifulSoup]


def titles(page: BeautifulSoup) -> list[str]:
    return [a.get_text() for a in page.select("ol.cards .card-title a")]


def count(page: BeautifulSoup) -> str:
    node = page.select_one("[data-testid=result-count]")
    assert node is not None
    return node.get_text()


def test_all_public_offers_are_counted_and_paginated(known: KnownIds, soup: Soup) -> None:
    first = soup("/angebote")
    # Public: Krabbelgruppe, hostile, temporarily closed, seniors and the fillers – not closed/moved/expired.
    expected = 4 + FILLER_COUNT
    assert count(first) == f"{expected} Angebote gefunden"
    assert len(titles(first)) == 20
    next_link = first.select_one("nav.pagination a[rel=next]")
    assert next_link is not None
    second = soup(str(next_link["href"]))
    assert len(titles(second)) == expected - 20
    assert not set(titles(first)) & set(titles(second))
    assert second.select_one("ol.cards")["start"] == "21"  # type: ignore[index]
    assert "Ferienfreizeit 2020" not in titles(first) + titles(second)
    assert "Stillcafé (eingestellt)" not in titles(first) + titles(second)


def test_search_and_filters_come_from_the_url(known: KnownIds, soup: Soup) -> None:
    page = soup("/angebote?q=Krabelgruppe&ortsteil=Lobeda")  # typo and a Planungsraum name
    assert titles(page)[0] == "Krabbelgruppe Lobeda"
    q = page.select_one("input[name=q]")
    assert q is not None and q["value"] == "Krabelgruppe"
    checked = {i["value"] for i in page.select("input[name=ortsteil][checked]")}
    assert "neulobeda" in checked


def test_facets_are_fieldsets_with_legends_and_counts(known: KnownIds, soup: Soup) -> None:
    page = soup("/angebote?ortsteil=neulobeda")
    legends = [f.select_one("legend").get_text() for f in page.select("fieldset.facet")]  # type: ignore[union-attr]
    assert {"Für wen", "Thema", "Stadtteil"} <= set(legends)
    for box in page.select("fieldset.facet input[type=checkbox]"):
        label = page.select_one(f"label[for='{box['id']}']")
        assert label is not None and label.select_one(".count") is not None
    zielgruppen = page.select_one("fieldset.facet input[name=zielgruppe][value=eltern-baby]")
    assert zielgruppen is not None
    label = page.select_one(f"label[for='{zielgruppen['id']}']")
    # Neulobeda: Krabbelgruppe and Babyschwimmen are for parents of babies.
    assert label is not None and label.select_one(".count").get_text() == "(2)"  # type: ignore[union-attr]


def test_chips_remove_exactly_one_filter(known: KnownIds, soup: Soup) -> None:
    page = soup("/angebote?thema=begegnung&zielgruppe=senioren&seite=1")
    chips = {c.get_text(" ", strip=True).split(" ×")[0]: str(c["href"]) for c in page.select("a.chip")}
    assert set(chips) == {"Begegnung und Freizeit", "Seniorinnen und Senioren"}
    assert parse_qsl(urlsplit(chips["Seniorinnen und Senioren"]).query) == [("thema", "begegnung")]
    assert titles(page) == ["Mittagstisch für Seniorinnen und Senioren"]
    wider = soup(chips["Seniorinnen und Senioren"])
    assert len(titles(wider)) > 1


def test_sort_by_name_and_by_distance_from_a_district(known: KnownIds, soup: Soup) -> None:
    by_name = titles(soup("/angebote?sort=name&thema=begegnung"))
    assert by_name == sorted(by_name, key=str.casefold)
    near_nord = titles(soup("/angebote?sort=distance&von=loebstedt&thema=begegnung"))
    assert near_nord[0] == "Mittagstisch für Seniorinnen und Senioren"  # the only one in Löbstedt
    near_lobeda = titles(soup("/angebote?sort=distance&von=neulobeda&thema=begegnung"))
    assert near_lobeda[-1] == "Mittagstisch für Seniorinnen und Senioren"
    chosen = soup("/angebote?sort=distance&von=loebstedt").select_one("select[name=von] option[selected]")
    assert chosen is not None and chosen["value"] == "loebstedt"


def test_distance_without_origin_says_what_is_missing(known: KnownIds, soup: Soup) -> None:
    page = soup("/angebote?sort=distance")
    assert "Stadtteil" in page.select_one(".sort-row ~ .notice").get_text()  # type: ignore[union-attr]


def test_empty_result_offers_ways_out(known: KnownIds, soup: Soup) -> None:
    page = soup("/angebote?q=Krabelgrupe&ortsteil=maua&thema=kultur")
    empty = page.select_one("[data-testid=empty]")
    assert empty is not None
    assert count(page) == "0 Angebote gefunden"
    removals = [a.get_text() for a in empty.select("ul a")]
    assert removals == ["Ohne Filter Maua suchen", "Ohne Filter Kultur und Kreativität suchen"]
    assert empty.select_one("a[href='/stadtteile/maua']") is not None
    suggestion = empty.select_one("[data-testid=suggestion]")
    assert suggestion is not None
    assert dict(parse_qsl(urlsplit(str(suggestion["href"])).query))["q"] == suggestion.get_text()


def test_bad_parameters_give_400_with_german_messages_and_keep_the_rest(known: KnownIds, soup: Soup) -> None:
    page = soup("/angebote?alter=zwei&ortsteil=Atlantis&thema=begegnung", status=400)
    alert = page.select_one("[role=alert]")
    assert alert is not None
    assert "Unbekannter Stadtteil „Atlantis“" in alert.get_text()
    assert "keine Zahl" in alert.get_text()
    assert titles(page)  # thema=begegnung still applied
    assert "Familienkurs 01" not in titles(page)  # filler 01 is about counselling


def test_missing_index_degrades_to_the_database_with_a_notice(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    with Session(engine) as session:
        factories.angebot(session, titel="Krabbelgruppe im Zentrum")
        session.commit()
    unindexed = settings.model_copy(update={"search_index_path": tmp_path / "leer" / "search.db"})
    app = create_app(unindexed)
    with TestClient(app) as client:
        page = BeautifulSoup(client.get("/angebote?q=krabbel").text, "html.parser")
    app.state.engine.dispose()
    assert page.select_one("[data-testid=degraded]") is not None
    assert titles(page) == ["Krabbelgruppe im Zentrum"]


def test_results_page_is_not_indexed_but_followed(known: KnownIds, soup: Soup) -> None:
    meta = soup("/angebote").select_one("meta[name=robots]")
    assert meta is not None and meta["content"] == "noindex, follow"


def test_a_district_inside_the_search_text_becomes_a_filter_suggestion(known: KnownIds, soup: Soup) -> None:
    hint = soup("/angebote?q=Krabbelgruppe+in+Lobeda").select_one("[data-testid=district-hint]")
    assert hint is not None and "Lobeda" in hint.get_text()
    assert parse_qsl(urlsplit(str(hint["href"])).query) == [("q", "Krabbelgruppe"), ("ortsteil", "Lobeda")]
    narrowed = soup(str(hint["href"]))
    assert titles(narrowed) == ["Krabbelgruppe Lobeda"]
    assert narrowed.select_one("[data-testid=district-hint]") is None  # already filtered
    assert soup("/angebote?q=Krabbelgruppe").select_one("[data-testid=district-hint]") is None


def test_long_facets_keep_frequent_and_ticked_options_in_view(
    known: KnownIds, soup: Soup, engine: Engine, settings: Settings
) -> None:
    villages = ("maua", "leutra", "cospeda", "ilmnitz", "closewitz", "isserstedt", "krippendorf", "ammerbach")
    with Session(engine) as session:
        for slug in villages:
            factories.angebot(
                session, titel=f"Dorftreff {slug}", ortsteile=(slug,), zielgruppen=("familien",)
            )
        session.commit()
    assert index_offers(engine, settings).ok
    page = soup(
        "/angebote?ortsteil=maua&ortsteil=neulobeda&ortsteil=leutra&ortsteil=cospeda&ortsteil=ilmnitz"
        "&ortsteil=closewitz&ortsteil=isserstedt&ortsteil=krippendorf&ortsteil=ammerbach"
    )
    ortsteile = page.select_one("fieldset.facet:has(input[name=ortsteil])")
    assert ortsteile is not None
    # All nine are ticked, so all stay in view; untick most and the rare ones move behind "more".
    assert len(ortsteile.select(":scope > .check input[checked]")) == 9
    page = soup("/angebote?zielgruppe=familien")
    ortsteile = page.select_one("fieldset.facet:has(input[name=ortsteil])")
    assert ortsteile is not None
    visible = [box["value"] for box in ortsteile.select(":scope > .check input")]
    hidden = [box["value"] for box in ortsteile.select("details.more input")]
    assert len(visible) == 6 and hidden  # the six most frequent districts first
    assert "neulobeda" in visible and set(hidden) <= set(villages)


def test_a_page_past_the_end_redirects_to_the_last_page(known: KnownIds, client: TestClient) -> None:
    response = client.get("/angebote?thema=begegnung&seite=40", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/angebote?thema=begegnung"
    assert client.get("/angebote?seite=9", follow_redirects=False).headers["location"] == "/angebote?seite=2"


def test_a_database_fallback_answer_is_not_kept_by_the_page_cache(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    with Session(engine) as session:
        factories.angebot(session, titel="Krabbelgruppe im Zentrum")
        session.commit()
    cached = settings.model_copy(update={"search_index_path": tmp_path / "idx.db", "page_cache_seconds": 300})
    app = create_app(cached)
    with TestClient(app) as client:
        first = BeautifulSoup(client.get("/angebote?q=krabbel").text, "html.parser")
        assert first.select_one("[data-testid=degraded]") is not None
        assert index_offers(engine, cached).ok
        second = BeautifulSoup(client.get("/angebote?q=krabbel").text, "html.parser")
    app.state.engine.dispose()
    assert second.select_one("[data-testid=degraded]") is None
    assert titles(second) == ["Krabbelgruppe im Zentrum"]
