"""Meilisearch specifics: filter escaping, index settings, zero-downtime rebuild, surfaced task errors."""

from __future__ import annotations

import dataclasses
import uuid

import httpx
import pytest

from search.base import OfferDocument, SearchQuery
from search.documents import SEARCHABLE_FIELDS
from search.meili import (
    MeiliBackend,
    SearchIndexError,
    filter_expression,
    quote,
    settings_problems,
    to_meili,
    typo_free_words,
)
from tests.search.conftest import MASTER_KEY, MeiliServer

pytestmark = pytest.mark.meili

DOC = OfferDocument(
    id="A-1",
    title="Krabbelgruppe",
    description="",
    einrichtung_id="E-1",
    einrichtung_name="Familienzentrum",
    traeger_name="Verein",
    ortsteile=("winzerla",),
    ortsteil_names=("Winzerla",),
    planungsraeume=("winzerla",),
    zielgruppen=("eltern-baby",),
    zielgruppen_labels=("Eltern mit Babys",),
    themen=(),
    themen_labels=(),
    handlungsfeld=None,
    alter_von=None,
    alter_bis=None,
    kostenlos=True,
    barrierefrei=False,
    sprachen=(),
    lat=50.9,
    lon=11.58,
    status="aktiv",
)


@pytest.fixture
def backend(meili_server: MeiliServer) -> MeiliBackend:
    return MeiliBackend(
        url=meili_server.url, api_key=MASTER_KEY, index=f"t_{uuid.uuid4().hex[:10]}", timeout=1.0
    )


def _indexes(server: MeiliServer) -> list[str]:
    response = httpx.get(
        f"{server.url}/indexes", params={"limit": 1000}, headers={"Authorization": f"Bearer {MASTER_KEY}"}
    )
    return [i["uid"] for i in response.json()["results"]]


def test_quote_escapes_quotes_and_backslashes() -> None:
    assert quote('a"b\\c') == '"a\\"b\\\\c"'
    assert quote(True) == "true"
    assert quote(2) == "2.0"


def test_filter_values_cannot_break_out(backend: MeiliBackend) -> None:
    backend.rebuild([DOC])
    hostile = 'x" OR kostenlos = true OR zielgruppe = "y'
    query = SearchQuery(zielgruppen=(hostile,))
    assert filter_expression(query) == [f"zielgruppe IN [{quote(hostile)}]"]
    assert backend.search(query).total == 0
    assert backend.search(SearchQuery(zielgruppen=("eltern-baby",))).total == 1


def test_rebuild_swaps_in_a_fresh_index_and_leaves_no_leftovers(
    backend: MeiliBackend, meili_server: MeiliServer
) -> None:
    backend.rebuild([DOC])
    replacement = dataclasses.replace(DOC, id="A-2", title="Elterncafé")
    assert backend.rebuild([replacement]) == 1
    assert backend.search(SearchQuery(q="Krabbelgruppe")).total == 0
    assert backend.search(SearchQuery(q="Elterncafe")).ids == ["A-2"]
    assert [uid for uid in _indexes(meili_server) if uid.startswith(backend.index)] == [backend.index]


def test_rebuild_removes_leftovers_of_an_interrupted_rebuild(
    backend: MeiliBackend, meili_server: MeiliServer
) -> None:
    backend._create(f"{backend.index}_neu_1")  # what a crash after "create" leaves behind
    backend.rebuild([DOC])
    assert [uid for uid in _indexes(meili_server) if uid.startswith(backend.index)] == [backend.index]


def test_index_settings_rank_title_first_and_keep_localized_attributes_unset(backend: MeiliBackend) -> None:
    backend.rebuild([DOC])
    settings = backend._request("GET", f"/indexes/{backend.index}/settings")
    assert settings["searchableAttributes"] == list(SEARCHABLE_FIELDS)
    assert settings["searchableAttributes"][:3] == ["title", "title_parts", "institution"]
    assert "title_words" in settings["filterableAttributes"]  # the exact-word tier is a filter
    assert settings_problems(settings) == []
    assert settings["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": 5, "twoTypos": 9}
    # Indexed words are no typos of each other (as in the embedded backend); synonyms are in the documents.
    assert set(typo_free_words([to_meili(DOC)])) <= set(settings["typoTolerance"]["disableOnWords"])
    assert settings["typoTolerance"]["disableOnWords"]
    assert "_geo" in settings["sortableAttributes"]
    assert settings["synonyms"] == {}
    assert not settings.get("localizedAttributes")


def test_failed_task_is_surfaced(backend: MeiliBackend) -> None:
    broken = dataclasses.replace(DOC, lat="Norden")  # type: ignore[arg-type]  # Meilisearch rejects this _geo
    with pytest.raises(SearchIndexError, match="fehlgeschlagen"):
        backend.upsert([broken])


def test_workbook_ids_with_odd_characters_are_indexed(backend: MeiliBackend) -> None:
    odd = dataclasses.replace(DOC, id="ANG/2024 #7")
    backend.upsert([odd])
    assert backend.search(SearchQuery(q="Krabbelgruppe")).ids == ["ANG/2024 #7"]
    backend.delete(["ANG/2024 #7"])
    assert backend.count() == 0
