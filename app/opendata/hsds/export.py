"""The full HSDS export: JSON objects and the tabular CSV form (one file per HSDS table) in one zip.

The CSV columns are the non-array fields of each table in HSDS 3.0's ``schema/compiled/tabular.json``
(checked against the vendored copy by the tests); nested objects become rows of their own table with the
foreign key of their parent, as HSDS' tabular form expects.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.catalogue import csv_safe
from app.catalogue.models import Angebot, Einrichtung, Handlungsfeld, ImportRun, Thema, Traeger, Zielgruppe
from app.opendata.hsds import mapping as m
from app.opendata.hsds import queries as q
from app.settings import Settings

# table → CSV columns (HSDS 3.0 tabular form); the file name is HSDS' `path`.
TABLES: dict[str, tuple[str, list[str]]] = {
    "organization": (
        "organizations.csv",
        [
            "id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id",
            "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id",
        ],
    ),
    "service": (
        "services.csv",
        [
            "id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email",
            "status", "interpretation_services", "application_process", "fees_description", "wait_time",
            "fees", "accreditations", "eligibility_description", "minimum_age", "maximum_age",
            "assured_date", "assurer_email", "licenses", "alert", "last_modified",
        ],
    ),
    "location": (
        "locations.csv",
        [
            "id", "location_type", "url", "organization_id", "name", "alternate_name", "description",
            "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type",
        ],
    ),
    "service_at_location": ("service_at_location.csv", ["id", "service_id", "location_id", "description"]),
    "address": (
        "addresses.csv",
        [
            "id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province",
            "postal_code", "country", "address_type",
        ],
    ),
    "phone": (
        "phones.csv",
        [
            "id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id",
            "number", "extension", "type", "description",
        ],
    ),
    "contact": (
        "contacts.csv",
        [
            "id", "organization_id", "service_id", "service_at_location_id", "location_id", "name", "title",
            "department", "email",
        ],
    ),
    "schedule": (
        "schedules.csv",
        [
            "id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart",
            "timezone", "until", "count", "wkst", "freq", "interval", "byday", "byweekno", "bymonthday",
            "byyearday", "description", "opens_at", "closes_at", "schedule_link", "attending_type", "notes",
        ],
    ),
    "service_area": (
        "service_areas.csv",
        ["id", "service_id", "name", "description", "extent", "extent_type", "uri"],
    ),
    "language": ("languages.csv", ["id", "service_id", "location_id", "phone_id", "name", "code", "note"]),
    "accessibility": ("accessibility.csv", ["id", "location_id", "description", "details", "url"]),
    "cost_option": (
        "cost_options.csv",
        ["id", "service_id", "valid_from", "valid_to", "option", "currency", "amount", "amount_description"],
    ),
    "attribute": (
        "attributes.csv",
        ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"],
    ),
    "taxonomy": ("taxonomies.csv", ["id", "name", "description", "uri", "version"]),
    "taxonomy_term": (
        "taxonomy_terms.csv",
        ["id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri"],
    ),
}  # fmt: skip

# Nested list field → the table its items belong to.
_CHILD_TABLES = {
    "phones": "phone",
    "contacts": "contact",
    "schedules": "schedule",
    "service_areas": "service_area",
    "languages": "language",
    "accessibility": "accessibility",
    "addresses": "address",
    "cost_options": "cost_option",
    "attributes": "attribute",
    "locations": "location",
    "service_at_locations": "service_at_location",
}
# Attributes carry their taxonomy_term nested; taxonomy_terms.csv lists every term once anyway.
_CHILD_OBJECTS = {"location": "location", "organization": "organization", "taxonomy_detail": "taxonomy"}


class TabularCollector:
    """Flattens nested HSDS objects into rows per table, each object once (by id)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, dict[str, Any]]] = {table: {} for table in TABLES}

    def add(self, table: str, obj: dict[str, Any]) -> None:
        for key, value in obj.items():
            if key in _CHILD_TABLES and isinstance(value, list):
                for child in value:
                    self.add(_CHILD_TABLES[key], child)
            elif key in _CHILD_OBJECTS and isinstance(value, dict):
                self.add(_CHILD_OBJECTS[key], value)
        if table in self.rows and obj["id"] not in self.rows[table]:
            columns = TABLES[table][1]
            self.rows[table][obj["id"]] = {c: obj.get(c) for c in columns}

    def csv_files(self) -> dict[str, str]:
        files = {}
        for table, (path, columns) in TABLES.items():
            out = io.StringIO()
            writer = csv_safe.dict_writer(out, fieldnames=columns, lineterminator="\r\n")
            writer.writeheader()
            for row in self.rows[table].values():
                writer.writerow({c: row[c] for c in columns})
            files[path] = out.getvalue()
        return files


def export_objects(session: Session, settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Every public HSDS object, fully nested where HSDS nests it (each place mapped once, then shared)."""
    base = settings.base_url
    locations = q.public_locations(session)
    mapped = {e.id or 0: m.location_full(e, base) for e in locations}
    offers = q.all_public_offers(session)
    by_traeger: dict[int, list[dict[str, Any]]] = {}
    for location in locations:
        by_traeger.setdefault(location.traeger_id, []).append(mapped[location.id or 0])
    terms = q.vocabulary_terms(session)
    organizations = q.public_organizations(session)
    return {
        "organizations": [m.organization_full(t, by_traeger.get(t.id or 0, []), base) for t in organizations],
        "services": [m.service_full(a, base, mapped) for a in offers],
        "locations": list(mapped.values()),
        "service_at_locations": [m.service_at_location_basic(a, base) for a in offers],
        "taxonomies": [m.taxonomy(base)],
        "taxonomy_terms": m.all_terms(terms, base),
    }


def export_fingerprint(session: Session, settings: Settings, today: date | None = None) -> str:
    """Changes whenever the export would: any catalogue row added, changed or removed, a new day (offers
    expire), other settings. Cheap (a few aggregate queries), so every worker can check it per request."""
    parts: list[Any] = [(today or date.today()).isoformat(), settings.base_url, settings.data_licence_name]
    for table in (Angebot, Einrichtung, Traeger, Zielgruppe, Thema, Handlungsfeld):
        parts.append(session.exec(select(func.count()).select_from(table)).one())
    for stamped in (Angebot, Einrichtung, Traeger):
        parts.append(str(session.exec(select(func.max(stamped.updated_at))).one()))
    parts.append(session.exec(select(func.max(ImportRun.id))).one())
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _readme(settings: Settings, generated: datetime, counts: dict[str, int]) -> str:
    lines = [
        "Familienwegweiser Jena – Export im Format Open Referral HSDS 3.0",
        "",
        f"Erzeugt: {generated.strftime('%d.%m.%Y, %H:%M')} UTC",
        f"Lizenz: {settings.data_licence_name} ({settings.data_licence_url})",
        f"Namensnennung: {settings.data_licence_attribution}",
        "",
        "json/ – die HSDS-Objekte (Dienste vollständig verschachtelt), csv/ – die tabellarische Form",
        "(eine Datei je HSDS-Tabelle, verknüpft über die IDs).",
        "Die IDs sind stabile UUIDv5 der Arbeitsmappen-IDs.",
        "",
        *(f"{name}: {count}" for name, count in counts.items()),
        "",
    ]
    return "\n".join(lines)


def _datapackage(settings: Settings, generated: datetime) -> dict[str, Any]:
    return {
        "name": "familienwegweiser-jena-hsds",
        "title": "Familienwegweiser Jena (HSDS 3.0)",
        "profile": "tabular-data-package",
        "created": generated.isoformat(timespec="seconds"),
        "licenses": [{"title": settings.data_licence_name, "path": settings.data_licence_url}],
        "contributors": [{"title": settings.data_licence_attribution, "role": "publisher"}],
        "resources": [
            {
                "name": table,
                "path": f"csv/{path}",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": [{"name": c} for c in columns]},
            }
            for table, (path, columns) in TABLES.items()
        ],
    }


def build_export_zip(session: Session, settings: Settings, *, now: datetime | None = None) -> bytes:
    generated = now or datetime.now(UTC)
    objects = export_objects(session, settings)
    collector = TabularCollector()
    for table, key in (
        ("organization", "organizations"),
        ("service", "services"),
        ("location", "locations"),
        ("service_at_location", "service_at_locations"),
        ("taxonomy", "taxonomies"),
        ("taxonomy_term", "taxonomy_terms"),
    ):
        for obj in objects[key]:
            collector.add(table, obj)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, items in objects.items():
            archive.writestr(f"json/{key}.json", _dumps(items))
        for path, content in collector.csv_files().items():
            archive.writestr(f"csv/{path}", content)
        archive.writestr("datapackage.json", _dumps(_datapackage(settings, generated)))
        archive.writestr(
            "LIESMICH.txt", _readme(settings, generated, {k: len(v) for k, v in objects.items()})
        )
    return buffer.getvalue()


def _dumps(value: Iterable[Any] | dict[str, Any]) -> str:
    # No indent: only the compact form uses the C encoder (several times faster at 10,000 offers).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
