"""schema.org JSON-LD for offer and institution pages (Service, Place, Organization).

The JSON goes into a ``<script type="application/ld+json">`` data block; ``<``, ``>`` and ``&`` are written as
unicode escapes so no workbook text can close the element.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from app.catalogue import service
from app.catalogue.models import Angebot, Einrichtung, Traeger
from app.public import display


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def organization(traeger: Traeger) -> dict[str, Any]:
    kind = "GovernmentOrganization" if traeger.art == "kommunal" else "Organization"
    return _clean(
        {
            "@type": kind,
            "name": traeger.name,
            "url": display.safe_url(traeger.website),
            "email": traeger.email,
            "telephone": traeger.telefon,
        }
    )


def place(einrichtung: Einrichtung, base_url: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "Place",
        "@id": f"{base_url}/einrichtungen/{einrichtung.external_id}",
        "name": einrichtung.name,
        "url": f"{base_url}/einrichtungen/{einrichtung.external_id}",
        "telephone": einrichtung.telefon,
        "address": _clean(
            {
                "@type": "PostalAddress",
                "streetAddress": einrichtung.strasse,
                "postalCode": einrichtung.plz,
                "addressLocality": einrichtung.ort,
                "addressRegion": "Thüringen",
                "addressCountry": "DE",
            }
        ),
    }
    if einrichtung.lat is not None and einrichtung.lon is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": einrichtung.lat, "longitude": einrichtung.lon}
    return _clean(data)


def offer_service(angebot: Angebot, base_url: str) -> dict[str, Any]:
    url = f"{base_url}/angebote/{angebot.external_id}"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Service",
        "@id": url,
        "url": url,
        "name": angebot.titel,
        "description": angebot.beschreibung,
        "provider": organization(angebot.einrichtung.traeger),
        "availableChannel": {
            "@type": "ServiceChannel",
            "serviceLocation": place(angebot.einrichtung, base_url),
        },
        "areaServed": [{"@type": "Place", "name": o.name} for o in service.offer_ortsteile(angebot)],
        "audience": [{"@type": "Audience", "audienceType": z.label_de} for z in angebot.zielgruppen],
        "serviceType": [t.label_de for t in angebot.themen],
        "availableLanguage": service.offer_sprachen(angebot),
    }
    if angebot.kosten_art == "kostenlos" or angebot.kosten_cents is not None:
        data["offers"] = {
            "@type": "Offer",
            "price": f"{(angebot.kosten_cents or 0) / 100:.2f}",
            "priceCurrency": "EUR",
        }
    return _clean(data)


def institution_place(einrichtung: Einrichtung, base_url: str) -> dict[str, Any]:
    data = place(einrichtung, base_url)
    data["@context"] = "https://schema.org"
    data["description"] = einrichtung.beschreibung
    data["containedInPlace"] = {"@type": "Place", "name": einrichtung.ortsteil.name}
    return _clean(data)


def script_block(data: dict[str, Any]) -> Markup:
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/ld+json">{text}</script>')  # noqa: S704 - JSON, escaped above
