"""Leichte Sprache: a section of short pages, one topic each (linked from every page footer).

The pages are German by nature (Leichte Sprache is a set of rules for German); on English pages the text is
marked ``lang="de"`` so screen readers pronounce it correctly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from app.page_cache import CachedPage
from app.templating import render

router = APIRouter(dependencies=[CachedPage])


@dataclass(frozen=True)
class EasyPage:
    path: str
    title: str  # German, short (shown in the section's menu)
    template: str


EASY_PAGES: tuple[EasyPage, ...] = (
    EasyPage("/leichte-sprache", "Was ist der Familien-Wegweiser?", "public/leichte_sprache/start.html"),
    EasyPage("/leichte-sprache/suchen", "So suchen Sie ein Angebot", "public/leichte_sprache/suchen.html"),
    EasyPage("/leichte-sprache/hilfe-sofort", "Hilfe sofort", "public/leichte_sprache/hilfe_sofort.html"),
    EasyPage(
        "/leichte-sprache/geld-fuer-projekte",
        "Geld vom Land für Familien-Projekte",
        "public/leichte_sprache/geld.html",
    ),
    EasyPage("/leichte-sprache/kontakt", "Kontakt", "public/leichte_sprache/kontakt.html"),
)


def _view(page: EasyPage) -> Callable[[Request], HTMLResponse]:
    def view(request: Request) -> HTMLResponse:
        return render(request, page.template, {"easy_pages": EASY_PAGES, "easy_page": page})

    return view


for _page in EASY_PAGES:
    router.add_api_route(_page.path, _view(_page), methods=["GET"], response_class=HTMLResponse)
