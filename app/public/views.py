"""Public pages families use: start page, offer and institution details, districts, topics, target groups.

The results page lives in ``results.py``; legal pages, robots.txt and sitemap.xml in ``legal.py``.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import HTMLResponse

from app.catalogue import service
from app.catalogue.vocab import Status
from app.deps import SessionDep, SettingsDep, districts_of, or_404
from app.page_cache import CachedPage
from app.public import cards, display, easy, jsonld, queries
from app.public.easy_pages import router as easy_router
from app.public.legal import router as legal_router
from app.public.life_situations import LIFE_SITUATIONS
from app.public.results import PAGE_PARAMS
from app.public.results import router as results_router
from app.templating import env, render

env.globals.update(
    display.TEMPLATE_HELPERS,
    card_view=cards.card_view,
)

router = APIRouter(dependencies=[CachedPage])
router.include_router(results_router)
router.include_router(legal_router)
router.include_router(easy_router)


@router.get("/", response_class=HTMLResponse)
def start(request: Request, session: SessionDep) -> HTMLResponse:
    return render(
        request,
        "public/start.html",
        {
            "offer_count": service.count_public_offers(session),
            "institution_count": service.count_public_institutions(session),
            "life_situations": LIFE_SITUATIONS,
            "districts": districts_of(request, session).by_planungsraum,
        },
    )


@router.get("/angebote/{external_id}", response_class=HTMLResponse)
def offer_detail(
    request: Request, session: SessionDep, settings: SettingsDep, external_id: str
) -> HTMLResponse:
    offer = or_404(service.get_published_offer(session, external_id))
    if service.is_expired(offer):
        # Past "Gültig bis": gone for good; point to similar offers instead of a bare error.
        return render(
            request,
            "public/offer_gone.html",
            {"offer": offer, "similar": queries.similar_offers(session, offer)},
            status_code=410,
        )
    place = offer.einrichtung
    moved_to = place.nachfolger if place.status == Status.umgezogen else None
    return render(
        request,
        "public/offer_detail.html",
        {
            "offer": offer,
            "place": place,
            "status": service.effective_status(offer),
            "moved_to": moved_to,
            "ortsteile": service.offer_ortsteile(offer),
            "sprachen": service.offer_sprachen(offer),
            "barrierefrei": service.offer_barrierefrei(offer),
            "barrierefrei_hinweis": offer.barrierefrei_hinweis or place.barrierefrei_hinweis,
            "page_url": f"{settings.base_url}/angebote/{offer.external_id}",
            "similar": queries.similar_offers(session, offer, limit=3),
            "json_ld": jsonld.script_block(jsonld.offer_service(offer, settings.base_url)),
            "back_url": cards.back_url(request.query_params.get(cards.BACK_PARAM), PAGE_PARAMS),
            "stale": cards.is_stale(offer),
            "verified": cards.verified_on(offer),
            "easy_summary": easy.easy_summary(offer),
        },
    )


@router.get("/einrichtungen/{external_id}", response_class=HTMLResponse)
def institution_detail(
    request: Request, session: SessionDep, settings: SettingsDep, external_id: str
) -> HTMLResponse:
    place = queries.get_institution(session, external_id)
    if place is None or not place.published:
        raise HTTPException(status_code=404)
    return render(
        request,
        "public/institution_detail.html",
        {
            "place": place,
            "offers": queries.institution_offers(session, place),
            "moved_to": place.nachfolger if place.status == Status.umgezogen else None,
            "page_url": f"{settings.base_url}/einrichtungen/{place.external_id}",
            "json_ld": jsonld.script_block(jsonld.institution_place(place, settings.base_url)),
        },
    )


@router.get("/stadtteile", response_class=HTMLResponse)
def district_index(request: Request, session: SessionDep) -> HTMLResponse:
    return render(
        request, "public/district_index.html", {"districts": districts_of(request, session).by_planungsraum}
    )


@router.get("/stadtteile/{slug}", response_class=HTMLResponse)
def district_page(request: Request, session: SessionDep, slug: str) -> HTMLResponse:
    ortsteil = or_404(queries.get_ortsteil(session, slug))
    return render(
        request,
        "public/district.html",
        {
            "ortsteil": ortsteil,
            "offers": queries.offers_in_ortsteil(session, ortsteil),
            "citywide": queries.citywide_offers_for(session, ortsteil),
            "institutions": queries.institutions_in_ortsteil(session, ortsteil),
            "neighbours": queries.neighbours(session, ortsteil),
        },
    )


@router.get("/themen", response_class=HTMLResponse)
def topic_index(request: Request) -> HTMLResponse:
    return render(request, "public/term_index.html", {"kind": "thema", "terms": display.terms("thema")})


@router.get("/themen/{code}", response_class=HTMLResponse)
def topic_page(request: Request, session: SessionDep, code: str) -> HTMLResponse:
    return _term_page(request, session, "thema", code)


@router.get("/zielgruppen", response_class=HTMLResponse)
def audience_index(request: Request) -> HTMLResponse:
    return render(
        request, "public/term_index.html", {"kind": "zielgruppe", "terms": display.terms("zielgruppe")}
    )


@router.get("/zielgruppen/{code}", response_class=HTMLResponse)
def audience_page(request: Request, session: SessionDep, code: str) -> HTMLResponse:
    return _term_page(request, session, "zielgruppe", code)


def _term_page(request: Request, session: SessionDep, kind: str, code: str) -> HTMLResponse:
    """The offers with one Thema or Zielgruppe (``kind``); 404 for a code that is neither."""
    if code not in {t.code for t in display.terms(kind)}:
        raise HTTPException(status_code=404)
    offers = queries.offers_with(session, **{kind: code})
    return render(request, "public/term.html", {"kind": kind, "code": code, "offers": offers})
