"""Admin area ``/verwaltung``: one router with CSRF and the admin check, one module per subject."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.admin import moderation, reports
from app.admin.views import accounts as accounts_views
from app.admin.views import imports as imports_views
from app.admin.views import moderation as moderation_views
from app.admin.views import reports as reports_views
from app.auth.deps import CurrentAdmin, require_admin
from app.auth.private_route import PrivateRoute
from app.csrf import verify_csrf
from app.deps import SessionDep
from app.templating import render

router = APIRouter(
    prefix="/verwaltung",
    dependencies=[Depends(verify_csrf), Depends(require_admin)],
    route_class=PrivateRoute,
)


@router.get("")
def overview(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    stale = reports.stale_entries(session)
    context = {
        "user": user,
        "open_drafts": len(moderation.open_drafts(session)),
        "feedback": reports.feedback_totals(session),
        "stale_traeger": len(stale),
        "stale_entries": sum(len(s.entries) for s in stale),
    }
    return render(request, "admin/overview.html", context)


for _module in (moderation_views, reports_views, accounts_views, imports_views):
    router.include_router(_module.router)
