""" "Meinten Sie …?": corrections of typos only, never a look-alike word of another topic."""

from __future__ import annotations

from search.suggest import _candidates, _Words


def _words(*shown: str) -> _Words:
    keys = {w.lower(): w for w in shown}
    by_length: dict[int, list[str]] = {}
    for key in keys:
        by_length.setdefault(len(key), []).append(key)
    return _Words(keys, by_length)


def test_a_typo_is_corrected() -> None:
    assert _candidates("krbbelgrpe", _words("Krabbelgruppe", "Kleiderkammer")) == ["krabbelgruppe"]


def test_a_word_of_another_topic_is_no_suggestion() -> None:
    vocabulary = _words("Pflegeberatung", "Erziehungsberatung", "Schuldnerberatung")
    assert _candidates("familienberatung", vocabulary) == []


def test_closest_words_come_first() -> None:
    assert _candidates("turnem", _words("Turnen", "Tanzen", "Turm"))[0] == "turnen"
