"""District resolution: names, aliases, Planungsräume, whole city, suggestions – from the database table."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.catalogue.districts import DistrictCache, DistrictResolver, UnknownDistrict
from app.catalogue.models import Ortsteil
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


def test_lookup_answers_none_for_unknown_text_without_suggesting(resolver: DistrictResolver) -> None:
    assert resolver.lookup("Krabbelgruppe") is None
    assert resolver.lookup("") is None
    match = resolver.lookup("Lobeda-West")
    assert match is not None and match.ortsteile == ("neulobeda",)


def test_district_cache_follows_the_catalogue_version(engine: Engine) -> None:
    now = [0.0]
    cache = DistrictCache(recheck_seconds=5.0, clock=lambda: now[0])
    with Session(engine) as session:
        assert cache.get(session).resolver.lookup("Am Zwergenberg") is None
        districts = cache.get(session)
        assert districts.groups and all(group.ortsteile for group in districts.groups)
        assert sum(len(g.ortsteile) for g in districts.groups) == len(districts.resolver.ortsteile)
    with Session(engine) as session:  # a public change: the session bumps the catalogue version
        winzerla = session.exec(select(Ortsteil).where(Ortsteil.slug == "winzerla")).one()
        winzerla.aliases = [*winzerla.aliases, "Am Zwergenberg"]
        session.commit()
    with Session(engine) as session:
        assert cache.get(session).resolver.lookup("Am Zwergenberg") is None  # not rechecked yet
        now[0] = 6.0
        match = cache.get(session).resolver.lookup("Am Zwergenberg")
        assert match is not None and match.ortsteile == ("winzerla",)
