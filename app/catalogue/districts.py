"""Resolve what people write for a place in Jena to Ortsteile – the one place for this rule.

Order (ignoring case, umlauts, spaces, hyphens): Ortsteil name or slug → alias → Planungsraum → whole city.
"Lobeda" (ambiguous) means the Planungsraum; "Planungsraum Winzerla" the Planungsraum, "Winzerla" the
Ortsteil; "Jena-Ost" the Planungsraum Ost; "stadtweit"/"ganz Jena" the whole city. An alias on several
Ortsteile (``Wenigenjena/Kernberge``) names all of them. Used by the importer, the search API and the forms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlmodel import Session, select

from app.catalogue import vocab
from app.catalogue.models import Ortsteil, Planungsraum
from app.catalogue.text import fold_key

CITYWIDE = ("stadtweit", "ganz jena", "gesamtstadt", "jena", "alle stadtteile")


@dataclass(frozen=True)
class DistrictMatch:
    ortsteile: tuple[str, ...]  # slugs
    stadtweit: bool = False
    planungsraum: str | None = None  # code, when the text named a Planungsraum


class UnknownDistrict(ValueError):
    def __init__(self, text: str, suggestions: list[str]) -> None:
        self.text = text
        self.suggestions = suggestions
        hint = f" – meinten Sie {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unbekannter Stadtteil „{text}“{hint}")


@dataclass(frozen=True)
class OrtsteilInfo:
    slug: str
    name: str
    planungsraum: str
    aliases: tuple[str, ...] = ()


class DistrictResolver:
    def __init__(self, ortsteile: Iterable[OrtsteilInfo], planungsraeume: Iterable[tuple[str, str]]) -> None:
        self.ortsteile = {o.slug: o for o in ortsteile}
        self.planungsraum_names = dict(planungsraeume)  # code -> name
        self.by_planungsraum: dict[str, list[str]] = defaultdict(list)
        for o in self.ortsteile.values():
            self.by_planungsraum[o.planungsraum].append(o.slug)

        self._ortsteil_keys: dict[str, str] = {}
        self._alias_keys: dict[str, set[str]] = defaultdict(set)
        for o in self.ortsteile.values():
            self._ortsteil_keys[fold_key(o.name)] = o.slug
            self._ortsteil_keys[fold_key(o.slug)] = o.slug
            for alias in o.aliases:
                self._alias_keys[fold_key(alias)].add(o.slug)
        self._planungsraum_keys: dict[str, str] = {}
        for code, name in self.planungsraum_names.items():
            for variant in (code, name, f"Planungsraum {name}", f"Jena-{name}", f"Jena {name}"):
                self._planungsraum_keys[fold_key(variant)] = code
        self._display_names = [o.name for o in self.ortsteile.values()] + list(
            self.planungsraum_names.values()
        )
        self._display_names += [a for o in self.ortsteile.values() for a in o.aliases]

    @classmethod
    def default(cls) -> DistrictResolver:
        """The built-in table (domain reference), for code that has no database at hand."""
        return cls(
            (OrtsteilInfo(o.slug, o.name, o.planungsraum, o.aliases) for o in vocab.ORTSTEILE),
            ((p.code, p.name) for p in vocab.PLANUNGSRAEUME),
        )

    @classmethod
    def from_session(cls, session: Session) -> DistrictResolver:
        rows = session.exec(select(Ortsteil)).all()
        raeume = session.exec(select(Planungsraum)).all()
        return cls(
            (OrtsteilInfo(o.slug, o.name, o.planungsraum_code, tuple(o.aliases)) for o in rows),
            ((p.code, p.name) for p in raeume),
        )

    def resolve(self, text: str) -> DistrictMatch:
        """One district expression → Ortsteil slugs; raises :class:`UnknownDistrict` with suggestions."""
        key = fold_key(text)
        if not key:
            raise UnknownDistrict(text, [])
        if key in {fold_key(c) for c in CITYWIDE}:
            return DistrictMatch(ortsteile=(), stadtweit=True)
        if key.startswith("planungsraum") and key in self._planungsraum_keys:
            return self._planungsraum(self._planungsraum_keys[key])
        if key in self._ortsteil_keys:
            return DistrictMatch(ortsteile=(self._ortsteil_keys[key],))
        if key in self._alias_keys:
            return DistrictMatch(ortsteile=tuple(sorted(self._alias_keys[key])))
        if key in self._planungsraum_keys:
            return self._planungsraum(self._planungsraum_keys[key])
        raise UnknownDistrict(text, self.suggest(text))

    def resolve_many(self, texts: Iterable[str]) -> DistrictMatch:
        """Several expressions (a multi-value cell) → their union."""
        slugs: list[str] = []
        stadtweit = False
        for text in texts:
            match = self.resolve(text)
            stadtweit = stadtweit or match.stadtweit
            slugs.extend(s for s in match.ortsteile if s not in slugs)
        return DistrictMatch(ortsteile=tuple(slugs), stadtweit=stadtweit)

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        found = process.extract(
            text, self._display_names, scorer=fuzz.WRatio, processor=fold_key, limit=limit, score_cutoff=75
        )
        names: list[str] = []
        for name, _score, _idx in found:
            if name not in names:
                names.append(name)
        return names

    def _planungsraum(self, code: str) -> DistrictMatch:
        return DistrictMatch(ortsteile=tuple(self.by_planungsraum.get(code, ())), planungsraum=code)

    def name_of(self, slug: str) -> str:
        return self.ortsteile[slug].name
