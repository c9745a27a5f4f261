"""What a result card shows: the lean card rows of a results page, and beyond the offer itself distance,
disambiguation of equal titles, freshness, the split into local and city-wide offers, and the way back to
the search a visitor came from."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, urlencode

from markupsafe import Markup
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.catalogue import service
from app.catalogue.models import Angebot, AngebotOrtsteil, Einrichtung, Ortsteil
from app.formatting import format_number
from app.public import display
from search.base import SearchResult
from search.service import discard_stale

STALE_AFTER = timedelta(days=365)
BACK_PARAM = "suche"  # offer links carry the search that led to them, so "back" returns to it
_EARTH_KM = 6371.0


# --- the lean card rows of the results page ---------------------------------------------------------------
# A results page shows 20 cards per request, uncached for the long tail of searches: plain rows from one
# query instead of an ORM graph (identity map, relationship loaders) cost a fifth. The attribute names
# are the model's, so the shared card macro and the helpers below read both.


@dataclass(frozen=True, slots=True)
class CardOrtsteil:
    slug: str
    name: str
    planungsraum_code: str


@dataclass(frozen=True, slots=True)
class CardPlace:
    name: str
    status: str
    oeffnungszeiten: str | None
    telefon: str | None
    lat: float | None
    lon: float | None
    verified_at: date | None
    ortsteil: CardOrtsteil


@dataclass(frozen=True, slots=True)
class OfferCard:
    external_id: str
    titel: str
    status: str
    stadtweit: bool
    alter_von: float | None
    alter_bis: float | None
    kosten_art: str | None
    kosten_cents: int | None
    kosten_text: str | None
    termine: str | None
    beschreibung: str | None
    verified_at: date | None
    einrichtung: CardPlace
    ortsteile: tuple[CardOrtsteil, ...]  # where it runs (the institution's Ortsteil if none of its own)


Listed = Angebot | OfferCard
ListedT = TypeVar("ListedT", Angebot, OfferCard)
_OFFER_COLUMNS: tuple[str, ...] = ("external_id", "titel", "status", "stadtweit", "alter_von", "alter_bis")
_OFFER_COLUMNS += ("kosten_art", "kosten_cents", "kosten_text", "termine", "beschreibung", "verified_at")
_PLACE_COLUMNS = ("name", "status", "oeffnungszeiten", "telefon", "lat", "lon", "verified_at")
_PLACE = aliased(Ortsteil)  # the institution's Ortsteil
_OWN = aliased(Ortsteil)  # the offer's own Ortsteile
_OWN_COLUMNS = ("slug", "name", "planungsraum_code")


@lru_cache(maxsize=2)
def _card_statement(today: date) -> Select[Any]:
    """One round trip: a row per offer and own Ortsteil (outer join: none means the institution's).
    Built once a day (the public rule holds the date); the ids are an expanding parameter."""
    offer = [getattr(Angebot, name) for name in _OFFER_COLUMNS]
    place = [getattr(Einrichtung, name).label(f"place_{name}") for name in _PLACE_COLUMNS]
    home = [getattr(_PLACE, name).label(f"home_{name}") for name in _OWN_COLUMNS]
    own = [getattr(_OWN, name).label(f"own_{name}") for name in _OWN_COLUMNS]
    ids = col(Angebot.external_id).in_(bindparam("ids", expanding=True))
    stmt: Select[Any] = (
        select(*offer, *place, *home, *own)
        .join(Einrichtung, col(Einrichtung.id) == Angebot.einrichtung_id)
        .join(_PLACE, col(_PLACE.id) == Einrichtung.ortsteil_id)
        .outerjoin(AngebotOrtsteil, col(AngebotOrtsteil.angebot_id) == Angebot.id)
        .outerjoin(_OWN, col(_OWN.id) == AngebotOrtsteil.ortsteil_id)
        .where(ids, service.public_offer_clause(today))
        .order_by(col(_OWN.position), col(_OWN.name))
    )
    return stmt


def load_cards(session: Session, result: SearchResult) -> list[OfferCard]:
    """The result's offers as card rows, in rank order – only those still public (the rest is discarded
    from the result, as :func:`search.service.search_offers` would)."""
    if not result.ids:
        return []
    rows = session.connection().execute(_card_statement(date.today()), {"ids": result.ids}).mappings().all()
    first: dict[str, Any] = {}
    own: dict[str, list[CardOrtsteil]] = defaultdict(list)
    for row in rows:
        first.setdefault(row["external_id"], row)
        if row["own_slug"] is not None:
            own[row["external_id"]].append(CardOrtsteil(*(row[f"own_{name}"] for name in _OWN_COLUMNS)))
    found: dict[str, OfferCard] = {}
    for key, row in first.items():
        home = CardOrtsteil(*(row[f"home_{name}"] for name in _OWN_COLUMNS))
        place = CardPlace(**{name: row[f"place_{name}"] for name in _PLACE_COLUMNS}, ortsteil=home)
        offer = {name: row[name] for name in _OFFER_COLUMNS}
        found[key] = OfferCard(**offer, einrichtung=place, ortsteile=tuple(own[key]) or (home,))
    discard_stale(result, found.keys())
    return [found[i] for i in result.ids]


def places(offer: Listed) -> Sequence[Ortsteil | CardOrtsteil]:
    """Where the offer runs (the card row carries the rule's answer already)."""
    return offer.ortsteile if isinstance(offer, OfferCard) else service.offer_ortsteile(offer)


def distance_km(origin: tuple[float, float], offer: Listed) -> float | None:
    """Great-circle distance from ``origin`` to the offer's institution (None without coordinates)."""
    place = offer.einrichtung
    if place.lat is None or place.lon is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (origin[0], origin[1], place.lat, place.lon))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_KM * math.asin(math.sqrt(a))


def disambiguations(offers: Sequence[Listed]) -> dict[str, str]:
    """Offers whose title repeats on the page → what tells them apart (institution, else its district)."""
    titles = Counter(o.titel.strip().casefold() for o in offers)
    repeated = [o for o in offers if titles[o.titel.strip().casefold()] > 1]
    names = Counter((o.titel.strip().casefold(), o.einrichtung.name) for o in repeated)
    found = {}
    for offer in repeated:
        text = offer.einrichtung.name
        if names[(offer.titel.strip().casefold(), text)] > 1:
            text += ", " + ", ".join(o.name for o in places(offer))
        found[offer.external_id] = text
    return found


def verified_on(offer: Listed) -> date | None:
    return offer.verified_at or offer.einrichtung.verified_at


def is_stale(offer: Listed, today: date | None = None) -> bool:
    """Not checked for more than 12 months (or never): the card and the offer page say so."""
    verified = verified_on(offer)
    return verified is None or verified < (today or date.today()) - STALE_AFTER


def is_local(offer: Listed, ortsteile: Iterable[str], planungsraeume: Iterable[str]) -> bool:
    """Runs in one of the chosen districts itself (not only because it is offered city-wide)."""
    wanted, raeume = set(ortsteile), set(planungsraeume)
    return any(o.slug in wanted or o.planungsraum_code in raeume for o in places(offer))


def split_local(
    offers: Sequence[ListedT], ortsteile: Sequence[str], planungsraeume: Sequence[str]
) -> tuple[list[ListedT], list[ListedT]]:
    """(local, city-wide) in rank order; without a district filter everything is "local"."""
    if not ortsteile and not planungsraeume:
        return list(offers), []
    local = [o for o in offers if not o.stadtweit or is_local(o, ortsteile, planungsraeume)]
    return local, [o for o in offers if o not in local]


def back_query(pairs: Sequence[tuple[str, str]], allowed: Iterable[str]) -> str:
    """``?suche=…`` for offer links: the search's query string (only known parameters survive), or ""."""
    keep = set(allowed)
    kept = urlencode([(k, v) for k, v in pairs if k in keep])
    return f"?{BACK_PARAM}={quote(kept)}" if kept else ""


def back_url(raw: str | None, allowed: Iterable[str]) -> str | None:
    """``/angebote?…`` from a ``suche`` value – parsed and rebuilt, so it can never point elsewhere."""
    if raw is None:
        return None
    keep = set(allowed)
    pairs = [(k, v) for k, v in parse_qsl(raw[:2000]) if k in keep]
    return "/angebote" + ("?" + urlencode(pairs) if pairs else "")


# --- what one card shows ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardInfo:
    """Per results page: distances {id: km}, disambiguations {id: text}, back ("?suche=…" or "")."""

    distances: dict[str, float | None]
    disambiguations: dict[str, str]
    back: str = ""


@dataclass(frozen=True, slots=True)
class CardView:
    """The card's derived texts, computed in Python in one call (each template-side function call costs a
    Jinja context call; a results page has 20 cards)."""

    href: str
    lang: Markup
    titel: Markup | str
    which: str | None
    status: str
    place: str
    distance: str | None
    ages: str
    price: str
    snippet: Markup | None
    tel: str
    verified: date | None
    stale: bool


def card_view(
    offer: Listed, highlight: dict[str, Markup] | None = None, info: CardInfo | None = None
) -> CardView:
    key = offer.external_id
    distance = info.distances.get(key) if info else None
    return CardView(
        href=f"/angebote/{key}{info.back if info else ''}",
        lang=display.de_lang(),
        titel=highlight["title"] if highlight and highlight.get("title") else offer.titel,
        which=info.disambiguations.get(key) if info else None,
        status=service.combined_status(offer.status, offer.einrichtung.status),
        place=f"{offer.einrichtung.name} · {', '.join(o.name for o in places(offer))}",
        distance=format_number(distance, 1) if distance is not None else None,
        ages=display.age_range(offer.alter_von, offer.alter_bis),
        price=display.cost(offer),
        snippet=highlight.get("description") or None if highlight else None,
        tel=display.tel_href(offer.einrichtung.telefon),
        verified=verified_on(offer),
        stale=is_stale(offer),
    )
