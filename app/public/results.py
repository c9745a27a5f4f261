"""The results page ``/angebote?…``: the API's parameters (``search.params``) plus ``seite`` (page) and
``von`` (an Ortsteil whose institutions' centre is the origin for sorting by distance).

The URL always reproduces the view.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app import page_cache
from app.catalogue import vocab
from app.catalogue.districts import DistrictResolver
from app.deps import SessionDep, SettingsDep, districts_of
from app.i18n import gettext as _
from app.page_cache import CachedPage
from app.public import cards, display, queries
from app.public.life_situations import LIFE_SITUATIONS
from app.settings import Settings
from app.templating import render
from search import get_backend
from search.base import SearchBackend, SearchQuery, SearchResult, SearchUnavailable, Sort
from search.params import (
    PARAMETERS,
    SPRACHEN_SLUGS,
    InvalidSearchParams,
    cap_pairs,
    dedupe_pairs,
    limit_errors,
    parse_offer_params,
)
from search.service import database_search, search_offers

router = APIRouter(dependencies=[CachedPage])
PAGE_SIZE = 20
FACET_VISIBLE = 6
MAX_PAGE = 500
PAGE_PARAMS = (*(p for p in PARAMETERS if p not in ("limit", "offset")), "von", "seite")
# Parameters that narrow the result set (the "Filter (n)" button counts them; the search word is not one).
FILTER_PARAMS = frozenset(
    (
        "zielgruppe",
        "thema",
        "ortsteil",
        "planungsraum",
        "handlungsfeld",
        "sprache",
        "kostenlos",
        "barrierefrei",
        "alter",
    )
)
Pairs = list[tuple[str, str]]


@dataclass(frozen=True)
class Chip:
    label: str
    remove_url: str
    is_query: bool = False


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    checked: bool
    field: str  # the checkbox's parameter name
    input_value: str = ""  # what the checkbox sends (the value itself unless set)

    @property
    def input_id(self) -> str:
        return f"f-{self.field}-{self.value}"

    @property
    def sent(self) -> str:
        return self.input_value or self.value


@dataclass(frozen=True)
class Facet:
    name: str
    legend: str
    options: list[FacetOption]

    @property
    def split(self) -> tuple[list[FacetOption], list[FacetOption]]:
        """(shown, behind "more"): the most frequent options and every ticked one stay in view."""
        if len(self.options) <= FACET_VISIBLE + 2:
            return self.options, []
        ranked = {id(o) for o in sorted(self.options, key=lambda o: -o.count)[:FACET_VISIBLE]}
        shown = [o for o in self.options if o.checked or id(o) in ranked]
        kept = {id(o) for o in shown}
        return shown, [o for o in self.options if id(o) not in kept]

    @property
    def sections(self) -> list[tuple[list[FacetOption], bool]]:
        """(options, behind "more") in page order, for one loop in the template."""
        shown, more = self.split
        return [(shown, False), (more, True)] if more else [(shown, False)]


def page_url(pairs: Pairs, **changes: str | None) -> str:
    """``/angebote`` with ``pairs``; a keyword replaces (or, with None, drops) that parameter."""
    kept = [(k, v) for k, v in pairs if k not in changes]
    kept += [(k, v) for k, v in changes.items() if v is not None]
    return "/angebote" + ("?" + urlencode(kept) if kept else "")


def _backend(request: Request, settings: Settings) -> SearchBackend:
    backend: SearchBackend | None = getattr(request.app.state, "search", None)
    return backend if backend is not None else get_backend(settings)


def page_number(pairs: Pairs) -> int:
    """``seite`` as a page number (1 for anything unusable, at most ``MAX_PAGE``)."""
    raw = next((v for k, v in pairs if k == "seite"), "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) >= 1 else 1


def parse_page(
    pairs: Pairs, resolver: DistrictResolver, origin: tuple[float, float] | None, page: int
) -> SearchQuery:
    """The search a results page sends for its URL parameters (also what the load benchmark replays)."""
    mapping: dict[str, list[str]] = {}
    for key, value in pairs:
        if key in PARAMETERS and key not in ("limit", "offset"):
            mapping.setdefault(key, []).append(value)
    mapping["limit"] = [str(PAGE_SIZE)]
    mapping["offset"] = [str((page - 1) * PAGE_SIZE)]
    if origin and not (mapping.get("lat") and mapping.get("lon")):
        mapping["lat"], mapping["lon"] = [str(origin[0])], [str(origin[1])]
    return parse_offer_params(mapping, resolver)


def _chip_label(key: str, value: str, resolver: DistrictResolver) -> str:
    if key == "q":
        return _("Suche: „%(text)s“") % {"text": value}
    if key == "ortsteil":
        return resolver.ortsteile[value].name if value in resolver.ortsteile else value
    if key == "planungsraum":
        return _("Planungsraum %(name)s") % {"name": resolver.planungsraum_names.get(value, value)}
    if key in ("zielgruppe", "thema"):
        return display.label(key, value)
    if key == "handlungsfeld":
        return display.label("handlungsfeld", value) if value.isdigit() else value
    if key == "sprache":
        return SPRACHEN_SLUGS.get(value, value)
    if key == "kostenlos":
        return _("kostenlos") if value.lower() in ("true", "1", "ja", "on") else _("mit Kosten")
    if key == "barrierefrei":
        return _("barrierefrei")
    if key == "alter":
        return _("Alter: %(alter)s Jahre") % {"alter": value}
    if key == "von":
        name = resolver.ortsteile[value].name if value in resolver.ortsteile else value
        return _("Entfernung ab %(name)s") % {"name": name}
    return value


def _chips(pairs: Pairs, resolver: DistrictResolver) -> list[Chip]:
    chips = []
    for index, (key, value) in enumerate(pairs):
        if key in ("seite", "sort", "lat", "lon") or not value.strip():
            continue
        rest = [p for i, p in enumerate(pairs) if i != index and p[0] != "seite"]
        chips.append(Chip(_chip_label(key, value, resolver), page_url(rest), is_query=key == "q"))
    if any(k == "lat" for k, _v in pairs):
        rest = [p for p in pairs if p[0] not in ("lat", "lon", "seite")]
        chips.append(Chip(_("Entfernung ab meinem Standort"), page_url(rest)))
    return chips


def _flag(name: str, label: str, count: int, checked: bool) -> FacetOption:
    """A yes/no filter among the "Weitere Merkmale": its own parameter, sent as ``true``."""
    return FacetOption(name, label, count, checked, field=name, input_value="true")


def _facets(result: SearchResult, query: SearchQuery, resolver: DistrictResolver) -> list[Facet]:
    counts = result.facets

    def options(name: str, items: list[tuple[str, str]], selected: tuple[str, ...]) -> list[FacetOption]:
        found = counts.get(name, {})
        return [
            FacetOption(code, text, found.get(code, 0), code in selected, field=name)
            for code, text in items
            if found.get(code, 0) > 0 or code in selected
        ]

    ortsteile = [(o.slug, o.name) for o in sorted(resolver.ortsteile.values(), key=lambda o: o.name)]
    facets = [
        Facet("zielgruppe", _("Für wen"), options("zielgruppe", _terms("zielgruppe"), query.zielgruppen)),
        Facet("thema", _("Thema"), options("thema", _terms("thema"), query.themen)),
        Facet("ortsteil", _("Stadtteil"), options("ortsteil", ortsteile, query.ortsteile)),
        Facet("sprache", _("Sprache"), options("sprache", list(SPRACHEN_SLUGS.items()), query.sprachen)),
    ]
    extras = []
    free = counts.get("kostenlos", {}).get("true", 0)
    if free or query.kostenlos:
        extras.append(_flag("kostenlos", _("nur kostenlose Angebote"), free, bool(query.kostenlos)))
    accessible = counts.get("barrierefrei", {}).get("true", 0)
    if accessible or query.barrierefrei:
        extras.append(
            _flag("barrierefrei", _("nur barrierefreie Orte"), accessible, bool(query.barrierefrei))
        )
    if extras:
        facets.append(Facet("extras", _("Weitere Merkmale"), extras))
    return [f for f in facets if f.options]


_FILLER_WORDS = {"in", "im", "bei", "nahe", "near", "at"}


def district_hint(q: str, resolver: DistrictResolver) -> tuple[str, str, str] | None:
    """A district named inside the text: „Krabbelgruppe in Lobeda“ → (Krabbelgruppe, Lobeda, lobeda).

    Returns (the rest of the text, the name to show, the ``ortsteil`` parameter value).
    """
    words = q.split()
    for index, word in enumerate(words):
        match = resolver.lookup(word)
        if match is None or match.stadtweit or not match.ortsteile:
            continue
        rest = [w for i, w in enumerate(words) if i != index and w.lower() not in _FILLER_WORDS]
        if match.planungsraum:
            name = resolver.planungsraum_names.get(match.planungsraum, word)
        elif len(match.ortsteile) == 1:
            name = resolver.name_of(match.ortsteile[0])
        else:
            name = word
        return " ".join(rest), name, word
    return None


def _terms(kind: str) -> list[tuple[str, str]]:
    return [(t.code, display.label(kind, t.code)) for t in display.terms(kind)]


def _search(
    request: Request, session: Session, settings: Settings, pairs: Pairs, resolver: DistrictResolver
) -> tuple[SearchQuery, dict[str, str], tuple[float, float] | None]:
    page = page_number(pairs)
    von = next((v for k, v in pairs if k == "von" and v), None)
    origin = queries.ortsteil_centre(session, von) if von else None
    errors: dict[str, str] = {}
    try:
        query = parse_page(pairs, resolver, origin, page)
    except InvalidSearchParams as exc:
        # Keep the user's other choices: search without the parameters that could not be understood.
        errors = exc.errors
        usable = [(k, v) for k, v in pairs if k not in errors]
        try:
            query = parse_page(usable, resolver, origin, page)
        except InvalidSearchParams:
            query = SearchQuery(limit=PAGE_SIZE)
    return query, errors, origin


def _search_or_fallback(session: Session, backend: SearchBackend, query: SearchQuery) -> SearchResult:
    """An empty result from an empty index (not built yet, or wiped) is no answer: ask the database."""
    result = search_offers(session, backend, query, verify=False)  # load_cards applies the public rule
    if result.total == 0 and not result.degraded:
        try:
            index_empty = backend.count() == 0
        except SearchUnavailable:
            index_empty = True
        if index_empty:
            result = database_search(session, query)
            result.degraded = True
    if result.degraded:
        page_cache.mark_uncacheable()  # the full-page cache must not keep a fallback answer
    return result


def _local_total(result: SearchResult, query: SearchQuery) -> int | None:
    """Hits that run in the one chosen district itself (the rest are city-wide offers); None if unclear."""
    if len(query.ortsteile) == 1 and not query.planungsraeume:
        return result.facets.get("ortsteil", {}).get(query.ortsteile[0], 0)
    if len(query.planungsraeume) == 1 and not query.ortsteile:
        return result.facets.get("planungsraum", {}).get(query.planungsraeume[0], 0)
    return None


def _district_names(query: SearchQuery, resolver: DistrictResolver) -> str:
    names = [resolver.name_of(s) for s in query.ortsteile]
    names += [resolver.planungsraum_names.get(c, c) for c in query.planungsraeume]
    return ", ".join(names)


def _with_life_situation(request: Request) -> str | None:
    """``?lebenslage=baby`` (a start-page card, sent with a district) → the URL with its filters."""
    slugs = request.query_params.getlist("lebenslage")
    if not slugs:
        return None
    pairs = dedupe_pairs(
        [(k, v) for k, v in request.query_params.multi_items() if k in PAGE_PARAMS and v.strip()]
    )
    for situation in LIFE_SITUATIONS:
        if situation.slug in slugs:
            pairs += [p for p in situation.filters if p not in pairs]
    return page_url(pairs)


@router.get("/angebote", response_class=HTMLResponse)
def results(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    if expanded := _with_life_situation(request):
        return RedirectResponse(expanded, status_code=303)
    districts = districts_of(request, session)
    resolver = districts.resolver
    pairs: Pairs = dedupe_pairs(
        [(k, v) for k, v in request.query_params.multi_items() if k in PAGE_PARAMS and v.strip()]
    )
    # Limits first: every chip links to "all the others", so an unbounded URL would cost N² (issue 14).
    too_much = limit_errors(request.url.query, pairs, resolver)
    if too_much:
        pairs = cap_pairs(pairs, resolver)
    query, errors, origin = _search(request, session, settings, pairs, resolver)
    errors = {**errors, **too_much}
    result = _search_or_fallback(session, _backend(request, settings), query)
    offers = cards.load_cards(session, result)
    page = query.offset // PAGE_SIZE + 1
    pages = max(1, -(-result.total // PAGE_SIZE))
    if page > pages:  # an old link past the end: show the last page instead of an empty one
        return RedirectResponse(page_url(pairs, seite=str(pages) if pages > 1 else None), status_code=303)
    sort_requested = next((v for k, v in pairs if k == "sort"), "relevance")
    distance_missing = sort_requested == Sort.distance and query.sort is not Sort.distance
    narrowed = query.ortsteile or query.planungsraeume
    hint = district_hint(query.q, resolver) if query.q and not narrowed else None
    selected_districts = [resolver.ortsteile[s] for s in query.ortsteile if s in resolver.ortsteile]
    local, citywide = cards.split_local(offers, query.ortsteile, query.planungsraeume)
    sorted_by_distance = query.sort is Sort.distance and query.lat is not None and query.lon is not None
    distances = (
        {o.external_id: cards.distance_km((query.lat, query.lon), o) for o in offers}  # type: ignore[arg-type]
        if sorted_by_distance
        else {}
    )
    return render(
        request,
        "public/results.html",
        {
            "query": query,
            "result": result,
            "offers": offers,
            "errors": errors,
            "chips": _chips(pairs, resolver),
            "facets": _facets(result, query, resolver),
            "page": page,
            "pages": pages,
            "pairs": pairs,
            "page_url": page_url,
            "suggestion_url": page_url(pairs, q=result.suggestion, seite=None) if result.suggestion else None,
            "sort": query.sort.value if not distance_missing else sort_requested,
            "distance_missing": distance_missing,
            "von": next((v for k, v in pairs if k == "von"), ""),
            "origin": origin,
            "districts": districts.by_planungsraum,
            "selected_districts": selected_districts,
            "district_hint": hint,
            "district_hint_url": page_url(pairs, q=hint[0] or None, ortsteil=hint[2], seite=None)
            if hint
            else None,
            "hidden": [(k, v) for k, v in pairs if k in ("planungsraum", "handlungsfeld", "lat", "lon")],
            "alter": next((v for k, v in pairs if k == "alter"), ""),
            "all_sprachen": vocab.SPRACHEN,
            "filter_count": sum(1 for k, _v in pairs if k in FILTER_PARAMS),
            "local_offers": local,
            "citywide_offers": citywide,
            "local_total": _local_total(result, query),
            "district_names": _district_names(query, resolver),
            "card_info": cards.CardInfo(
                distances, cards.disambiguations(offers), cards.back_query(pairs, PAGE_PARAMS)
            ),
        },
        status_code=400 if errors else 200,
    )
