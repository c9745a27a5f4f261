"""``/anbieter/bestaetigen``: the page the verification-reminder mail links to – every overdue entry of the
Träger on one page, confirmed as unchanged with one button (changes go through the normal edit forms)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.responses import Response

from app.admin.reports import StaleTraeger, stale_entries
from app.auth.deps import CurrentProvider
from app.auth.private_route import PrivateRoute
from app.csrf import verify_csrf
from app.deps import SessionDep
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


# Its button posts to POST /anbieter/bestaetigen (app/provider/views.py: confirm_all), the dashboard's
# „Alle unverändert bestätigen“ – one place confirms a Träger's entries.
