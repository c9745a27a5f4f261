"""``/anbieter/bestaetigen``: the page the verification-reminder mail links to – every overdue entry of the
Träger on one page, confirmed as unchanged with one button (changes go through the normal edit forms)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.admin.reports import StaleTraeger, stale_entries
from app.auth.deps import CurrentProvider
from app.auth.private_route import PrivateRoute
from app.catalogue.models import Angebot, Einrichtung
from app.csrf import verify_csrf
from app.deps import SessionDep
from app.provider import service
from app.templating import render

router = APIRouter(prefix="/anbieter", dependencies=[Depends(verify_csrf)], route_class=PrivateRoute)


def _overdue(session: Session, traeger_id: int) -> StaleTraeger | None:
    return next((s for s in stale_entries(session) if s.traeger.id == traeger_id), None)


@router.get("/bestaetigen")
def confirm_page(request: Request, session: SessionDep, user: CurrentProvider) -> Response:
    overdue = _overdue(session, user.traeger_id)  # type: ignore[arg-type]
    return render(
        request, "provider/confirm.html", {"user": user, "entries": overdue.entries if overdue else []}
    )


@router.post("/bestaetigen")
def confirm_all(session: SessionDep, user: CurrentProvider) -> Response:
    overdue = _overdue(session, user.traeger_id)  # type: ignore[arg-type]
    target: Einrichtung | Angebot | None
    for kind, external_id, _name, _verified in overdue.entries if overdue else []:
        if kind == "Einrichtung":
            target = service.own_einrichtung(session, user.traeger_id, external_id)  # type: ignore[arg-type]
        else:
            target = service.own_angebot(session, user.traeger_id, external_id)  # type: ignore[arg-type]
        if target is not None:
            service.confirm_unchanged(session, user=user, target=target)
    return RedirectResponse("/anbieter?gespeichert=bestaetigt", status_code=303)
