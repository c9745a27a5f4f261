"""What the „Daten“ page says: downloads, licence, date of the data, and the schema.org ``Dataset``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.catalogue.models import Angebot, Einrichtung, Foerderung, ImportRun, Traeger
from app.i18n import gettext as _
from app.settings import Settings


@dataclass(frozen=True)
class Download:
    title: str
    path: str
    media_type: str
    description: str


def downloads() -> list[Download]:
    """Every download and machine-readable interface of the catalogue (paths relative to BASE_URL)."""
    return [
        Download(
            _("Gesamtexport HSDS 3.0 (ZIP: JSON und CSV)"),
            "/api/hsds/export.zip",
            "application/zip",
            _(
                "Alle öffentlichen Träger, Einrichtungen und Angebote im Format Open Referral HSDS 3.0: "
                "JSON-Objekte und die tabellarische CSV-Form mit datapackage.json."
            ),
        ),
        Download(
            _("HSDS-3.0-Schnittstelle"),
            "/api/hsds/services",
            "application/json",
            _(
                "Seitenweise lesende Schnittstelle nach der HSDS-OpenAPI: services, organizations, "
                "locations, service_at_locations, taxonomies, taxonomy_terms."
            ),
        ),
        Download(
            _("Förderungen als CSV"),
            "/foerderung/download/alle/foerderungen.csv",
            "text/csv",
            _("Alle LSZ-Förderungen, Komma-getrennt, Beträge mit Dezimalpunkt."),
        ),
        Download(
            _("Förderungen als CSV für Excel"),
            "/foerderung/download/alle/foerderungen-excel.csv",
            "text/csv",
            _("Dieselben Daten, Semikolon-getrennt mit Dezimalkomma."),
        ),
        Download(
            _("Förderungen als JSON"),
            "/foerderung/download/alle/foerderungen.json",
            "application/json",
            _("Förderungen mit Summen je Handlungsfeld und Jahr."),
        ),
        Download(
            _("Förderungen im Standard 360Giving"),
            "/foerderung/download/alle/foerderungen-360giving.json",
            "application/json",
            _("Förderungen als 360Giving-Datenpaket (Standard 1.4.3)."),
        ),
    ]


def last_update(session: Session) -> datetime | None:
    """The newest of: the last successful import, the last change to any catalogue record."""
    candidates: list[datetime | None] = [
        session.exec(
            select(func.max(ImportRun.finished_at)).where(
                col(ImportRun.ok).is_(True), col(ImportRun.dry_run).is_(False)
            )
        ).one()
    ]
    for table in (Angebot, Einrichtung, Traeger, Foerderung):
        candidates.append(session.exec(select(func.max(table.updated_at))).one())
    found = [c for c in candidates if c is not None]
    return max(found) if found else None


def dataset_json_ld(settings: Settings, updated: datetime | None) -> dict[str, Any]:
    base = settings.base_url.rstrip("/")
    publisher = {"@type": "GovernmentOrganization", "name": settings.data_licence_attribution}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": "Familienwegweiser Jena – Angebote, Einrichtungen und LSZ-Förderungen",
        "description": "Öffentliche Angebote und Einrichtungen für Familien in Jena mit ihren Trägern "
        "sowie die Förderungen im Landesprogramm „Solidarisches Zusammenleben der Generationen“.",
        "url": f"{base}/daten",
        "license": settings.data_licence_url,
        "creator": publisher,
        "publisher": publisher,
        "inLanguage": "de",
        "isAccessibleForFree": True,
        "spatialCoverage": {"@type": "Place", "name": "Jena"},
        "keywords": ["Familie", "Soziales", "Jena", "HSDS", "Open Referral", "LSZ", "360Giving"],
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d.title,
                "encodingFormat": d.media_type,
                "contentUrl": f"{base}{d.path}",
            }
            for d in downloads()
        ],
    }
    if updated is not None:
        data["dateModified"] = updated.date().isoformat()
    return data
