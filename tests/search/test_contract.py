"""One contract, both backends: every behaviour of issue 5, on embedded FTS5 and on real Meilisearch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from tests import factories as f
from tests.search.conftest import BACKENDS, PUBLIC, World, indexed_world


def found(world: World, q: str = "", **params: str | list[str]) -> set[str]:
    return set(world.names(world.find(q, limit="100", **params)))


# --- text -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["Mütterfrühstück", "Muetterfruehstueck", "MÜTTERFRÜHSTÜCK", "Mutterfrühstück"])
def test_umlauts_and_transliterations_are_the_same_word(world: World, q: str) -> None:
    assert "muetter" in found(world, q)


@pytest.mark.parametrize("q", ["Spielstraße", "Spielstrasse"])
def test_sharp_s_equals_ss(world: World, q: str) -> None:
    assert found(world, q) == {"strasse"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [("Krabelgruppe", "krabbel"), ("Schwangerschaftsberatng", "schwanger"), ("Krabbelgurppe", "krabbel")],
)
def test_typos_within_meilisearch_thresholds_are_found(world: World, q: str, expected: str) -> None:
    result = world.find(q)
    assert world.names(result)[0] == expected


def test_short_words_allow_no_typo(world: World) -> None:
    # "Kiat" has 4 letters: no typo allowed, so it must not find "Kita"-synonym documents.
    assert found(world, "Kiat") == set()


def test_too_many_typos_find_nothing_but_suggest(world: World) -> None:
    result = world.find("Krbbelgrpe")
    assert result.total == 0
    assert result.suggestion == "Krabbelgruppe"


def test_prefix_while_typing(world: World) -> None:
    assert found(world, "Hausaufg") == {"hausaufgaben"}


def test_prefix_only_for_the_last_word_being_typed(world: World) -> None:
    assert found(world, "Seniorengymnastik Löbst") == {"senioren_loebstedt"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [("turnen", {"turnen"}), ("café", {"cafe"}), ("Cafe", {"cafe"}), ("gymnastik", None)],
)
def test_parts_of_compounds_are_found(world: World, q: str, expected: set[str] | None) -> None:
    result = found(world, q)
    if expected is None:
        assert result == {"senioren_loebstedt", "senioren_winzerla"}
    else:
        assert result == expected


def test_compound_head_beratung(world: World) -> None:
    assert {"erziehung", "schwanger"} <= found(world, "beratung")


@pytest.mark.parametrize("q", ["Kita", "Kindergarten", "kindertagesstaette"])
def test_synonyms_kita(world: World, q: str) -> None:
    assert found(world, q) == {"kita"}


@pytest.mark.parametrize("q", ["Oma", "Opa"])
def test_one_way_synonym_finds_grosseltern(world: World, q: str) -> None:
    result = found(world, q)
    assert "grosseltern" in result
    if q == "Opa":
        assert "oma_erna" not in result


def test_one_way_synonym_does_not_go_back(world: World) -> None:
    # "Großeltern" must not find an offer that only mentions "Oma".
    assert "oma_erna" not in found(world, "Großeltern")


def test_senioren_equals_seniorinnen(world: World) -> None:
    assert (
        found(world, "Seniorinnen") == found(world, "Senioren") == {"senioren_loebstedt", "senioren_winzerla"}
    )


def test_district_name_in_the_query_counts_like_text(world: World) -> None:
    assert found(world, "Senioren Löbstedt") == {"senioren_loebstedt"}
    assert found(world, "Senioren Loebstedt") == {"senioren_loebstedt"}


def test_stop_words_do_not_block_a_match(world: World) -> None:
    assert "hausaufgaben" in found(world, "Hausaufgabenhilfe für Kinder in Winzerla")


# --- filters ----------------------------------------------------------------------------------------------


def test_ortsteil_filter_takes_slugs_names_and_aliases(world: World) -> None:
    # Lobeda-West is an alias of Neulobeda; the city-wide Elterntelefon matches every district.
    assert found(world, ortsteil="Lobeda-West") == {"turnen", "telefon"}
    assert found(world, ortsteil="neulobeda") == {"turnen", "telefon"}
    assert found(world, ortsteil="Löbstedt") == {"senioren_loebstedt", "grosseltern", "telefon"}


def test_ortsteil_filter_with_a_planungsraum_name(world: World) -> None:
    # "West/Zentrum" = jena-zentrum, jena-west, jena-sued, lichtenhain
    expected = {"krabbel", "schwanger", "cafe", "oma_erna", "muetter", "strasse", "telefon"}
    assert found(world, ortsteil="West/Zentrum") == expected
    assert found(world, planungsraum="west-zentrum") == expected


def test_planungsraum_filter(world: World) -> None:
    assert found(world, planungsraum="winzerla") == {"hausaufgaben", "senioren_winzerla", "telefon"}
    assert found(world, planungsraum="nord") == {
        "erziehung",
        "kita",
        "paused",
        "senioren_loebstedt",
        "grosseltern",
        "telefon",
    }


def test_zielgruppe_or_within_and_across(world: World) -> None:
    assert found(world, zielgruppe="senioren") == {"senioren_loebstedt", "senioren_winzerla"}
    assert found(world, zielgruppe=["senioren", "kinder"]) == {
        "senioren_loebstedt",
        "senioren_winzerla",
        "hausaufgaben",
    }
    assert found(world, zielgruppe=["senioren", "kinder"], ortsteil="winzerla") == {
        "senioren_winzerla",
        "hausaufgaben",
    }


def test_thema_and_handlungsfeld_filters(world: World) -> None:
    assert found(world, thema="beratung") == {"schwanger", "erziehung", "telefon"}
    assert found(world, handlungsfeld="4") == {"schwanger", "erziehung"}
    assert found(world, handlungsfeld=["3", "6"]) == {
        "krabbel",
        "hausaufgaben",
        "senioren_loebstedt",
        "senioren_winzerla",
    }
    assert found(world, thema="beratung", handlungsfeld="4", q="Erziehung") == {"erziehung"}


def test_age_lies_within_the_offer_range(world: World) -> None:
    ranged = {"krabbel": (0, 3), "hausaufgaben": (6, 12), "turnen": (1, 6)}
    unranged = PUBLIC - set(ranged)
    assert found(world, alter="2") == {"krabbel", "turnen"} | unranged
    assert found(world, alter="6") == {"hausaufgaben", "turnen"} | unranged
    assert found(world, alter="0,5") == {"krabbel"} | unranged
    assert found(world, alter="13") == unranged


def test_kostenlos_and_barrierefrei(world: World) -> None:
    assert found(world, kostenlos="true") == {"krabbel", "schwanger"}
    assert "turnen" in found(world, kostenlos="false")
    assert "krabbel" not in found(world, kostenlos="false")
    # Offers inherit the institution's accessibility (Beratungsstelle Am Steiger is "ja").
    assert found(world, barrierefrei="ja") == {"schwanger", "muetter"}


def test_sprache_filter_with_inheritance(world: World) -> None:
    assert found(world, sprache="arabisch") == {"schwanger"}
    assert found(world, sprache=["englisch", "Arabisch"]) == {"krabbel", "schwanger"}
    # Kinderbüro speaks German; its offers inherit it.
    assert {"oma_erna", "strasse"} <= found(world, sprache="deutsch")


# --- facets, sorting, public rule, highlights --------------------------------------------------------------


def test_facets_count_the_current_result_set(world: World) -> None:
    result = world.find("", thema="beratung", limit="1")
    assert result.total == 3
    assert len(result.ids) == 1
    assert result.facets["ortsteil"] == {"jena-west": 1, "jena-nord": 1, "jena-zentrum": 1}
    assert result.facets["planungsraum"] == {"west-zentrum": 2, "nord": 1}
    assert result.facets["thema"] == {"beratung": 3}
    assert result.facets["handlungsfeld"] == {"4": 2}
    assert result.facets["kostenlos"] == {"true": 1, "false": 2}
    assert result.facets["zielgruppe"] == {"werdende-eltern": 1, "familien": 1}
    assert result.facets["sprache"] == {"deutsch": 1, "arabisch": 1}


def test_facets_follow_the_text_query(world: World) -> None:
    result = world.find("Seniorengymnastik")
    assert result.facets["ortsteil"] == {"loebstedt": 1, "winzerla": 1}
    assert result.facets["zielgruppe"] == {"senioren": 2}


def test_sort_by_name(world: World) -> None:
    names = world.names(world.find("", sort="name", limit="100"))
    titles = {
        "krabbel": "Krabbelgruppe Zwergenland",
        "schwanger": "Schwangerschaftsberatung",
        "hausaufgaben": "Hausaufgabenhilfe für Grundschulkinder",
        "turnen": "Eltern-Kind-Turnen",
        "erziehung": "Erziehungsberatung",
        "cafe": "Familiencafé am Markt",
        "senioren_loebstedt": "Seniorengymnastik",
        "senioren_winzerla": "Seniorengymnastik",
        "kita": "Kindertagesstätte Regenbogen: Tag der offenen Tür",
        "grosseltern": "Großelternnachmittag",
        "oma_erna": "Vorlesen mit Oma Erna",
        "muetter": "Mütterfrühstück",
        "strasse": "Spielstraße im Damenviertel",
        "telefon": "Elterntelefon",
        "paused": "Babymassage",
    }
    assert len(names) == len(PUBLIC)
    got = [titles[n].lower() for n in names]
    assert got[0] == "babymassage"
    assert got == sorted(got, key=lambda t: t.replace("ß", "ss").replace("ü", "ue").replace("ö", "oe"))


def test_sort_by_distance(world: World) -> None:
    # A point next to the Nachbarschaftstreff in Löbstedt, then Haus der Eltern (Jena-Nord).
    names = world.names(world.find("", sort="distance", lat="50.9561", lon="11.6001", limit="100"))
    assert set(names[:2]) == {"senioren_loebstedt", "grosseltern"}
    assert set(names[2:5]) == {"erziehung", "kita", "paused"}
    # Places without coordinates come last.
    assert set(names[-2:]) == {"oma_erna", "strasse"}


def test_relevance_prefers_the_title(world: World) -> None:
    assert world.names(world.find("Erziehungsberatung"))[0] == "erziehung"


def test_only_public_offers_are_found(world: World) -> None:
    assert found(world, "Krabbelgruppe") == {"krabbel"}
    assert found(world) == PUBLIC
    assert world.find().total == len(PUBLIC)


def test_highlights_escape_markup_before_marking(world: World) -> None:
    result = world.find("Erziehung")
    marked = result.highlights[world.ids["erziehung"]]
    description = str(marked["description"])
    assert "<script>" not in description
    assert "&lt;script&gt;" in description
    assert "<mark>Erziehung</mark>" in description
    assert str(marked["title"]) == "<mark>Erziehungsberatung</mark>"


def test_paging(world: World) -> None:
    first = world.find("", sort="name", limit="5")
    second = world.find("", sort="name", limit="5", offset="5")
    odd = world.find("", sort="name", limit="4", offset="3")
    everything = world.find("", sort="name", limit="100").ids
    assert first.ids + second.ids == everything[:10]
    assert odd.ids == everything[3:7]
    assert first.total == second.total == len(PUBLIC)


def test_suggestion_is_only_offered_when_it_finds_something(world: World) -> None:
    result = world.find("Krbbelgrpe")
    assert result.suggestion is not None
    assert world.find(result.suggestion).total > 0


# --- ranking of word forms -----------------------------------------------------------------------------


def _word_forms(session: Session) -> dict[str, str]:
    """Offers that differ only in how their title has the word "Beratung". Created, and named, in the
    reverse of the expected order, so neither the name nor the insertion order can produce it by chance."""
    place = f.einrichtung(session, name="Haus am Markt")
    titles = {
        "tippfehler": "Beratnug für Eltern",  # misspelt
        "beschreibung": "Offener Treff",  # the exact word, but only in the description
        "wortteil": "Mütterberatung",  # a compound part
        "stamm": "Sprechstunde und Beratungen",  # another inflection: the same stem
        "exakt": "Zwergenhaus: Beratung",  # the word as typed
    }
    rows = {
        name: f.angebot(
            session,
            einrichtung_row=place,
            titel=title,
            beschreibung="Mit Beratung." if name == "beschreibung" else None,
        )
        for name, title in titles.items()
    }
    session.commit()
    return {name: row.external_id for name, row in rows.items()}


@pytest.fixture(scope="module", params=BACKENDS)
def word_forms(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from indexed_world(request, sqlite_template, tmp_path_factory, _word_forms)


@pytest.mark.parametrize("q", ["Beratung", "beratung "])
def test_exact_word_beats_stem_beats_compound_part_beats_typo(word_forms: World, q: str) -> None:
    # Title before description; in the title the word as typed, then another form of it, then a compound
    # part. A misspelling is no match at all: a word the index knows is never taken for a typo of another.
    assert word_forms.names(word_forms.find(q)) == ["exakt", "stamm", "wortteil", "beschreibung"]


def test_exact_words_tier_pages_like_one_list(word_forms: World) -> None:
    everything = word_forms.find("Beratung").ids
    pages = [word_forms.find("Beratung", limit="1", offset=str(n)) for n in range(5)]
    odd = word_forms.find("Beratung", limit="2", offset="1")
    assert [i for page in pages for i in page.ids] == everything
    assert odd.ids == everything[1:3]
    assert {page.total for page in (*pages, odd)} == {4}


# --- a misspelt compound the splitter cuts wrongly -------------------------------------------------------


def _misspelt_compounds(session: Session) -> dict[str, str]:
    place = f.einrichtung(session, name="Familienzentrum am Anger")
    rows = {
        "beratung": f.angebot(session, einrichtung_row=place, titel="Beratung für Alleinerziehende"),
        "still": f.angebot(session, einrichtung_row=place, titel="Stillberatung"),
    }
    session.commit()
    return {name: row.external_id for name, row in rows.items()}


@pytest.fixture(scope="module", params=BACKENDS)
def misspelt(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from indexed_world(request, sqlite_template, tmp_path_factory, _misspelt_compounds)


def test_a_typo_the_splitter_cuts_into_an_unknown_word_is_read_as_one_word(misspelt: World) -> None:
    # "Stilberatung" splits into "Stil" + "Beratung"; no offer has "Stil", but joined again the word is one
    # typo away from "Stillberatung" – what the family meant (Meilisearch joins neighbouring words, too).
    assert misspelt.names(misspelt.find("Stilberatung"))[0] == "still"
