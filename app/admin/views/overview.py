"""Admin area ``/verwaltung``: the start page with what needs attention."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from app.admin import moderation, reports
from app.auth.deps import CurrentAdmin
from app.deps import SessionDep
from app.templating import render


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
