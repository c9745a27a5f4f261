"""The cube on ``/planung``: query parameters → a pivot view, and ``/planung/wuerfel.csv``."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Query
from sqlmodel import Session
from starlette.responses import Response

from app import downloads
from app.deps import SessionDep
from app.i18n import N_
from app.i18n import gettext as _
from app.planning.cube import build_cube, funding_years
from app.planning.pivot import VIEWS, View, cube_csv, pivot

router = APIRouter()


VIEW_LABELS: dict[View, str] = {
    "ortsteil-zielgruppe": N_("Ortsteil × Zielgruppe"),
    "ortsteil-handlungsfeld": N_("Ortsteil × Handlungsfeld"),
    "zielgruppe-handlungsfeld": N_("Zielgruppe × Handlungsfeld"),
}


@dataclass
class CubeRequest:
    view: View = "ortsteil-zielgruppe"
    hf: int | None = None
    zielgruppe: str | None = None
    ortsteil: str | None = None
    jahr: int | None = None
    errors: list[str] = field(default_factory=list)


def _known(params: Any, name: str, known: Container[str], error: str, errors: list[str]) -> str | None:
    """An optional filter: empty is none, a known value is taken, anything else is an error."""
    value = (params.get(name) or "").strip()
    if value and value not in known:
        errors.append(error)
        return None
    return value or None


def read_request(params: Any, years: list[int], zielgruppen: set[str], ortsteile: set[str]) -> CubeRequest:
    """Unknown values are errors (400), never silently ignored."""
    out = CubeRequest()
    view = (params.get("ansicht") or "ortsteil-zielgruppe").strip()
    if view in VIEWS:
        out.view = view
    else:
        out.errors.append(_("Unbekannte Ansicht des Würfels."))
    hf = _known(params, "hf", {"1", "2", "3", "4", "5", "6"}, _("Handlungsfeld 1 bis 6 wählen."), out.errors)
    out.hf = int(hf) if hf else None
    out.zielgruppe = _known(params, "zielgruppe", zielgruppen, _("Unbekannte Zielgruppe."), out.errors)
    out.ortsteil = _known(params, "ortsteil", ortsteile, _("Unbekannter Ortsteil."), out.errors)
    jahr = (params.get("jahr") or "").strip()
    if jahr:
        if jahr.isdigit() and int(jahr) in years:
            out.jahr = int(jahr)
        else:
            out.errors.append(_("Für dieses Jahr gibt es keine Förderungen."))
    elif years:
        out.jahr = years[0]
    return out


def cube_context(session: Session, params: Any) -> dict[str, Any]:
    years = funding_years(session)
    cube = build_cube(session, None)
    request = read_request(params, years, {c for c, _ in cube.zielgruppen}, {o.slug for o in cube.ortsteile})
    if request.errors:
        return {"cube_errors": request.errors, "cube_request": request, "cube_years": years, "cube": cube,
                "view_labels": VIEW_LABELS}  # fmt: skip
    cube = build_cube(session, request.jahr)
    return {
        "cube": cube,
        "cube_request": request,
        "cube_years": years,
        "view_labels": VIEW_LABELS,
        "pivot": pivot(
            cube, request.view, hf=request.hf, zielgruppe=request.zielgruppe, ortsteil=request.ortsteil
        ),
    }


@router.get("/planung/wuerfel.csv", include_in_schema=False)
def cube_download(session: SessionDep, jahr: int | None = Query(None, ge=1990, le=2100)) -> Response:
    years = funding_years(session)
    if jahr is not None and jahr not in years:
        return Response(
            _("Für dieses Jahr gibt es keine Förderungen."),
            status_code=400,
            media_type="text/plain; charset=utf-8",
        )
    chosen = jahr if jahr is not None else (years[0] if years else None)
    body = cube_csv(build_cube(session, chosen))
    return downloads.attachment(body, f"planungswuerfel-{chosen or 'ohne-jahr'}.csv", downloads.CSV)
