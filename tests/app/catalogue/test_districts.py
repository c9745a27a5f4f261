"""District resolution: names, aliases, Planungsräume, whole city, suggestions – from the database table."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.catalogue.districts import DistrictResolver, UnknownDistrict
from app.catalogue.text import fold, fold_key


@pytest.fixture
def resolver(session: Session) -> DistrictResolver:
    return DistrictResolver.from_session(session)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Löbstedt", {"loebstedt"}),
        ("loebstedt", {"loebstedt"}),
        ("  LOEBSTEDT ", {"loebstedt"}),
        ("Lobeda-West", {"neulobeda"}),
        ("lobeda west", {"neulobeda"}),
        ("Nord II", {"jena-nord"}),
        ("Winzerla", {"winzerla"}),
        ("Planungsraum Winzerla", {"winzerla", "burgau", "goeschwitz", "ammerbach"}),
        ("Lobeda", {"neulobeda", "lobeda-altstadt", "woellnitz", "drackendorf"}),
        ("Jena-Ost", {"wenigenjena", "kernberge", "ziegenhain", "jenapriessnitz-wogau"}),
        ("Wenigenjena/Kernberge", {"wenigenjena", "kernberge"}),
        ("Jenapriessnitz", {"jenapriessnitz-wogau"}),
    ],
)
def test_resolves_names_aliases_and_planungsraeume(
    resolver: DistrictResolver, text: str, expected: set[str]
) -> None:
    assert set(resolver.resolve(text).ortsteile) == expected


def test_whole_city(resolver: DistrictResolver) -> None:
    for text in ("stadtweit", "ganz Jena", "Stadtweit"):
        match = resolver.resolve(text)
        assert match.stadtweit and match.ortsteile == ()


def test_unknown_district_suggests_closest(resolver: DistrictResolver) -> None:
    with pytest.raises(UnknownDistrict) as info:
        resolver.resolve("Neulobda")
    assert info.value.suggestions[0] == "Neulobeda"
    assert "meinten Sie Neulobeda" in str(info.value)


def test_multi_value_union_keeps_order_without_duplicates(resolver: DistrictResolver) -> None:
    match = resolver.resolve_many(["Burgau", "Winzerla", "Burgau"])
    assert match.ortsteile == ("burgau", "winzerla")


def test_fold_treats_umlaut_spellings_alike() -> None:
    assert fold("Mütter") == fold("Muetter") == "muetter"
    assert fold("Straße") == fold("Strasse")
    assert fold("Familiencafé") == "familiencafe"
    assert fold_key("Lobeda-West") == fold_key("lobeda west")
