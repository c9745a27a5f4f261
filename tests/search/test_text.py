"""The German text layer both backends index and query with."""

from __future__ import annotations

import pytest

from app.catalogue.districts import DistrictResolver
from app.catalogue.text import fold, fold_key
from search.base import Sort
from search.params import InvalidSearchParams, parse_offer_params
from search.text import (
    analyse_query,
    analyse_text,
    highlight,
    index_terms,
    max_typos,
    parse_synonyms,
    query_words,
    split_compound,
    stem,
    synonym_terms,
    within_typos,
)


def test_fold_and_fold_key_stay_as_before() -> None:
    assert fold("Straße am Löbstedter Weg") == "strasse am loebstedter weg"
    assert fold_key("Lobeda-West") == fold_key("lobeda west") == "lobedawest"


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("familienberatung", ["familien", "beratung"]),
        ("erziehungsberatung", ["erziehung", "beratung"]),  # Fugen-s
        ("schwangerschaftsberatung", ["schwangerschaft", "beratung"]),
        ("familiencafe", ["familien", "cafe"]),
        ("schulweg", ["schule", "weg"]),  # elided -e
        ("lernhilfe", ["lernen", "hilfe"]),  # verb stem from "das Lernen"
        ("kindergarten", ["kinder", "garten"]),  # Fugen-er / plural
        ("seniorenberatung", ["senioren", "beratung"]),
        ("jugendberatung", ["jugend", "beratung"]),
        ("familienfruehstueck", ["familien", "fruehstueck"]),
        ("krabbelgruppe", ["krabbel", "gruppe"]),  # local word from wortteile.txt
        ("beratung", []),
        ("nachbarschaft", []),  # -schaft is a suffix, not the noun "Schaft"
        ("ausbildung", []),  # "aus" is a stop word, never a part
        ("kindern", []),  # an inflected form is not "Kind" + "Ern"
        ("kostenlose", []),  # an adjective is not "Kosten" + "Lose"
        ("barrierefreie", []),
        ("elternabend", ["eltern", "abend"]),
    ],
)
def test_split_compound(word: str, parts: list[str]) -> None:
    assert split_compound(word) == parts


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("familien", "familie"),
        ("gaerten", "garten"),
        ("aerzte", "arzt"),
        ("muetter", "mutter"),
        ("beratungen", "beratung"),
        ("babys", "baby"),  # -s plural after a vowel
        ("kitas", "kita"),
        ("basteln", "bastel"),  # verb and compound stem alike
        ("kostenlose", "kostenlos"),
    ],
)
def test_inflected_forms_share_a_stem(a: str, b: str) -> None:
    assert stem(a) == stem(b)


def test_compound_query_finds_its_parts_in_any_text() -> None:
    """The query's tokens are all among the tokens of a text that says the same in separate words."""
    text = set(index_terms("Beratung für Familien"))
    assert set(analyse_query("Familienberatung").tokens) <= text
    assert set(analyse_query("Beratung Familie").tokens) <= set(index_terms("Familienberatung"))


def test_exact_word_stays_indexed_beside_its_stem() -> None:
    terms = index_terms("Gärten")
    assert "gaerten" in terms and stem("garten") in terms


def test_questions_keep_only_their_subject() -> None:
    assert analyse_query("wo kann mein Kind turnen").words == ("kind", "turnen")
    assert analyse_query("Gibt es Hilfe bei Schulden in Jena?").words == ("hilfe", "schulden")
    assert analyse_query("Ich suche einen Treff für Alleinerziehende").words == ("treff", "alleinerziehende")


def test_stop_words_never_empty_the_query() -> None:
    assert analyse_query("wo gibt es was").words == ("wo", "gibt", "es", "was")
    assert query_words("Angebote") == ["angebote"]


def test_meaningful_words_of_the_stop_list_stay() -> None:
    assert {"recht", "offen", "leicht", "allein"} <= set(query_words("Recht offen leicht allein"))


def test_compound_parts_are_kept_apart_from_whole_words() -> None:
    """Parts rank below whole words: they are indexed apart, and never twice."""
    analysis = analyse_text("Mütterberatung und Beratungen")
    assert analysis.words == ("muetterberatung", "und", "beratungen")
    assert {"muetterberatung", "beratungen", stem("beratung")} <= set(analysis.whole)
    assert stem("mutter") in analysis.parts
    assert stem("beratung") not in analysis.parts  # a whole word of the text as well
    assert set(analysis.terms) == set(analysis.whole) | set(analysis.parts)


def test_index_terms_carry_hyphen_parts_and_joined_words() -> None:
    terms = index_terms("Eltern-Kind-Turnen in der Kita")
    assert {"eltern", "kind", "turnen", "elternkindturnen", "kita"} <= set(terms)
    assert len(terms) == len(set(terms))


def test_synonyms_are_indexed_in_their_own_field_and_by_compound_parts() -> None:
    assert "kita" in synonym_terms("Kindertagesstätte")
    assert stem("bibliothek") in synonym_terms("Bücherei")
    assert stem("grosseltern") not in synonym_terms(
        "Großelterntreff"
    )  # the text's own words are not repeated
    assert "oma" in synonym_terms("Großelterntreff")  # via the part "Großeltern"


def test_synonym_file_format() -> None:
    synonyms = parse_synonyms(["# Kommentar", "Kita, Kindertagesstätte", "Oma, Opa => Großeltern", ""])
    assert synonyms.expand({"kindertagesstaette"}) == {"kindertagesstaette", "kita"}
    assert synonyms.expand({"grosseltern"}) == {"grosseltern", "oma", "opa"}
    assert synonyms.expand({"oma"}) == {"oma"}  # one way only


@pytest.mark.parametrize(("word", "typos"), [("kita", 0), ("turnen", 1), ("gymnastik", 2), ("beratung", 1)])
def test_typo_thresholds_follow_meilisearch(word: str, typos: int) -> None:
    assert max_typos(word) == typos


def test_a_swap_of_neighbours_is_one_typo() -> None:
    assert within_typos("turenn", "turnen")
    assert not within_typos("tunrne", "turnen")
    assert not within_typos("kiat", "kita")


def test_highlight_escapes_first() -> None:
    marked = highlight('<b onclick="x">Krabbelgruppe</b> & Erziehungsberatung', "beratung")
    assert str(marked) == (
        "&lt;b onclick=&#34;x&#34;&gt;Krabbelgruppe&lt;/b&gt; &amp; <mark>Erziehungsberatung</mark>"
    )


def test_highlight_snippet_cuts_around_the_first_match() -> None:
    text = "Vorwort " * 60 + "Hier gibt es Hausaufgabenhilfe am Nachmittag." + " Nachwort" * 60
    marked = str(highlight(text, "Hausaufg", snippet=120))
    assert marked.startswith("…") and marked.endswith("…")
    assert "<mark>Hausaufgabenhilfe</mark>" in marked
    assert len(marked) < 200


# --- the shared parameter parser ----------------------------------------------------------------------------

RESOLVER = DistrictResolver.default()


def test_parser_expands_districts_and_reads_labels() -> None:
    query = parse_offer_params(
        {"ortsteil": ["Ost"], "zielgruppe": ["Senioren"], "sprache": ["Türkisch"], "handlungsfeld": ["HF 3"]},
        RESOLVER,
    )
    assert set(query.ortsteile) == {"wenigenjena", "kernberge", "ziegenhain", "jenapriessnitz-wogau"}
    assert query.zielgruppen == ("senioren",)
    assert query.sprachen == ("tuerkisch",)
    assert query.handlungsfelder == (3,)


def test_parser_ignores_empty_form_fields_but_the_api_mode_does_not() -> None:
    assert parse_offer_params({"ortsteil": [""], "alter": [""]}, RESOLVER).ortsteile == ()
    with pytest.raises(InvalidSearchParams) as caught:
        parse_offer_params({"ortsteil": [""]}, RESOLVER, allow_empty=False)
    assert "Leerer Wert" in caught.value.errors["ortsteil"]


def test_parser_reports_all_problems_at_once() -> None:
    with pytest.raises(InvalidSearchParams) as caught:
        parse_offer_params({"alter": ["x"], "limit": ["500"], "sort": ["zufall"]}, RESOLVER)
    assert set(caught.value.errors) == {"alter", "limit", "sort"}


def test_parser_distance_without_point_falls_back_and_control_characters_go() -> None:
    query = parse_offer_params({"sort": ["distance"], "q": ["Kita\x00\x07 "]}, RESOLVER)
    assert query.sort is Sort.relevance
    assert query.q == "Kita"
    located = parse_offer_params({"sort": ["distance"], "lat": ["50,93"], "lon": ["11.58"]}, RESOLVER)
    assert (located.sort, located.lat, located.lon) == (Sort.distance, 50.93, 11.58)


def test_stadtweit_as_district_restricts_nothing() -> None:
    assert parse_offer_params({"ortsteil": ["stadtweit"]}, RESOLVER).ortsteile == ()


def test_an_indexed_card_expires_with_its_offer() -> None:
    """Lists served from index cards drop an offer whose last day has passed, without asking the database."""
    from datetime import date

    from search.base import card_current

    card = {"title": "Ferienfreizeit", "gueltig_bis": "2026-08-31"}
    assert card_current(card, date(2026, 8, 31))
    assert not card_current(card, date(2026, 9, 1))
    assert card_current({"title": "Krabbelgruppe", "gueltig_bis": None}, date(2030, 1, 1))
