"""Routes of the planning area: coverage matrix (page + CSV) and the freshness list."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, Response

from app import downloads
from app.catalogue import csv_safe
from app.deps import SessionDep
from app.i18n import gettext as _
from app.page_cache import CachedPage
from app.planning import service
from app.planning.cube_views import cube_context
from app.templating import render

router = APIRouter(dependencies=[CachedPage])

DIMENSION_LABELS = {
    "zielgruppen": "Zielgruppen",
    "themen": "Themen",
    "handlungsfelder": "Handlungsfelder",
}


def _dimension(value: str | None) -> service.Dimension | None:
    text = (value or "zielgruppen").strip()
    for dimension in service.DIMENSIONS:
        if dimension == text:
            return dimension
    return None


def search_url(dimension: service.Dimension, slug: str | None, code: str) -> str:
    """The public search for one cell: ``/angebote?ortsteil=<slug>&zielgruppe=<code>``.

    The stadtweit row (``slug=None``) links the search without a district: the search has no "only
    stadtweit" filter, and its district filter always includes stadtweit offers.
    """
    params = {"ortsteil": slug} if slug else {}
    return "/angebote?" + urlencode({**params, service.SEARCH_PARAM[dimension]: code})


@router.get("/planung", response_class=HTMLResponse, include_in_schema=False)
def planning_page(
    request: Request, session: SessionDep, nach: str | None = Query(None, max_length=30)
) -> HTMLResponse:
    dimension = _dimension(nach)
    if dimension is None:
        return render(
            request,
            "planning/index.html",
            {
                "error": _("Unbekannte Ansicht – möglich sind Zielgruppen, Themen oder Handlungsfelder."),
                "dimension_labels": DIMENSION_LABELS,
                "dimension": "zielgruppen",
            },
            status_code=400,
        )
    today = date.today()
    cutoff, stale = service.freshness(session, today)
    cube = cube_context(session, request.query_params)
    return render(
        request,
        "planning/index.html",
        {
            **cube,
            "dimension": dimension,
            "dimension_labels": DIMENSION_LABELS,
            "matrix": service.coverage_matrix(session, dimension, today),
            "search_url": search_url,
            "cutoff": cutoff,
            "stale": stale,
            "stale_total": sum(r.total for r in stale),
        },
        status_code=400 if cube.get("cube_errors") else 200,
    )


@router.get("/planung/abdeckung.csv", include_in_schema=False)
def coverage_csv(session: SessionDep, nach: str | None = Query(None, max_length=30)) -> Response:
    """The matrix for Excel: ``;``, UTF-8 with BOM; one row per Ortsteil plus the stadtweit row."""
    dimension = _dimension(nach)
    if dimension is None:
        return Response(
            _("Unbekannte Ansicht – möglich sind Zielgruppen, Themen oder Handlungsfelder."),
            status_code=400,
            media_type="text/plain; charset=utf-8",
        )
    matrix = service.coverage_matrix(session, dimension)
    buffer = io.StringIO()
    writer = csv_safe.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Planungsraum", "Ortsteil", *[c.label for c in matrix.columns]])
    for group in matrix.groups:
        for row in group.rows:
            writer.writerow([group.name, row.name, *row.counts])
    writer.writerow(["", "stadtweit", *matrix.stadtweit.counts])
    body = buffer.getvalue().encode("utf-8-sig")
    return downloads.attachment(body, f"abdeckung-{dimension}.csv", downloads.CSV)
