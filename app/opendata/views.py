"""Routes of the opendata area: the „Daten“ page and the self-hosted API documentation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from app.catalogue.service import count_public_institutions, count_public_offers
from app.deps import SessionDep, SettingsDep
from app.opendata import api_docs
from app.opendata.service import dataset_json_ld, downloads, last_update
from app.page_cache import CachedPage
from app.templating import render

router = APIRouter(include_in_schema=False, dependencies=[CachedPage])


@router.get("/daten", response_class=HTMLResponse)
def daten(request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    updated = last_update(session)
    return render(
        request,
        "opendata/daten.html",
        {
            "downloads": downloads(),
            "updated": updated,
            "settings": settings,
            "offer_count": count_public_offers(session),
            "institution_count": count_public_institutions(session),
            "json_ld": dataset_json_ld(settings, updated),
        },
    )


@router.get("/api/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    document = request.app.openapi()
    return render(
        request,
        "opendata/api_docs.html",
        {"info": document.get("info", {}), "sections": api_docs.sections(document)},
    )
