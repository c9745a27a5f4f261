"""Public pages families use: start page, offer list, offer detail."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import HTMLResponse

from app.catalogue import service
from app.deps import SessionDep
from app.templating import render

router = APIRouter()
PAGE_SIZE = 50


@router.get("/", response_class=HTMLResponse)
def start(request: Request, session: SessionDep) -> HTMLResponse:
    return render(
        request,
        "public/start.html",
        {
            "offer_count": service.count_public_offers(session),
            "institution_count": service.count_public_institutions(session),
        },
    )


@router.get("/angebote", response_class=HTMLResponse)
def offer_list(request: Request, session: SessionDep, seite: int = Query(1, ge=1, le=10_000)) -> HTMLResponse:
    total = service.count_public_offers(session)
    offers = service.list_public_offers(session, limit=PAGE_SIZE, offset=(seite - 1) * PAGE_SIZE)
    return render(
        request,
        "public/offer_list.html",
        {"offers": offers, "total": total, "page": seite, "pages": max(1, -(-total // PAGE_SIZE))},
    )


@router.get("/angebote/{external_id}", response_class=HTMLResponse)
def offer_detail(request: Request, session: SessionDep, external_id: str) -> HTMLResponse:
    offer = service.get_offer(session, external_id)
    if offer is None or not offer.published:
        raise HTTPException(status_code=404)
    return render(
        request,
        "public/offer_detail.html",
        {
            "offer": offer,
            "status": service.effective_status(offer),
            "ortsteile": service.offer_ortsteile(offer),
            "sprachen": service.offer_sprachen(offer),
        },
    )
