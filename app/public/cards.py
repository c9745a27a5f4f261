"""What a result card shows beyond the offer itself: distance, disambiguation of equal titles, freshness,
the split into local and city-wide offers, and the way back to the search a visitor came from."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode

from app.catalogue import service
from app.catalogue.models import Angebot

STALE_AFTER = timedelta(days=365)
BACK_PARAM = "suche"  # offer links carry the search that led to them, so "back" returns to it
_EARTH_KM = 6371.0


def distance_km(origin: tuple[float, float], offer: Angebot) -> float | None:
    """Great-circle distance from ``origin`` to the offer's institution (None without coordinates)."""
    place = offer.einrichtung
    if place.lat is None or place.lon is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (origin[0], origin[1], place.lat, place.lon))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_KM * math.asin(math.sqrt(a))


def disambiguations(offers: Sequence[Angebot]) -> dict[str, str]:
    """Offers whose title repeats on the page → what tells them apart (institution, else its district)."""
    titles = Counter(o.titel.strip().casefold() for o in offers)
    repeated = [o for o in offers if titles[o.titel.strip().casefold()] > 1]
    names = Counter((o.titel.strip().casefold(), o.einrichtung.name) for o in repeated)
    found = {}
    for offer in repeated:
        text = offer.einrichtung.name
        if names[(offer.titel.strip().casefold(), text)] > 1:
            text += ", " + ", ".join(o.name for o in service.offer_ortsteile(offer))
        found[offer.external_id] = text
    return found


def verified_on(offer: Angebot) -> date | None:
    return offer.verified_at or offer.einrichtung.verified_at


def is_stale(offer: Angebot, today: date | None = None) -> bool:
    """Not checked for more than 12 months (or never): the card and the offer page say so."""
    verified = verified_on(offer)
    return verified is None or verified < (today or date.today()) - STALE_AFTER


def is_local(offer: Angebot, ortsteile: Iterable[str], planungsraeume: Iterable[str]) -> bool:
    """Runs in one of the chosen districts itself (not only because it is offered city-wide)."""
    wanted, raeume = set(ortsteile), set(planungsraeume)
    return any(o.slug in wanted or o.planungsraum_code in raeume for o in service.offer_ortsteile(offer))


def split_local(
    offers: Sequence[Angebot], ortsteile: Sequence[str], planungsraeume: Sequence[str]
) -> tuple[list[Angebot], list[Angebot]]:
    """(local, city-wide) in rank order; without a district filter everything is "local"."""
    if not ortsteile and not planungsraeume:
        return list(offers), []
    local = [o for o in offers if not o.stadtweit or is_local(o, ortsteile, planungsraeume)]
    return local, [o for o in offers if o not in local]


def back_query(pairs: Sequence[tuple[str, str]], allowed: Iterable[str]) -> str:
    """The search's query string for ``?suche=`` on offer links (only known parameters survive)."""
    keep = set(allowed)
    return urlencode([(k, v) for k, v in pairs if k in keep])


def back_url(raw: str | None, allowed: Iterable[str]) -> str | None:
    """``/angebote?…`` from a ``suche`` value – parsed and rebuilt, so it can never point elsewhere."""
    if raw is None:
        return None
    keep = set(allowed)
    pairs = [(k, v) for k, v in parse_qsl(raw[:2000]) if k in keep]
    return "/angebote" + ("?" + urlencode(pairs) if pairs else "")
