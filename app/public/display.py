"""Display rules of the public pages: vocabulary labels, ages, costs, safe links (template globals)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urlsplit

from markupsafe import Markup

from app.catalogue import vocab
from app.catalogue.models import Einrichtung
from app.catalogue.values import format_age
from app.formatting import format_euro, format_number
from app.i18n import current_locale, ngettext
from app.i18n import gettext as _
from search.params import MAX_QUERY_STRING_LENGTH

_VOCABULARIES: dict[str, tuple[vocab.Term, ...]] = {
    "zielgruppe": vocab.ZIELGRUPPEN,
    "thema": vocab.THEMEN,
    "einrichtungsart": vocab.EINRICHTUNGSARTEN,
    "traegerart": vocab.TRAEGERARTEN,
    "status": vocab.STATUS_TERMS,
}
_BY_CODE = {kind: {t.code: t for t in terms} for kind, terms in _VOCABULARIES.items()}
_HF = {h.number: h for h in vocab.HANDLUNGSFELDER}
_NOT_DIAL = re.compile(r"[^0-9+]")


class Priced(Protocol):
    """What the cost rule reads: an offer or its card row."""

    @property
    def kosten_art(self) -> str | None: ...
    @property
    def kosten_cents(self) -> int | None: ...
    @property
    def kosten_text(self) -> str | None: ...


def label(kind: str, code: str | int | None) -> str:
    """The label of a vocabulary code in the current language (unknown codes are shown as they are)."""
    if code is None:
        return ""
    locale = current_locale.get()
    if kind == "handlungsfeld":
        hf = _HF.get(int(code))
        return f"HF {code}: {hf.label(locale)}" if hf else str(code)
    term = _BY_CODE.get(kind, {}).get(str(code))
    return term.label(locale) if term else str(code)


def terms(kind: str) -> tuple[vocab.Term, ...]:
    return _VOCABULARIES[kind]


def age_range(von: float | None, bis: float | None) -> str:
    """``6 Monate – 3 Jahre``, ``12–18 Jahre``, ``ab 60 Jahren``, ``bis 12 Jahre``; empty without ages."""

    def one(value: float) -> str:
        text = format_age(value)
        if 0 < value < 1:
            return text
        unit = ngettext("Jahr", "Jahre", int(value)) if float(value).is_integer() else _("Jahre")
        return f"{text} {unit}"

    if von is not None and bis is not None and von > 0:
        if von >= 1:
            return f"{format_age(von)}–{one(bis)}"
        return f"{one(von)} – {one(bis)}"
    if bis is not None:
        return _("bis %(alter)s") % {"alter": one(bis)}
    if von is not None and von >= 1:
        return _("ab %(jahre)s Jahren") % {"jahre": format_age(von)}
    if von is not None and von > 0:
        return _("ab %(alter)s") % {"alter": one(von)}
    return ""


def cost(angebot: Priced) -> str:
    if angebot.kosten_art == vocab.KostenArt.kostenlos:
        return _("kostenlos")
    if angebot.kosten_art == vocab.KostenArt.betrag and angebot.kosten_cents is not None:
        return format_euro(angebot.kosten_cents)
    if angebot.kosten_cents == 0:
        return _("kostenlos")
    return angebot.kosten_text or ""


def barrierefrei_label(value: str | None) -> str:
    return {
        "ja": _("barrierefrei"),
        "teilweise": _("teilweise barrierefrei"),
        "nein": _("nicht barrierefrei"),
    }.get(value or "", "")


def de_lang() -> Markup:
    """`` lang="de"`` on pages in another language: catalogue text (titles, descriptions, times) is German."""
    return Markup("") if current_locale.get() == "de" else Markup(' lang="de"')


def tel_href(number: str | None) -> str:
    """``03641 555-123`` → ``tel:03641555123`` (only digits and a leading plus survive)."""
    digits = _NOT_DIAL.sub("", number or "")
    return f"tel:{digits}" if digits else ""


def safe_url(url: str | None) -> str:
    """Only http(s) links leave the site; a bare ``www.x.de`` gets ``https://``; anything else is dropped."""
    if not url:
        return ""
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    if not scheme:
        candidate = "https://" + url
        return candidate if urlsplit(candidate).hostname else ""
    return url if scheme in ("http", "https") else ""


def osm_link(place: Einrichtung) -> str:
    """A plain link to openstreetmap.org (no embedded map, no tiles loaded by our pages)."""
    if place.lat is not None and place.lon is not None:
        return (
            f"https://www.openstreetmap.org/?mlat={place.lat:.5f}&mlon={place.lon:.5f}"
            f"#map=17/{place.lat:.5f}/{place.lon:.5f}"
        )
    address = ", ".join(p for p in (place.strasse, f"{place.plz or ''} {place.ort}".strip()) if p)
    return "https://www.openstreetmap.org/search?" + urlencode({"query": address}) if place.strasse else ""


def osm_route(place: Einrichtung) -> str:
    """Directions to the place on openstreetmap.org (the visitor enters the start there)."""
    if place.lat is not None and place.lon is not None:
        return f"https://www.openstreetmap.org/directions?route=%3B{place.lat:.5f}%2C{place.lon:.5f}"
    return osm_link(place)


def mailto_share(subject: str, url: str) -> str:
    return f"mailto:?subject={quote(subject)}&body={quote(url)}"


def paragraphs(text: str | None) -> list[str]:
    """Plain text with blank lines between paragraphs → paragraphs (rendered escaped, never as HTML)."""
    if not text:
        return []
    return [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]


TEMPLATE_HELPERS: dict[str, Callable[..., Any]] = {
    "label": label,
    "age_range": age_range,
    "cost": cost,
    "barrierefrei_label": barrierefrei_label,
    "tel_href": tel_href,
    "safe_url": safe_url,
    "osm_link": osm_link,
    "osm_route": osm_route,
    "mailto_share": mailto_share,
    "paragraphs": paragraphs,
    "km": lambda value: format_number(value, 1),
    "de_lang": de_lang,
}


def switch_language_url(path: str, query: list[tuple[str, str]], lang: str) -> str:
    """The current page in another language (``lang`` replaced, everything else kept – unless the query is
    beyond what a search accepts: a hostile URL is not echoed into every page's links)."""
    kept = [(k, v) for k, v in query if k != "lang"]
    if len(urlencode(kept)) > MAX_QUERY_STRING_LENGTH:
        kept = []
    params = [*kept, ("lang", lang)]
    return f"{path}?{urlencode(params)}"


STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@cache
def asset_url(path: str) -> str:
    """``/static/<path>?v=<content hash>``: static files are cached for a day, a change gets a new URL."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


TEMPLATE_HELPERS["switch_language_url"] = switch_language_url
TEMPLATE_HELPERS["asset_url"] = asset_url
