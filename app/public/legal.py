"""Legal pages (Impressum, Datenschutz, Barrierefreiheit), robots.txt and sitemap.xml."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from app.catalogue import vocab
from app.deps import SessionDep, SettingsDep
from app.page_cache import CachedPage
from app.public import queries
from app.public.easy_pages import EASY_PAGES
from app.templating import render

router = APIRouter(dependencies=[CachedPage])

LEGAL_PAGES = {
    "/impressum": "public/legal/impressum.html",
    "/datenschutz": "public/legal/datenschutz.html",
    "/barrierefreiheit": "public/legal/barrierefreiheit.html",
}
# Public pages of other areas (funding transparency, open data).
OTHER_PUBLIC_PAGES = ("/foerderung", "/daten", "/api/docs")
# Everything a family may reach; provider, admin and export areas stay out of search engines.
DISALLOWED = ("/anbieter", "/admin", "/anmelden", "/api/")


def _legal_view(template: str) -> Callable[[Request], HTMLResponse]:
    def view(request: Request) -> HTMLResponse:
        return render(request, template)

    return view


for _path, _template in LEGAL_PAGES.items():
    router.add_api_route(_path, _legal_view(_template), methods=["GET"], response_class=HTMLResponse)


@router.get("/robots.txt", response_class=PlainTextResponse)
def robots(settings: SettingsDep) -> PlainTextResponse:
    lines = [
        "User-agent: *",
        *(f"Disallow: {p}" for p in DISALLOWED),
        f"Sitemap: {settings.base_url}/sitemap.xml",
    ]
    return PlainTextResponse("\n".join(lines) + "\n")


@router.get("/sitemap.xml")
def sitemap(session: SessionDep, settings: SettingsDep) -> Response:
    paths = ["/", "/angebote", "/stadtteile", "/themen", "/zielgruppen", *LEGAL_PAGES, *OTHER_PUBLIC_PAGES]
    paths += [p.path for p in EASY_PAGES]
    paths += [f"/stadtteile/{slug}" for slug in queries.ortsteil_slugs(session)]
    paths += [f"/themen/{t.code}" for t in vocab.THEMEN]
    paths += [f"/zielgruppen/{t.code}" for t in vocab.ZIELGRUPPEN]
    paths += [f"/einrichtungen/{quote(i)}" for i in queries.published_institution_ids(session)]
    paths += [f"/angebote/{quote(i)}" for i in queries.public_offer_ids(session)]
    paths += [f"/foerderung/traeger/{quote(i)}" for i in queries.funded_traeger_ids(session)]
    paths += [f"/foerderung/projekte/{quote(i)}" for i in queries.published_grant_ids(session)]
    urls = "".join(f"<url><loc>{escape(settings.base_url + p)}</loc></url>\n" for p in paths)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    )
    return Response(body, media_type="application/xml")
