"""Admin area ``/verwaltung``: moderation queue: open drafts, approve and reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import select
from starlette.responses import Response

from app import search_sync
from app.admin import moderation
from app.auth.deps import CurrentAdmin
from app.auth.models import UserAccount
from app.catalogue.models import Traeger
from app.deps import SessionDep, or_404
from app.provider.models import Draft
from app.templating import render

router = APIRouter()
_MAX_REASON = 2000


# --- moderation ------------------------------------------------------------------------------------------


@router.get("/entwuerfe")
def queue(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    drafts = moderation.open_drafts(session)
    traeger = {t.id: t for t in session.exec(select(Traeger)).all()}
    context = {
        "user": user,
        "drafts": drafts,
        "decided": moderation.recent_decisions(session),
        "traeger": traeger,
        "index_behind": search_sync.pending_retries() > 0,
    }
    return render(request, "admin/queue.html", context)


def _draft(session: SessionDep, draft_id: int) -> Draft:
    return or_404(session.get(Draft, draft_id))


def _draft_page(
    request: Request,
    session: SessionDep,
    user: UserAccount,
    draft: Draft,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    einrichtung, angebot = moderation.draft_target(session, draft)
    context = {
        "user": user,
        "draft": draft,
        "einrichtung": einrichtung,
        "angebot": angebot,
        "traeger": session.get(Traeger, draft.traeger_id),
        "rows": moderation.diff_rows(session, draft),
        "error": error,
    }
    return render(request, "admin/draft.html", context, status_code=status)


@router.get("/entwuerfe/{draft_id}")
def show_draft(request: Request, session: SessionDep, user: CurrentAdmin, draft_id: int) -> Response:
    return _draft_page(request, session, user, _draft(session, draft_id))


@router.post("/entwuerfe/{draft_id}/freigeben")
def approve_draft(request: Request, session: SessionDep, user: CurrentAdmin, draft_id: int) -> Response:
    draft = _draft(session, draft_id)
    try:
        moderation.approve(session, draft=draft, admin=user)
    except moderation.ModerationError as exc:
        return _draft_page(request, session, user, draft, error=str(exc), status=409)
    return RedirectResponse("/verwaltung/entwuerfe?freigegeben=1", status_code=303)


@router.post("/entwuerfe/{draft_id}/ablehnen")
def reject_draft(
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    draft_id: int,
    begruendung: Annotated[str, Form(max_length=_MAX_REASON)] = "",
) -> Response:
    draft = _draft(session, draft_id)
    try:
        moderation.reject(session, draft=draft, admin=user, reason=begruendung)
    except moderation.ModerationError as exc:
        status = 409 if isinstance(exc, moderation.AlreadyDecided) else 400
        return _draft_page(request, session, user, draft, error=str(exc), status=status)
    return RedirectResponse("/verwaltung/entwuerfe?abgelehnt=1", status_code=303)
