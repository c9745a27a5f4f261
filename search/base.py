"""The search contract every backend fulfils, and the query/result shapes the app uses.

The database is the source of truth; a backend only returns workbook ids (in rank order), facet counts,
escaped highlights and a did-you-mean suggestion. Pages and the API load the records from the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from markupsafe import Markup

FACETS = (
    "ortsteil",
    "planungsraum",
    "zielgruppe",
    "thema",
    "handlungsfeld",
    "sprache",
    "kostenlos",
    "barrierefrei",
)


class Sort(StrEnum):
    relevance = "relevance"
    name = "name"
    distance = "distance"


@dataclass(frozen=True)
class SearchQuery:
    """Filters are codes/slugs, already resolved (aliases and Planungsräume expanded by the caller's parser).

    AND across filters, OR within one filter's values.
    """

    q: str = ""
    ortsteile: tuple[str, ...] = ()
    planungsraeume: tuple[str, ...] = ()
    zielgruppen: tuple[str, ...] = ()
    themen: tuple[str, ...] = ()
    handlungsfelder: tuple[int, ...] = ()
    alter: float | None = None
    kostenlos: bool | None = None
    barrierefrei: bool | None = None
    sprachen: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    sort: Sort = Sort.relevance
    limit: int = 20
    offset: int = 0
    facets: tuple[str, ...] = FACETS

    def district_filters(self) -> list[tuple[str, tuple[str, ...]]]:
        """The set district filters by their index field; city-wide offers match each of them."""
        candidates = (("ortsteil", self.ortsteile), ("planungsraum", self.planungsraeume))
        return [(name, values) for name, values in candidates if values]

    def value_filters(self) -> list[tuple[str, tuple[str, ...]]]:
        """The set multi-value filters by their index field (Handlungsfeld numbers as text, as indexed)."""
        candidates = (
            ("zielgruppe", self.zielgruppen),
            ("thema", self.themen),
            ("handlungsfeld", tuple(str(n) for n in self.handlungsfelder)),
            ("sprache", self.sprachen),
        )
        return [(name, values) for name, values in candidates if values]


@dataclass
class SearchResult:
    total: int
    ids: list[str]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # id -> field -> Markup whose text parts are escaped before <mark> is added (computed when read).
    highlights: Mapping[str, dict[str, Markup]] = field(default_factory=dict)
    suggestion: str | None = None
    degraded: bool = False
    backend: str = ""
    # id -> the list fields of the hit as indexed (``list_card``), so a result list needs no object graph.
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class OfferDocument:
    """What gets indexed for one public Angebot (built from the database by search.documents)."""

    id: str
    title: str
    description: str
    einrichtung_id: str
    einrichtung_name: str
    traeger_name: str
    ortsteile: tuple[str, ...]
    ortsteil_names: tuple[str, ...]
    planungsraeume: tuple[str, ...]
    zielgruppen: tuple[str, ...]
    zielgruppen_labels: tuple[str, ...]
    themen: tuple[str, ...]
    themen_labels: tuple[str, ...]
    handlungsfeld: int | None
    alter_von: float | None
    alter_bis: float | None
    kostenlos: bool
    barrierefrei: bool
    sprachen: tuple[str, ...]
    lat: float | None
    lon: float | None
    status: str
    stadtweit: bool = False  # runs city-wide: matches every district filter
    extra: dict[str, Any] = field(default_factory=dict)
    gueltig_bis: date | None = None  # after this day the offer is no longer public (lists check it)


class Highlights(Mapping[str, dict[str, Markup]]):
    """Marked title and description snippet per hit, computed when a page reads them – the API never does,
    and the search call stays free of it."""

    SNIPPET = 220

    def __init__(self, q: str, texts: dict[str, tuple[str, str]]) -> None:
        self.q = q
        self.texts = texts if q.strip() else {}
        self._done: dict[str, dict[str, Markup]] = {}

    def __getitem__(self, key: str) -> dict[str, Markup]:
        if key not in self._done:
            from search.text import highlight  # local import: search.text is the heavier module

            title, description = self.texts[key]
            self._done[key] = {
                "title": highlight(title, self.q),
                "description": highlight(description, self.q, snippet=self.SNIPPET),
            }
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.texts)

    def __len__(self) -> int:
        return len(self.texts)


def list_card(doc: OfferDocument) -> dict[str, Any]:
    """What a result list shows of an offer, stored with the indexed document."""
    return {
        "title": doc.title,
        "einrichtung_id": doc.einrichtung_id,
        "einrichtung_name": doc.einrichtung_name,
        "ortsteile": list(doc.ortsteile),
        "zielgruppen": list(doc.zielgruppen),
        "themen": list(doc.themen),
        "handlungsfeld": doc.handlungsfeld,
        "gueltig_bis": doc.gueltig_bis.isoformat() if doc.gueltig_bis else None,
    }


def card_current(card: dict[str, Any], today: date | None = None) -> bool:
    """Is an indexed offer still public today? Every other change reaches the index when it is saved;
    only the calendar moves on its own."""
    until = card.get("gueltig_bis")
    return until is None or until >= (today or date.today()).isoformat()


class SearchUnavailable(Exception):
    """The engine cannot be reached or timed out; callers degrade to the database search."""


class SearchBackend(Protocol):
    name: str

    def search(self, query: SearchQuery) -> SearchResult: ...

    def upsert(self, documents: Sequence[OfferDocument]) -> None: ...

    def delete(self, ids: Iterable[str]) -> None: ...

    def rebuild(self, documents: Iterable[OfferDocument]) -> int:
        """Full reindex without downtime; returns the number of documents indexed."""
        ...

    def count(self) -> int: ...

    def healthy(self) -> bool: ...

    def fingerprints(self) -> dict[str, str]:
        """Workbook id → content fingerprint of every indexed document (search.drift compares them)."""
        ...

    def fingerprint_of(self, doc: OfferDocument) -> str:
        """The fingerprint ``fingerprints`` reports for ``doc`` once it is indexed as it is now."""
        ...

    def synced_through(self) -> str | None:
        """The catalogue change stamp (ISO time) the index was last brought up to; None if unknown."""
        ...

    def mark_synced(self, stamp: str) -> None: ...
