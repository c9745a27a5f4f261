"""Downloads of the funding list: CSV for Excel, standard CSV, JSON and 360Giving JSON (standard 1.4.3).

All four are built from the same loaded grants, so a download always matches the page with the same filter.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from app.catalogue import csv_safe
from app.catalogue.models import Foerderung
from app.db import utcnow
from app.funding.service import (
    FundingFilter,
    district_label,
    district_slugs,
    grant_ortsteile,
    sum_by_handlungsfeld,
    sum_by_year,
)
from app.quality.opendata import OpenDataSummary
from app.settings import Settings

FUNDER_NAME = "Stadt Jena"
PROGRAMME_CODE = "LSZ"
PROGRAMME_TITLE = "Landesprogramm „Solidarisches Zusammenleben der Generationen“ (LSZ)"
HF_VOCABULARY = "LSZ-Handlungsfelder (Thüringen)"
SCHEMA_VERSION = "1.4"  # the package schema wants major.minor; the grants follow 1.4.3

COLUMNS = (
    "Förder-ID",
    "Jahr",
    "Projekt",
    "Träger-ID",
    "Träger",
    "Handlungsfeld",
    "Handlungsfeld-Name",
    "Fördersumme",
    "Eigenanteil",
    "Ortsteil",
    "Einrichtungs-ID",
    "Bewilligt am",
    "Laufzeit von",
    "Laufzeit bis",
    "Beschreibung",
    "Angebots-IDs",
    "Bewertungen",
    "Zufriedenheit (Ø 1–5)",
    "Weiterempfehlung (%)",
)
# Per grant id: linked offers and the k-anonymous evaluation figures (app/quality); None = not given.
Ratings = Mapping[int, OpenDataSummary] | None


def _cents_decimal(cents: int | None, separator: str) -> str:
    """Integer cents → ``12500,00`` / ``12500.00`` without float arithmetic."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}{separator}{rest:02d}"


def _date(value: date | None, german: bool) -> str:
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y") if german else value.isoformat()


def _rating_cells(summary: OpenDataSummary | None, german: bool) -> list[str]:
    if summary is None:
        return ["", "0", "", ""]
    average = "" if summary.average is None else f"{summary.average:.1f}"
    return [
        "; ".join(summary.offer_ids),
        str(summary.aggregate.count),
        average.replace(".", ",") if german else average,
        "" if summary.recommend_percent is None else str(summary.recommend_percent),
    ]


def _row(grant: Foerderung, *, german: bool, ratings: Ratings = None) -> list[str]:
    sep = "," if german else "."
    summary = ratings.get(grant.id) if ratings is not None and grant.id is not None else None
    return [
        grant.external_id,
        str(grant.jahr),
        grant.projekt,
        grant.traeger.external_id,
        grant.traeger.name,
        str(grant.handlungsfeld_number),
        grant.handlungsfeld.label_de,
        _cents_decimal(grant.betrag_cents, sep),
        _cents_decimal(grant.eigenanteil_cents, sep),
        "stadtweit" if grant.stadtweit else "; ".join(o.name for o in grant_ortsteile(grant)),
        grant.einrichtung.external_id if grant.einrichtung else "",
        _date(grant.bewilligt_am, german),
        _date(grant.laufzeit_von, german),
        _date(grant.laufzeit_bis, german),
        grant.beschreibung or "",
        *_rating_cells(summary, german),
    ]


def csv_excel(grants: Sequence[Foerderung], ratings: Ratings = None) -> bytes:
    """For Excel in German settings: ``;``, UTF-8 with BOM, decimal comma, dates TT.MM.JJJJ."""
    buffer = io.StringIO()
    writer = csv_safe.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(g, german=True, ratings=ratings) for g in grants)
    return buffer.getvalue().encode("utf-8-sig")


def csv_standard(grants: Sequence[Foerderung], ratings: Ratings = None) -> bytes:
    """RFC 4180: ``,``, UTF-8 without BOM, decimal point, ISO dates."""
    buffer = io.StringIO()
    writer = csv_safe.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(g, german=False, ratings=ratings) for g in grants)
    return buffer.getvalue().encode("utf-8")


def _filter_meta(flt: FundingFilter) -> dict[str, Any]:
    return {
        "jahr": flt.year,
        "handlungsfeld": flt.handlungsfeld,
        "traeger": flt.traeger,
        "ortsteil": flt.ortsteil,
    }


def _json_rating(summary: OpenDataSummary | None) -> dict[str, Any]:
    if summary is None:
        return {
            "angebote": [],
            "bewertung": {"anzahl": 0, "zufriedenheit_mittel": None, "weiterempfehlung_prozent": None},
        }
    return {
        "angebote": summary.offer_ids,
        "bewertung": {
            "anzahl": summary.aggregate.count,
            "zufriedenheit_mittel": summary.average,
            "weiterempfehlung_prozent": summary.recommend_percent,
        },
    }


def json_document(
    grants: Sequence[Foerderung], flt: FundingFilter, settings: Settings, ratings: Ratings = None
) -> dict[str, Any]:
    items = [
        {
            "id": g.external_id,
            "year": g.jahr,
            "project": g.projekt,
            "traeger": {"id": g.traeger.external_id, "name": g.traeger.name},
            "handlungsfeld": g.handlungsfeld_number,
            "handlungsfeld_name": g.handlungsfeld.label_de,
            "amount_cents": g.betrag_cents,
            "eigenanteil_cents": g.eigenanteil_cents,
            "stadtweit": g.stadtweit,
            "ortsteile": district_slugs(g),
            "ortsteil_names": district_label(g),
            "einrichtung_id": g.einrichtung.external_id if g.einrichtung else None,
            "bewilligt_am": g.bewilligt_am.isoformat() if g.bewilligt_am else None,
            "laufzeit_von": g.laufzeit_von.isoformat() if g.laufzeit_von else None,
            "laufzeit_bis": g.laufzeit_bis.isoformat() if g.laufzeit_bis else None,
            "beschreibung": g.beschreibung,
            **_json_rating(ratings.get(g.id) if ratings is not None and g.id is not None else None),
        }
        for g in grants
    ]
    return {
        "meta": {
            "titel": "LSZ-Förderungen der Stadt Jena",
            "filter": _filter_meta(flt),
            "erzeugt": utcnow().isoformat(timespec="seconds"),
            "lizenz": settings.data_licence_name,
            "lizenz_url": settings.data_licence_url,
            "namensnennung": settings.data_licence_attribution,
            "hinweis": "Beträge in Cent (ganze Zahlen). „stadtweit“ zählt einmal, nicht je Ortsteil. "
            "Bewertungen durch Nutzende: Mittelwert und Weiterempfehlung erst ab 5 Bewertungen, "
            "Kommentare werden nie veröffentlicht.",
        },
        "items": items,
        "totals": {
            "count": len(items),
            "sum_cents": sum(g.betrag_cents for g in grants),
            "by_handlungsfeld": {str(k): v for k, v in sum_by_handlungsfeld(grants).items()},
            "by_year": {str(k): v for k, v in sum_by_year(grants).items()},
        },
    }


def json_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


# --- 360Giving --------------------------------------------------------------------------------------------

_NOT_ID = re.compile(r"[^A-Za-z0-9-]+")


def identifier_part(value: str) -> str:
    """360Giving identifiers use letters, digits and hyphens only (no slashes, dots or spaces)."""
    return _NOT_ID.sub("-", value).strip("-") or "x"


def grant_id(prefix: str, grant: Foerderung) -> str:
    return f"360G-{identifier_part(prefix)}-{identifier_part(grant.external_id)}"


def recipient_id(prefix: str, traeger_external_id: str) -> str:
    return f"360G-{identifier_part(prefix)}-org-{identifier_part(traeger_external_id)}"


def funder_id(prefix: str) -> str:
    return f"360G-{identifier_part(prefix)}-org-stadt-jena"


def _description(grant: Foerderung) -> str:
    """The required description, never equal to the title (360Giving rejects a repeated title)."""
    text = (grant.beschreibung or "").strip()
    if text and text != grant.projekt.strip():
        return text
    return (
        f"LSZ-Förderung {grant.jahr} im Handlungsfeld {grant.handlungsfeld_number} "
        f"„{grant.handlungsfeld.label_de}“ für „{grant.projekt}“ ({grant.traeger.name})."
    )


def _planned_dates(grant: Foerderung) -> list[dict[str, str]]:
    if grant.laufzeit_von or grant.laufzeit_bis:
        event: dict[str, str] = {}
        if grant.laufzeit_von:
            event["startDate"] = grant.laufzeit_von.isoformat()
        if grant.laufzeit_bis:
            event["endDate"] = grant.laufzeit_bis.isoformat()
        return [event]
    # No runtime given: the funding year (360Giving allows a plain year for planned dates).
    return [{"startDate": str(grant.jahr), "endDate": str(grant.jahr)}]


def _beneficiary_locations(grant: Foerderung) -> list[dict[str, str]]:
    if grant.stadtweit:
        return [{"name": "Jena (stadtweit)", "countryCode": "DE"}]
    return [{"name": f"{o.name}, Jena", "countryCode": "DE"} for o in grant_ortsteile(grant)]


def award_date(grant: Foerderung) -> tuple[str, bool]:
    """Bewilligt am, else 1 January of the funding year; the flag says the fallback was used."""
    if grant.bewilligt_am is not None:
        return grant.bewilligt_am.isoformat(), False
    return date(grant.jahr, 1, 1).isoformat(), True


def giving360_grant(grant: Foerderung, settings: Settings, modified: datetime) -> dict[str, Any]:
    prefix = settings.giving360_prefix
    awarded, _fallback = award_date(grant)
    result: dict[str, Any] = {
        "id": grant_id(prefix, grant),
        "title": grant.projekt[:139],
        "description": _description(grant),
        "currency": "EUR",
        "amountAwarded": grant.betrag_cents / 100,
        "awardDate": awarded,
        "plannedDates": _planned_dates(grant),
        "recipientOrganization": [
            {"id": recipient_id(prefix, grant.traeger.external_id), "name": grant.traeger.name}
        ],
        "fundingOrganization": [{"id": funder_id(prefix), "name": FUNDER_NAME}],
        "grantProgramme": [{"code": PROGRAMME_CODE, "title": PROGRAMME_TITLE}],
        "classifications": [
            {
                "vocabulary": HF_VOCABULARY,
                "code": f"hf{grant.handlungsfeld_number}",
                "title": grant.handlungsfeld.label_de,
            }
        ],
        "url": f"{settings.base_url.rstrip('/')}/foerderung/projekte/{grant.external_id}",
        "dateModified": (grant.updated_at or modified).isoformat(timespec="seconds"),
    }
    locations = _beneficiary_locations(grant)
    if locations:
        result["beneficiaryLocation"] = locations
    return result


def giving360_package(grants: Sequence[Foerderung], flt: FundingFilter, settings: Settings) -> dict[str, Any]:
    """A 360Giving data package; the notes name every grant whose award date is the 1-January fallback."""
    now = utcnow()
    fallback_ids = [grant_id(settings.giving360_prefix, g) for g in grants if award_date(g)[1]]
    notes = [
        "Beträge in Euro. Fördergeber ist die Stadt Jena (Landesprogramm LSZ).",
        "awardDate ist das Bewilligungsdatum (Bescheid vom).",
    ]
    if fallback_ids:
        notes.append(
            "Ohne Bewilligungsdatum ist awardDate der 1. Januar des Förderjahres; das betrifft: "
            + ", ".join(fallback_ids)
            + "."
        )
    notes.append("plannedDates ist die Laufzeit; fehlt sie, steht dort das Förderjahr.")
    return {
        "grants": [giving360_grant(g, settings, now) for g in grants],
        "version": SCHEMA_VERSION,
        "title": f"LSZ-Förderungen der Stadt Jena – {flt.scope}",
        "description": " ".join(notes),
        "modified": now.isoformat(timespec="seconds"),
        "publisher": {"name": FUNDER_NAME, "identifier": funder_id(settings.giving360_prefix)},
        "license": settings.data_licence_url,
    }
