"""``/api/hsds``: the catalogue as Open Referral HSDS 3.0, read-only, paginated as HSDS' OpenAPI describes."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import downloads
from app.api.problems import Problem
from app.catalogue.models import Angebot, Einrichtung, Traeger
from app.deps import SessionDep, SettingsDep, or_404
from app.opendata.hsds import mapping as m
from app.opendata.hsds import queries as q
from app.opendata.hsds.export import build_export_zip, export_fingerprint

router = APIRouter(prefix="/api/hsds", tags=["HSDS 3.0 (Open Referral)"])

T = TypeVar("T")
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000

PageParam = Annotated[int, Query(ge=1, le=100_000, description="Seitennummer (ab 1).", examples=[1])]
PerPageParam = Annotated[
    int, Query(ge=1, le=MAX_PER_PAGE, description="Einträge je Seite (höchstens 1000).", examples=[50])
]
SearchParam = Annotated[
    str | None, Query(max_length=200, description="Volltextsuche (Umlaute egal).", examples=["Krabbelgruppe"])
]
FullParam = Annotated[bool, Query(description="Vollständig verschachtelte Objekte liefern.")]
FormatParam = Annotated[Literal["json"], Query(description="Nur `json` wird unterstützt.", examples=["json"])]
TermParam = Annotated[str | None, Query(description="Nur mit diesem Taxonomie-Begriff (UUID).")]
TaxonomyParam = Annotated[str | None, Query(description="Nur mit Begriffen dieser Taxonomie (UUID).")]
OrganizationParam = Annotated[str | None, Query(description="Nur von dieser Organisation (UUID).")]
ModifiedParam = Annotated[
    datetime | None,
    Query(description="Nur seit diesem Zeitpunkt geändert (ISO 8601).", examples=["2025-01-01T00:00:00Z"]),
]

_EXPORT_LOCK = threading.Lock()
SERVICE_EXAMPLE = {
    "id": m.hsds_id("service", "A-0042"),
    "organization_id": m.hsds_id("organization", "T-012"),
    "name": "Krabbelgruppe Zwergenland",
    "description": "Spielen, Singen und Austausch für Eltern mit Babys.",
    "url": "https://familienwegweiser.example.org/angebote/A-0042",
    "status": "active",
    "application_process": "Anmeldung erforderlich.",
    "fees_description": "kostenlos",
    "eligibility_description": "Eltern mit Babys und Kleinkindern (0–3 J.)",
    "minimum_age": 0,
    "maximum_age": 3,
    "assured_date": "2025-04-02",
    "last_modified": "2025-04-02T08:15:00.000Z",
}
PAGE_EXAMPLE = {
    "total_items": 1,
    "total_pages": 1,
    "page_number": 1,
    "size": 1,
    "first_page": True,
    "last_page": True,
    "empty": False,
    "contents": [SERVICE_EXAMPLE],
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "Kein öffentliches Objekt mit dieser ID.", "model": Problem}
}


def page_object(total: int, page: int, per_page: int, contents: list[Any]) -> dict[str, Any]:
    """HSDS' ``Page``: total_items, total_pages, page_number, size, first_page, last_page, empty, contents."""
    total_pages = math.ceil(total / per_page) if total else 0
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def paginate(items: Sequence[T], page: int, per_page: int, render: Callable[[T], Any]) -> dict[str, Any]:
    """One page of rows that are all loaded (small tables)."""
    chunk = items[(page - 1) * per_page : page * per_page]
    return page_object(len(items), page, per_page, [render(item) for item in chunk])


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@router.get("/", summary="Angaben zu dieser HSDS-Schnittstelle")
def meta(settings: SettingsDep) -> dict[str, str]:
    base = settings.base_url.rstrip("/")
    return {
        "version": m.HSDS_VERSION,
        "profile": f"{base}/daten#hsds",
        "openapi_url": f"{base}/api/openapi.json",
    }


@router.get(
    "/services",
    summary="Dienste (Angebote), seitenweise",
    description="Öffentliche Angebote als HSDS-`service`; mit `full=true` vollständig verschachtelt.",
    responses={
        200: {
            "description": "Eine Seite (HSDS `Page`)",
            "content": {"application/json": {"example": PAGE_EXAMPLE}},
        }
    },
)
def services(
    session: SessionDep,
    settings: SettingsDep,
    search: SearchParam = None,
    page: PageParam = 1,
    per_page: PerPageParam = DEFAULT_PER_PAGE,
    format: FormatParam = "json",
    taxonomy_term_id: TermParam = None,
    taxonomy_id: TaxonomyParam = None,
    organization_id: OrganizationParam = None,
    modified_after: ModifiedParam = None,
    minimal: Annotated[bool, Query(description="Nur `id` und `last_modified` je Dienst.")] = False,
    full: FullParam = False,
) -> dict[str, Any]:
    flt = q.ServiceFilter(search, organization_id, taxonomy_term_id, taxonomy_id, _utc(modified_after))
    base = settings.base_url

    def render(offer: Angebot) -> dict[str, Any]:
        if minimal:
            basic = m.service_basic(offer, base)
            return {"id": basic["id"], "last_modified": basic["last_modified"]}
        return m.service_full(offer, base) if full else m.service_basic(offer, base)

    return _offer_page(session, flt, page, per_page, render)


def _offer_page(
    session: Session,
    flt: q.ServiceFilter,
    page: int,
    per_page: int,
    render: Callable[[Angebot], dict[str, Any]],
) -> dict[str, Any]:
    """A page of offers: counted and paged in SQL, then only the page's own offers loaded and rendered."""
    total, chunk_ids = q.service_page(session, flt, page, per_page)
    offers = {a.external_id: a for a in q.load_offers(session, chunk_ids)}
    return page_object(total, page, per_page, [render(offers[i]) for i in chunk_ids])


@router.get("/services/{id}", summary="Ein Dienst, vollständig verschachtelt", responses=NOT_FOUND)
def service(id: str, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    offer = or_404(q.find_offer(session, "service", id), "Kein öffentliches Angebot mit dieser ID.")
    return m.service_full(offer, settings.base_url)


@router.get("/service_at_locations", summary="Dienste an Orten, seitenweise")
def service_at_locations(
    session: SessionDep,
    settings: SettingsDep,
    search: SearchParam = None,
    taxonomy_term_id: TermParam = None,
    taxonomy_id: TaxonomyParam = None,
    organization_id: OrganizationParam = None,
    modified_after: ModifiedParam = None,
    full: FullParam = False,
    page: PageParam = 1,
    per_page: PerPageParam = DEFAULT_PER_PAGE,
    format: FormatParam = "json",
    postcode: Annotated[str | None, Query(max_length=10, description="Nur an Orten mit dieser PLZ.")] = None,
    proximity: Annotated[str | None, Query(description="Wird nicht unterstützt und ignoriert.")] = None,
) -> dict[str, Any]:
    flt = q.ServiceFilter(
        search, organization_id, taxonomy_term_id, taxonomy_id, _utc(modified_after), postcode=postcode
    )
    base = settings.base_url

    def render(offer: Angebot) -> dict[str, Any]:
        if full:
            return m.service_at_location_full(offer, base)
        return m.service_at_location_basic(offer, base) | {
            "location": m.location_basic(offer.einrichtung, base),
            "service": m.service_basic(offer, base),
        }

    return _offer_page(session, flt, page, per_page, render)


@router.get(
    "/service_at_locations/{id}",
    summary="Ein Dienst an einem Ort, vollständig verschachtelt",
    responses=NOT_FOUND,
)
def service_at_location(id: str, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    offer = or_404(
        q.find_offer(session, "service_at_location", id), "Kein öffentliches Angebot mit dieser ID."
    )
    obj = m.service_at_location_full(offer, settings.base_url)
    obj["service"] = m.service_basic(offer, settings.base_url)
    return obj


@router.get("/organizations", summary="Organisationen (Träger), seitenweise")
def organizations(
    session: SessionDep,
    settings: SettingsDep,
    search: SearchParam = None,
    full_service: Annotated[bool, Query(description="Dienste vollständig verschachtelt einbetten.")] = False,
    full: FullParam = False,
    page: PageParam = 1,
    per_page: PerPageParam = DEFAULT_PER_PAGE,
    format: FormatParam = "json",
) -> dict[str, Any]:
    rows = q.public_organizations(session, search)
    chunk = rows[(page - 1) * per_page : page * per_page]
    if not (full or full_service):
        return paginate(rows, page, per_page, lambda t: m.organization_basic(t, settings.base_url))
    locations = q.public_locations(session, [t.id for t in chunk if t.id is not None])
    contents = [_organization_full(session, settings.base_url, t, locations, full_service) for t in chunk]
    return page_object(len(rows), page, per_page, contents)


def _organization_full(
    session: Session, base: str, traeger: Traeger, locations: Sequence[Einrichtung], full_service: bool
) -> dict[str, Any]:
    offers = q.public_offers_of(session, traeger)
    # Without full_service HSDS allows a minimal service entry (id, name, status).
    services = [
        m.service_full(a, base)
        if full_service
        else {k: v for k, v in m.service_basic(a, base).items() if k in ("id", "name", "status")}
        for a in offers
    ]
    own = [m.location_full(e, base) for e in locations if e.traeger_id == traeger.id]
    return m.organization_full(traeger, own, base, services)


@router.get("/organizations/{id}", summary="Eine Organisation mit Orten und Diensten", responses=NOT_FOUND)
def organization(
    id: str,
    session: SessionDep,
    settings: SettingsDep,
    full_service: Annotated[bool, Query(description="Dienste vollständig verschachtelt einbetten.")] = False,
) -> dict[str, Any]:
    for traeger in q.public_organizations(session):
        if m.hsds_id("organization", traeger.external_id) == id:
            locations = q.public_locations(session, [traeger.id or 0])
            return _organization_full(session, settings.base_url, traeger, locations, full_service)
    raise HTTPException(status_code=404, detail="Keine öffentliche Organisation mit dieser ID.")


@router.get("/locations", summary="Orte (Einrichtungen), seitenweise")
def locations(
    session: SessionDep,
    settings: SettingsDep,
    search: SearchParam = None,
    full: FullParam = False,
    page: PageParam = 1,
    per_page: PerPageParam = DEFAULT_PER_PAGE,
    format: FormatParam = "json",
) -> dict[str, Any]:
    rows = q.public_locations(session)
    if search:
        rows = [e for e in rows if q.matches(search, e.name, e.beschreibung, e.ortsteil.name)]
    render = m.location_full if full else m.location_basic
    return paginate(rows, page, per_page, lambda e: render(e, settings.base_url))


@router.get("/locations/{id}", summary="Ein Ort mit Adresse, Barrierefreiheit, Sprachen", responses=NOT_FOUND)
def location(id: str, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    for einrichtung in q.public_locations(session):
        if m.hsds_id("location", einrichtung.external_id) == id:
            return m.location_full(einrichtung, settings.base_url)
    raise HTTPException(status_code=404, detail="Kein öffentlicher Ort mit dieser ID.")


@router.get("/taxonomies", summary="Taxonomien (eine eigene: Familienwegweiser Jena)")
def taxonomies(
    settings: SettingsDep,
    search: SearchParam = None,
    page: PageParam = 1,
    per_page: PerPageParam = DEFAULT_PER_PAGE,
    format: FormatParam = "json",
) -> dict[str, Any]:
    rows = [m.taxonomy(settings.base_url)]
    if search:
        rows = [t for t in rows if q.matches(search, t["name"], t["description"])]
    return paginate(rows, page, per_page, lambda t: t)


@router.get("/taxonomies/{id}", summary="Eine Taxonomie", responses=NOT_FOUND)
def taxonomy(id: str, settings: SettingsDep) -> dict[str, Any]:
    if id != m.taxonomy_id():
        raise HTTPException(status_code=404, detail="Keine Taxonomie mit dieser ID.")
    return m.taxonomy(settings.base_url)


@router.get("/taxonomy_terms", summary="Taxonomie-Begriffe (Zielgruppen, Themen, Handlungsfelder)")
def taxonomy_terms(
    session: SessionDep,
    settings: SettingsDep,
    search: SearchParam = None,
    page: PageParam = 1,
    per_page: PerPageParam = DEFAULT_PER_PAGE,
    format: FormatParam = "json",
    taxonomy_id: TaxonomyParam = None,
    top_only: Annotated[bool, Query(description="Nur Begriffe der obersten Ebene.")] = False,
    parent_id: Annotated[str | None, Query(description="Nur Unterbegriffe dieses Begriffs (UUID).")] = None,
) -> dict[str, Any]:
    rows = m.all_terms(q.vocabulary_terms(session), settings.base_url)
    if taxonomy_id is not None:
        rows = [t for t in rows if t["taxonomy_id"] == taxonomy_id]
    if top_only:
        rows = [t for t in rows if "parent_id" not in t]
    if parent_id is not None:
        rows = [t for t in rows if t.get("parent_id") == parent_id]
    if search:
        rows = [t for t in rows if q.matches(search, t["name"], t["description"], t["code"])]
    return paginate(rows, page, per_page, lambda t: t)


@router.get("/taxonomy_terms/{id}", summary="Ein Taxonomie-Begriff", responses=NOT_FOUND)
def taxonomy_term(id: str, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    for term in m.all_terms(q.vocabulary_terms(session), settings.base_url):
        if term["id"] == id:
            return term | {"taxonomy_detail": m.taxonomy(settings.base_url)}
    raise HTTPException(status_code=404, detail="Kein Taxonomie-Begriff mit dieser ID.")


@router.get(
    "/export.zip",
    summary="Gesamtexport (JSON und CSV nach HSDS 3.0)",
    response_class=Response,
    responses={
        200: {"content": {"application/zip": {}}, "description": "ZIP mit json/, csv/, datapackage.json"},
        304: {"description": "Unverändert seit dem ETag aus If-None-Match"},
    },
)
def export_zip(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    # Building it takes seconds at 10,000 offers: keep the last one per worker, valid while the
    # catalogue's fingerprint (checked in the database on every request) is unchanged.
    # The lock makes concurrent first requests wait for one build instead of each building its own.
    fingerprint = export_fingerprint(session, settings)
    # Harvesters that fetch nightly send the ETag back and get a 304 while nothing changed.
    etag = f'"{fingerprint[:32]}"'
    caching = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=caching)
    with _EXPORT_LOCK:
        cached = getattr(request.app.state, "hsds_export", None)
        if cached is not None and cached[0] == fingerprint:
            data = cached[1]
        else:
            data = build_export_zip(session, settings)
            request.app.state.hsds_export = (fingerprint, data)
    return downloads.attachment(data, "familienwegweiser-jena-hsds.zip", "application/zip", caching)
