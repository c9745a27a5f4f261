"""Resolve what people write for a place in Jena to Ortsteile – the one place for this rule.

Order (ignoring case, umlauts, spaces, hyphens): Ortsteil name or slug → alias → Planungsraum → whole city.
"Lobeda" (ambiguous) means the Planungsraum; "Planungsraum Winzerla" the Planungsraum, "Winzerla" the
Ortsteil; "Jena-Ost" the Planungsraum Ost; "stadtweit"/"ganz Jena" the whole city. An alias on several
Ortsteile (``Wenigenjena/Kernberge``) names all of them. Used by the importer, the search API and the forms.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlmodel import Session, col, select

from app.catalogue import version as catalogue_version
from app.catalogue import vocab
from app.catalogue.models import Ortsteil, Planungsraum
from app.catalogue.text import fold_key

CITYWIDE = ("stadtweit", "ganz jena", "gesamtstadt", "jena", "alle stadtteile")
_CITYWIDE_KEYS = frozenset(fold_key(c) for c in CITYWIDE)


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
        return Districts.load(session).resolver

    def resolve(self, text: str) -> DistrictMatch:
        """One district expression → Ortsteil slugs; raises :class:`UnknownDistrict` with suggestions."""
        match = self.lookup(text)
        if match is None:
            raise UnknownDistrict(text, self.suggest(text) if fold_key(text) else [])
        return match

    def lookup(self, text: str) -> DistrictMatch | None:
        """Like :meth:`resolve`, but None for an unknown text (no fuzzy suggestions: a search word that
        might name a district is checked on every results page)."""
        key = fold_key(text)
        if not key:
            return None
        if key in _CITYWIDE_KEYS:
            return DistrictMatch(ortsteile=(), stadtweit=True)
        if key.startswith("planungsraum") and key in self._planungsraum_keys:
            return self._planungsraum(self._planungsraum_keys[key])
        if key in self._ortsteil_keys:
            return DistrictMatch(ortsteile=(self._ortsteil_keys[key],))
        if key in self._alias_keys:
            return DistrictMatch(ortsteile=tuple(sorted(self._alias_keys[key])))
        if key in self._planungsraum_keys:
            return self._planungsraum(self._planungsraum_keys[key])
        return None

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


@dataclass(frozen=True)
class DistrictGroup:
    """A Planungsraum with its Ortsteile, in display order (select boxes, the district index)."""

    code: str
    name: str
    ortsteile: tuple[OrtsteilInfo, ...]


@dataclass(frozen=True)
class Districts:
    """The district table of one catalogue version: the resolver and the grouped display list."""

    resolver: DistrictResolver
    groups: tuple[DistrictGroup, ...]

    @property
    def by_planungsraum(self) -> list[tuple[DistrictGroup, tuple[OrtsteilInfo, ...]]]:
        """(Planungsraum, its Ortsteile) pairs, as the district select box and lists iterate them."""
        return [(group, group.ortsteile) for group in self.groups]

    @classmethod
    def load(cls, session: Session) -> Districts:
        raeume = session.exec(select(Planungsraum).order_by(col(Planungsraum.position))).all()
        rows = session.exec(select(Ortsteil).order_by(col(Ortsteil.position), col(Ortsteil.name))).all()
        infos = [OrtsteilInfo(o.slug, o.name, o.planungsraum_code, tuple(o.aliases)) for o in rows]
        groups = tuple(
            DistrictGroup(r.code, r.name, tuple(i for i in infos if i.planungsraum == r.code)) for r in raeume
        )
        return cls(DistrictResolver(infos, ((p.code, p.name) for p in raeume)), groups)


class DistrictCache:
    """One app's district table, rebuilt when the catalogue version moves.

    Every public page and API request needs it; building it costs two queries and a few hundred folded
    keys. Ortsteile change only with an import or a migration, both of which move the version; the version
    is read at most every ``recheck_seconds`` (a query per request would cost as much as the search).
    """

    def __init__(self, recheck_seconds: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.recheck_seconds = recheck_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._entry: tuple[int, Districts] | None = None
        self._checked_at = float("-inf")

    def get(self, session: Session) -> Districts:
        entry, now = self._entry, self._clock()
        if entry is not None and now - self._checked_at < self.recheck_seconds:
            return entry[1]
        current = catalogue_version.read(session.connection())
        if entry is None or entry[0] != current:
            with self._lock:
                entry = (current, Districts.load(session))
                self._entry = entry
        self._checked_at = now
        return entry[1]
