"""Our catalogue as Open Referral HSDS 3.0 objects (plain dicts, ready for JSON and the tabular CSV form).

Mapping (domain reference §5): Träger → organization, Einrichtung → location (+ address, phone, accessibility,
languages, schedule), Angebot → service + service_at_location, Ortsteile → service_area, Zielgruppe/Thema/
Handlungsfeld → taxonomy_term of our own taxonomy, linked by attributes.
``Zuletzt geprüft`` → ``assured_date``.
Ids are UUIDv5 of the workbook ids in one namespace, so they stay stable across imports and servers.
Optional fields without a value are left out rather than sent as ``null`` (the schemas type them as strings).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

from app.catalogue.models import Angebot, Einrichtung, Handlungsfeld, Ortsteil, Thema, Traeger, Zielgruppe
from app.catalogue.service import effective_status, offer_ortsteile, offer_sprachen
from app.catalogue.vocab import Barrierefrei, KostenArt, Status

HSDS_VERSION = "3.0"
# One namespace for every HSDS id of this catalogue; never change it (ids would change for every consumer).
HSDS_NAMESPACE = uuid.UUID("5d0f3c2e-7a41-5b8e-9c6d-4a1e2f3b6c70")

HsdsObject = dict[str, Any]

STATUS_MAP: dict[Status, str] = {
    Status.aktiv: "active",
    Status.voruebergehend_geschlossen: "temporarily closed",
    Status.geschlossen: "defunct",
    Status.umgezogen: "defunct",
}

# ISO 639-1 (or 639-3 where no two-letter code exists) for the languages the workbook allows.
LANGUAGE_CODES: dict[str, str] = {
    "Deutsch": "de",
    "Englisch": "en",
    "Arabisch": "ar",
    "Russisch": "ru",
    "Ukrainisch": "uk",
    "Türkisch": "tr",
    "Persisch": "fa",
    "Französisch": "fr",
    "Spanisch": "es",
    "Polnisch": "pl",
    "Vietnamesisch": "vi",
    "Deutsche Gebärdensprache": "gsg",
    "Leichte Sprache": "de",
}

ACCESSIBILITY_TEXT: dict[str, str] = {
    Barrierefrei.ja: "barrierefrei",
    Barrierefrei.teilweise: "teilweise barrierefrei",
    Barrierefrei.nein: "nicht barrierefrei",
}

TAXONOMY_NAME = "Familienwegweiser Jena"
# The three branches of our taxonomy: kind → (name, description).
TAXONOMY_BRANCHES: dict[str, tuple[str, str]] = {
    "zielgruppe": ("Zielgruppen", "Für wen ein Angebot gedacht ist."),
    "thema": ("Themen", "Worum es in einem Angebot geht."),
    "handlungsfeld": (
        "Handlungsfelder",
        "Handlungsfelder des Landesprogramms „Solidarisches Zusammenleben der Generationen“ (LSZ).",
    ),
}


_NAMESPACE_BYTES = HSDS_NAMESPACE.bytes


def hsds_id(kind: str, *parts: str | int) -> str:
    """Stable UUIDv5 for an HSDS object, e.g. ``hsds_id("service", "A-0001")``.

    Same value as ``str(uuid.uuid5(HSDS_NAMESPACE, name))``, computed without building UUID objects: the
    export makes hundreds of thousands of them.
    """
    name = "/".join([kind, *(str(p) for p in parts)])
    sha1 = hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8"), usedforsecurity=False)
    digest = bytearray(sha1.digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def map_status(status: Status) -> str:
    return STATUS_MAP[status]


def _iso_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _compact(obj: HsdsObject) -> HsdsObject:
    """Drop fields without a value (``None``, empty string); keep empty lists (they say "none")."""
    return {k: v for k, v in obj.items() if v is not None and v != ""}


@dataclass(frozen=True)
class Term:
    """One taxonomy term of our own taxonomy (the leaves; branches are built from TAXONOMY_BRANCHES)."""

    kind: str
    code: str
    name: str

    @property
    def id(self) -> str:
        return hsds_id("taxonomy_term", self.kind, self.code)


@cache
def taxonomy_id() -> str:
    return hsds_id("taxonomy", "familienwegweiser-jena")


@cache
def branch_id(kind: str) -> str:
    return hsds_id("taxonomy_term", kind)


def taxonomy(base_url: str) -> HsdsObject:
    return {
        "id": taxonomy_id(),
        "name": TAXONOMY_NAME,
        "description": "Eigene Klassifikation des Familienwegweisers Jena: Zielgruppen, Themen und "
        "Handlungsfelder des LSZ-Programms.",
        "uri": f"{base_url.rstrip('/')}/daten#taxonomie",
        "version": "1",
    }


def terms_from_vocabularies(
    zielgruppen: Iterable[Zielgruppe], themen: Iterable[Thema], handlungsfelder: Iterable[Handlungsfeld]
) -> list[Term]:
    return [
        *(Term("zielgruppe", z.code, z.label_de) for z in zielgruppen),
        *(Term("thema", t.code, t.label_de) for t in themen),
        *(Term("handlungsfeld", h.code, h.label_de) for h in handlungsfelder),
    ]


def _term_common(base_url: str) -> HsdsObject:
    return {"taxonomy": TAXONOMY_NAME, "taxonomy_id": taxonomy_id(), "language": "de"}


def branch_term(kind: str, base_url: str, *, nested_taxonomy: bool = False) -> HsdsObject:
    name, description = TAXONOMY_BRANCHES[kind]
    obj: HsdsObject = {"id": branch_id(kind), "code": kind, "name": name, "description": description}
    obj |= _term_common(base_url)
    if nested_taxonomy:
        obj["taxonomy_detail"] = taxonomy(base_url)
    return obj


@lru_cache(maxsize=512)
def leaf_term(term: Term, base_url: str, *, nested_taxonomy: bool = False) -> HsdsObject:
    """One leaf term (cached: every attribute nests its term; callers must not modify the dict)."""
    branch_name = TAXONOMY_BRANCHES[term.kind][0]
    obj: HsdsObject = {
        "id": term.id,
        "code": f"{term.kind}:{term.code}",
        "name": term.name,
        "description": f"{branch_name}: {term.name}",
        "parent_id": branch_id(term.kind),
    }
    obj |= _term_common(base_url)
    if nested_taxonomy:
        obj["taxonomy_detail"] = taxonomy(base_url)
    return obj


def all_terms(terms: Iterable[Term], base_url: str) -> list[HsdsObject]:
    """Branches first, then the leaves, in vocabulary order."""
    return [branch_term(kind, base_url) for kind in TAXONOMY_BRANCHES] + [
        leaf_term(t, base_url) for t in terms
    ]


def offer_terms(angebot: Angebot) -> list[Term]:
    terms = [Term("zielgruppe", z.code, z.label_de) for z in angebot.zielgruppen]
    terms += [Term("thema", t.code, t.label_de) for t in angebot.themen]
    if angebot.handlungsfeld is not None:
        terms.append(Term("handlungsfeld", angebot.handlungsfeld.code, angebot.handlungsfeld.label_de))
    return terms


# --- organization -----------------------------------------------------------------------------------------


def organization_basic(traeger: Traeger, base_url: str) -> HsdsObject:
    return _compact(
        {
            "id": hsds_id("organization", traeger.external_id),
            "name": traeger.name,
            "description": f"Träger im Familienwegweiser Jena ({traeger.external_id}).",
            "email": traeger.email,
            "website": traeger.website,
        }
    )


def organization_full(
    traeger: Traeger, locations: Iterable[HsdsObject], base_url: str, services: Iterable[HsdsObject] = ()
) -> HsdsObject:
    """``locations``: the organization's places, already mapped with :func:`location_full`."""
    obj = organization_basic(traeger, base_url)
    obj["phones"] = (
        [{"id": hsds_id("phone", "organization", traeger.external_id), "number": traeger.telefon}]
        if traeger.telefon
        else []
    )
    for phone in obj["phones"]:
        phone["organization_id"] = obj["id"]
    obj["locations"] = list(locations)
    obj["services"] = list(services)
    obj["organization_identifiers"] = []
    obj["contacts"] = []
    obj["attributes"] = []
    return obj


# --- location ---------------------------------------------------------------------------------------------


def location_basic(einrichtung: Einrichtung, base_url: str) -> HsdsObject:
    return _compact(
        {
            "id": hsds_id("location", einrichtung.external_id),
            "location_type": "physical",
            "organization_id": hsds_id("organization", einrichtung.traeger.external_id),
            "name": einrichtung.name,
            "description": einrichtung.beschreibung,
            "latitude": einrichtung.lat,
            "longitude": einrichtung.lon,
            "external_identifier": einrichtung.external_id,
            "external_identifier_type": "Familienwegweiser Jena Einrichtungs-ID",
        }
    )


def _languages(names: Iterable[str], owner_key: str, owner_id: str, owner_ext: str) -> list[HsdsObject]:
    result = []
    for name in names:
        obj: HsdsObject = {
            "id": hsds_id("language", owner_key, owner_ext, name),
            owner_key: owner_id,
            "name": name,
            "code": LANGUAGE_CODES.get(name),
            "note": "Leichte Sprache" if name == "Leichte Sprache" else None,
        }
        result.append(_compact(obj))
    return result


def location_full(einrichtung: Einrichtung, base_url: str) -> HsdsObject:
    obj = location_basic(einrichtung, base_url)
    loc_id, ext = obj["id"], einrichtung.external_id
    obj["addresses"] = (
        [
            {
                "id": hsds_id("address", ext),
                "location_id": loc_id,
                "address_1": einrichtung.strasse,
                "city": einrichtung.ort,
                "region": einrichtung.ortsteil.name,
                "state_province": "Thüringen",
                "postal_code": einrichtung.plz,
                "country": "DE",
                "address_type": "physical",
            }
        ]
        if einrichtung.strasse and einrichtung.plz
        else []
    )
    obj["phones"] = (
        [{"id": hsds_id("phone", "location", ext), "location_id": loc_id, "number": einrichtung.telefon}]
        if einrichtung.telefon
        else []
    )
    obj["accessibility"] = (
        [
            _compact(
                {
                    "id": hsds_id("accessibility", ext),
                    "location_id": loc_id,
                    "description": ACCESSIBILITY_TEXT.get(einrichtung.barrierefrei, einrichtung.barrierefrei),
                    "details": einrichtung.barrierefrei_hinweis,
                }
            )
        ]
        if einrichtung.barrierefrei
        else []
    )
    obj["languages"] = _languages(einrichtung.sprachen, "location_id", loc_id, ext)
    obj["schedules"] = (
        [
            {
                "id": hsds_id("schedule", "location", ext),
                "location_id": loc_id,
                "description": einrichtung.oeffnungszeiten,
            }
        ]
        if einrichtung.oeffnungszeiten
        else []
    )
    obj["contacts"] = (
        [{"id": hsds_id("contact", "location", ext), "location_id": loc_id, "email": einrichtung.email}]
        if einrichtung.email
        else []
    )
    obj["attributes"] = []
    return obj


# --- service ----------------------------------------------------------------------------------------------


def _fees_description(angebot: Angebot) -> str | None:
    if angebot.kosten_art == KostenArt.kostenlos:
        return "kostenlos"
    if angebot.kosten_art == KostenArt.betrag and angebot.kosten_cents is not None:
        amount = f"{angebot.kosten_cents / 100:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        return f"{amount} €" + (f" ({angebot.kosten_text})" if angebot.kosten_text else "")
    return angebot.kosten_text


def _application_process(angebot: Angebot) -> str | None:
    if angebot.anmeldung is None:
        return None
    return "Anmeldung erforderlich." if angebot.anmeldung else "Ohne Anmeldung."


def _age(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def service_basic(angebot: Angebot, base_url: str) -> HsdsObject:
    """The one-to-one fields (what ``/services`` lists)."""
    status = effective_status(angebot)
    return _compact(
        {
            "id": hsds_id("service", angebot.external_id),
            "organization_id": hsds_id("organization", angebot.einrichtung.traeger.external_id),
            "name": angebot.titel,
            "description": angebot.beschreibung,
            "url": f"{base_url.rstrip('/')}/angebote/{angebot.external_id}",
            "status": map_status(status),
            "application_process": _application_process(angebot),
            "fees_description": _fees_description(angebot),
            "eligibility_description": ", ".join(z.label_de for z in angebot.zielgruppen) or None,
            "minimum_age": _age(angebot.alter_von),
            "maximum_age": _age(angebot.alter_bis),
            "assured_date": angebot.verified_at.isoformat() if angebot.verified_at else None,
            "alert": "Vorübergehend geschlossen." if status is Status.voruebergehend_geschlossen else None,
            "last_modified": _iso_datetime(angebot.updated_at),
        }
    )


def _attributes(angebot: Angebot, service_id: str, base_url: str) -> list[HsdsObject]:
    return [
        {
            "id": hsds_id("attribute", "service", angebot.external_id, term.kind, term.code),
            "link_id": service_id,
            "link_type": term.kind,
            "link_entity": "service",
            "taxonomy_term_id": term.id,
            "taxonomy_term": leaf_term(term, base_url, nested_taxonomy=True),
        }
        for term in offer_terms(angebot)
    ]


def _service_areas(angebot: Angebot, service_id: str) -> list[HsdsObject]:
    if angebot.stadtweit:
        return [
            {
                "id": hsds_id("service_area", angebot.external_id, "stadtweit"),
                "service_id": service_id,
                "name": "Jena (stadtweit)",
                "description": "Das Angebot richtet sich an Menschen aus dem ganzen Stadtgebiet.",
            }
        ]
    return [_service_area(angebot, service_id, o) for o in offer_ortsteile(angebot)]


def _service_area(angebot: Angebot, service_id: str, ortsteil: Ortsteil) -> HsdsObject:
    return {
        "id": hsds_id("service_area", angebot.external_id, ortsteil.slug),
        "service_id": service_id,
        "name": ortsteil.name,
        "description": f"Ortsteil der Stadt Jena (Planungsraum {ortsteil.planungsraum.name}).",
    }


def _cost_options(angebot: Angebot, service_id: str) -> list[HsdsObject]:
    if angebot.kosten_art != KostenArt.betrag or angebot.kosten_cents is None:
        return []
    return [
        _compact(
            {
                "id": hsds_id("cost_option", angebot.external_id),
                "service_id": service_id,
                "currency": "EUR",
                "amount": angebot.kosten_cents / 100,
                "amount_description": angebot.kosten_text,
            }
        )
    ]


def _service_schedules(angebot: Angebot, service_id: str) -> list[HsdsObject]:
    if not (angebot.termine or angebot.gueltig_von or angebot.gueltig_bis):
        return []
    return [
        _compact(
            {
                "id": hsds_id("schedule", "service", angebot.external_id),
                "service_id": service_id,
                "description": angebot.termine,
                "valid_from": angebot.gueltig_von.isoformat() if angebot.gueltig_von else None,
                "valid_to": angebot.gueltig_bis.isoformat() if angebot.gueltig_bis else None,
            }
        )
    ]


def service_at_location_basic(angebot: Angebot, base_url: str) -> HsdsObject:
    return {
        "id": hsds_id("service_at_location", angebot.external_id),
        "service_id": hsds_id("service", angebot.external_id),
        "location_id": hsds_id("location", angebot.einrichtung.external_id),
    }


def service_at_location_full(
    angebot: Angebot, base_url: str, locations: dict[int, HsdsObject] | None = None
) -> HsdsObject:
    """``locations``: already mapped locations by Einrichtung id (the export maps each place once)."""
    obj = service_at_location_basic(angebot, base_url)
    place = angebot.einrichtung
    known = locations.get(place.id or 0) if locations is not None else None
    obj["location"] = known if known is not None else location_full(place, base_url)
    obj["contacts"] = []
    obj["phones"] = []
    obj["schedules"] = []
    obj["attributes"] = []
    return obj


def service_full(
    angebot: Angebot, base_url: str, locations: dict[int, HsdsObject] | None = None
) -> HsdsObject:
    """A fully nested service (``/services/{id}``, the export)."""
    obj = service_basic(angebot, base_url)
    sid = obj["id"]
    obj["organization"] = organization_basic(angebot.einrichtung.traeger, base_url)
    obj["service_at_locations"] = [service_at_location_full(angebot, base_url, locations)]
    obj["service_areas"] = _service_areas(angebot, sid)
    obj["languages"] = _languages(offer_sprachen(angebot), "service_id", sid, angebot.external_id)
    obj["schedules"] = _service_schedules(angebot, sid)
    obj["cost_options"] = _cost_options(angebot, sid)
    obj["attributes"] = _attributes(angebot, sid, base_url)
    obj["phones"] = []
    obj["contacts"] = []
    obj["funding"] = []
    obj["required_documents"] = []
    return _compact(obj)
