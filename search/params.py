"""Turn query parameters (API and the /angebote page) into a SearchQuery, with German messages per field.

Repeating a parameter means OR. Codes are checked against the vocabularies; ``ortsteil`` also takes names,
aliases and Planungsräume (via the DistrictResolver), ``zielgruppe``/``thema``/``sprache`` also their labels.
Empty values (an untouched form field) count as absent.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from app.catalogue import vocab
from app.catalogue.districts import DistrictResolver, UnknownDistrict
from app.catalogue.text import fold_key, slug
from search.base import SearchQuery, Sort

T = TypeVar("T")

MAX_QUERY_LENGTH = 200
# The whole query string (all parameters, URL-encoded): generous for any real filter combination.
MAX_QUERY_STRING_LENGTH = 4096
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_OFFSET = 10_000
MAX_AGE = 120
PARAMETERS = (
    "q",
    "ortsteil",
    "planungsraum",
    "zielgruppe",
    "thema",
    "handlungsfeld",
    "alter",
    "kostenlos",
    "barrierefrei",
    "sprache",
    "lat",
    "lon",
    "sort",
    "limit",
    "offset",
)
_TRUE = {"true", "1", "ja", "yes", "on"}
_FALSE = {"false", "0", "nein", "no", "off"}

SPRACHEN_SLUGS = {slug(name): name for name in vocab.SPRACHEN}


class InvalidSearchParams(ValueError):
    """``errors`` maps a parameter name to a German message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def value_caps(resolver: DistrictResolver) -> dict[str, int]:
    """How many different values a repeated filter may carry: at most its vocabulary's size."""
    return {
        "ortsteil": max(1, len(resolver.ortsteile)),
        "planungsraum": max(1, len(resolver.planungsraum_names)),
        "zielgruppe": len(vocab.ZIELGRUPPEN),
        "thema": len(vocab.THEMEN),
        "handlungsfeld": len(vocab.HANDLUNGSFELDER),
        "sprache": len(vocab.SPRACHEN),
    }


def limit_errors(
    query_string: str, pairs: Sequence[tuple[str, str]], resolver: DistrictResolver
) -> dict[str, str]:
    """The limits /angebote and the API share (a hostile URL must not cost time or memory in N²).

    ``pairs`` should already be de-duplicated (:func:`dedupe_pairs`); counts distinct values per filter.
    """
    errors: dict[str, str] = {}
    if len(query_string) > MAX_QUERY_STRING_LENGTH:
        errors["query"] = (
            f"Die Suchanfrage ist zu lang (höchstens {MAX_QUERY_STRING_LENGTH} Zeichen) – "
            "bitte weniger Filter wählen."
        )
    for name, cap in value_caps(resolver).items():
        count = len({fold_key(v) for k, v in pairs if k == name and v.strip()})
        if count > cap:
            errors[name] = f"Zu viele Werte für diesen Filter: höchstens {cap} verschiedene."
    return errors


def dedupe_pairs(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop repeated parameters (same name, same value up to case and umlaut spelling); the first wins."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for key, value in pairs:
        marker = (key, fold_key(value))
        if marker not in seen:
            seen.add(marker)
            kept.append((key, value))
    return kept


def cap_pairs(pairs: Sequence[tuple[str, str]], resolver: DistrictResolver) -> list[tuple[str, str]]:
    """At most the allowed number of values per filter (what a page keeps next to its 400 message)."""
    caps = value_caps(resolver)
    counts: dict[str, int] = {}
    kept = []
    for key, value in pairs:
        counts[key] = counts.get(key, 0) + 1
        if counts[key] <= caps.get(key, MAX_OTHER_REPEATS):
            kept.append((key, value))
    return kept


# Parameters without a vocabulary (q, alter, sort, …) are kept at most this often when a page trims a URL.
MAX_OTHER_REPEATS = 3


def _raw(params: Any, name: str) -> list[str]:
    if hasattr(params, "getlist"):
        return list(params.getlist(name))
    value = params.get(name, [])
    return [value] if isinstance(value, str) else [v for v in value if v is not None]


def _values(params: Any, name: str) -> list[str]:
    """The non-empty values of ``name``; repeated ones (up to case and umlaut spelling) once."""
    seen: set[str] = set()
    values = []
    for raw in _raw(params, name):
        value = raw.strip()
        if value and fold_key(value) not in seen:
            seen.add(fold_key(value))
            values.append(value)
    return values


def _clean_text(text: str) -> str:
    """Drop control characters (NUL etc.) that no database or engine should see."""
    return "".join(c for c in text if unicodedata.category(c)[0] != "C").strip()


def _term_lookup(terms: Sequence[vocab.Term]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for term in terms:
        for spelling in (term.code, term.de, term.en, *term.aliases):
            lookup.setdefault(fold_key(spelling), term.code)
    return lookup


_ZIELGRUPPEN = _term_lookup(vocab.ZIELGRUPPEN)
_THEMEN = _term_lookup(vocab.THEMEN)
_SPRACHEN = {fold_key(name): slug(name) for name in vocab.SPRACHEN}


def parse_offer_params(
    params: Mapping[str, list[str]] | Any,
    resolver: DistrictResolver,
    *,
    allow_empty: bool = True,
    query_string: str = "",
) -> SearchQuery:
    """Validate everything and report all problems at once (``InvalidSearchParams``).

    Pages pass untouched form fields as empty values (ignored); the API is strict (``allow_empty=False``).
    ``query_string`` (the raw URL query) is checked against :data:`MAX_QUERY_STRING_LENGTH`.
    """
    errors: dict[str, str] = {}
    pairs = [(name, v) for name in PARAMETERS for v in _raw(params, name)]
    limits = limit_errors(query_string, dedupe_pairs(pairs), resolver)
    if limits:
        raise InvalidSearchParams(limits)  # a hostile request gets no further work
    if not allow_empty:
        for name in PARAMETERS:
            if name != "q" and any(not v.strip() for v in _raw(params, name)):
                errors[name] = "Leerer Wert – Parameter weglassen oder einen Wert angeben."

    def single(name: str, convert: Callable[[str], T], default: T) -> T:
        values = _values(params, name)
        if not values:
            return default
        if len(values) > 1:
            errors[name] = "Dieser Parameter darf nur einmal angegeben werden."
            return default
        try:
            return convert(values[0])
        except ValueError as exc:
            errors[name] = str(exc)
            return default

    def many(name: str, convert: Callable[[str], list[T]]) -> tuple[T, ...]:
        result: list[T] = []
        for value in _values(params, name):
            try:
                result.extend(x for x in convert(value) if x not in result)
            except ValueError as exc:
                errors[name] = str(exc)
        return tuple(result)

    q = " ".join(_clean_text(v) for v in _values(params, "q"))
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = f"Der Suchtext darf höchstens {MAX_QUERY_LENGTH} Zeichen lang sein."

    def ortsteil(value: str) -> list[str]:
        try:
            return list(resolver.resolve(value).ortsteile)
        except UnknownDistrict as exc:
            raise ValueError(str(exc)) from None

    ortsteile = many("ortsteil", ortsteil)
    planungsraeume = many("planungsraum", lambda v: [_planungsraum(v, resolver)])
    zielgruppen = many("zielgruppe", lambda v: [_code(v, _ZIELGRUPPEN, "Zielgruppe")])
    themen = many("thema", lambda v: [_code(v, _THEMEN, "Thema")])
    handlungsfelder = many("handlungsfeld", lambda v: [_handlungsfeld(v)])
    sprachen = many("sprache", lambda v: [_code(v, _SPRACHEN, "Sprache")])
    alter = single("alter", _age, None)
    kostenlos = single("kostenlos", _bool, None)
    barrierefrei = single("barrierefrei", _bool, None)
    lat = single("lat", lambda v: _coordinate(v, 90.0, "Breitengrad"), None)
    lon = single("lon", lambda v: _coordinate(v, 180.0, "Längengrad"), None)
    sort = single("sort", _sort, Sort.relevance)
    limit = single("limit", lambda v: _int(v, 1, MAX_LIMIT), DEFAULT_LIMIT)
    offset = single("offset", lambda v: _int(v, 0, MAX_OFFSET), 0)
    if errors:
        raise InvalidSearchParams(errors)
    # A district filter that only said "stadtweit" restricts nothing.
    return SearchQuery(
        q=q,
        ortsteile=ortsteile,
        planungsraeume=planungsraeume,
        zielgruppen=zielgruppen,
        themen=themen,
        handlungsfelder=handlungsfelder,
        alter=alter,
        kostenlos=kostenlos,
        barrierefrei=barrierefrei,
        sprachen=sprachen,
        lat=lat if lon is not None else None,
        lon=lon if lat is not None else None,
        # Distance needs a point; without one the order falls back to relevance.
        sort=sort if sort is not Sort.distance or (lat is not None and lon is not None) else Sort.relevance,
        limit=limit,
        offset=offset,
    )


def _code(value: str, lookup: dict[str, str], what: str) -> str:
    code = lookup.get(fold_key(value))
    if code is None:
        allowed = ", ".join(sorted(set(lookup.values())))
        raise ValueError(f"Unbekannte {what} „{value}“. Erlaubt: {allowed}.")
    return code


def _planungsraum(value: str, resolver: DistrictResolver) -> str:
    key = fold_key(value)
    for code, name in resolver.planungsraum_names.items():
        if key in (fold_key(code), fold_key(name), fold_key(f"Planungsraum {name}")):
            return code
    allowed = ", ".join(sorted(resolver.planungsraum_names))
    raise ValueError(f"Unbekannter Planungsraum „{value}“. Erlaubt: {allowed}.")


def _handlungsfeld(value: str) -> int:
    digits = value.lower().removeprefix("hf").strip()
    if digits.isdigit() and any(h.number == int(digits) for h in vocab.HANDLUNGSFELDER):
        return int(digits)
    raise ValueError(f"Unbekanntes Handlungsfeld „{value}“. Erlaubt: 1 bis {len(vocab.HANDLUNGSFELDER)}.")


def _number(value: str) -> float:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise ValueError(f"„{value}“ ist keine Zahl.") from None
    if not math.isfinite(number):
        raise ValueError(f"„{value}“ ist keine Zahl.")
    return number


def _age(value: str) -> float:
    age = _number(value)
    if not 0 <= age <= MAX_AGE:
        raise ValueError(f"Das Alter muss zwischen 0 und {MAX_AGE} Jahren liegen.")
    return age


def _coordinate(value: str, bound: float, what: str) -> float:
    number = _number(value)
    if not -bound <= number <= bound:
        raise ValueError(f"Der {what} muss zwischen {-bound:g} und {bound:g} liegen.")
    return number


def _bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"„{value}“ ist kein Wahrheitswert – erlaubt sind true oder false.")


def _sort(value: str) -> Sort:
    try:
        return Sort(value.lower())
    except ValueError:
        allowed = ", ".join(s.value for s in Sort)
        raise ValueError(f"Unbekannte Sortierung „{value}“. Erlaubt: {allowed}.") from None


def _int(value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"„{value}“ ist keine ganze Zahl.") from None
    if not low <= number <= high:
        raise ValueError(f"Der Wert muss zwischen {low} und {high} liegen.")
    return number
