"""Träger side ``/anbieter/qualitaet``: Qualitätsberichte of own funded projects, users' comments on them,
error reports on own entries with status and reply.

Every record is loaded through the provider's own Träger: another Träger's ids answer 404 and change nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.deps import CurrentProvider
from app.auth.models import UserAccount
from app.auth.private_route import PrivateRoute
from app.catalogue.editing import Raw, read_form
from app.catalogue.models import Foerderung
from app.csrf import verify_csrf
from app.deps import SessionDep, or_404
from app.quality import evaluation, handling
from app.quality import service as quality
from app.quality.models import BerichtStatus
from app.templating import render

router = APIRouter(
    prefix="/anbieter/qualitaet", dependencies=[Depends(verify_csrf)], route_class=PrivateRoute
)
FormData = Annotated[dict[str, Raw], Depends(read_form)]


def _grant(session: SessionDep, user: UserAccount, external_id: str) -> Foerderung:
    return or_404(quality.own_grant(session, user.traeger_id, external_id))


@router.get("")
def overview(request: Request, session: SessionDep, user: CurrentProvider, gespeichert: str = "") -> Response:
    assert user.traeger_id is not None
    grants = quality.traeger_grants(session, user.traeger_id)
    rows = []
    for g in grants:
        assert g.id is not None
        report = quality.latest(session, g.id)
        rows.append(
            {
                "grant": g,
                "report": report,
                "status": quality.report_status(report, None),
                "due": quality.due_date(session, g.jahr),
                "aggregate": evaluation.aggregate(session, quality.offer_ids(g)),
                "comments": evaluation.comments(session, quality.offer_ids(g)),
            }
        )
    reports = handling.traeger_reports(session, user.traeger_id)
    return render(
        request,
        "quality/provider_overview.html",
        {
            "user": user,
            "rows": rows,
            "reports": reports,
            "status_labels": handling.STATUS_LABELS,
            "assignee_labels": handling.ASSIGNEE_LABELS,
            "report_status_labels": quality.STATUS_LABELS,
            "format_aggregate": evaluation.format_aggregate,
            "message": gespeichert,
        },
    )


def _report_page(
    request: Request,
    session: SessionDep,
    user: UserAccount,
    grant: Foerderung,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    assert grant.id is not None
    all_versions = quality.versions(session, grant.id)
    current = all_versions[-1] if all_versions else None
    inds = quality.indicators(session, handlungsfeld=grant.handlungsfeld_number, jahr=grant.jahr)
    editable = current is None or current.status == BerichtStatus.entwurf
    return render(
        request,
        "quality/report_form.html",
        {
            "user": user,
            "grant": grant,
            "current": current,
            "versions": all_versions,
            "indicators": inds,
            "indicator_rows": quality.indicator_rows(inds, current),
            "values": values if values is not None else quality.report_form_values(current),
            "errors": errors or {},
            "error": error,
            "editable": editable,
            "due": quality.due_date(session, grant.jahr),
            "comments": evaluation.comments(session, quality.offer_ids(grant)),
        },
        status_code=status_code,
    )


@router.get("/{external_id}")
def report_form(request: Request, session: SessionDep, user: CurrentProvider, external_id: str) -> Response:
    return _report_page(request, session, user, _grant(session, user, external_id))


@router.post("/{external_id}")
def save_report(
    request: Request, session: SessionDep, user: CurrentProvider, external_id: str, form: FormData
) -> Response:
    grant = _grant(session, user, external_id)
    inds = quality.indicators(session, handlungsfeld=grant.handlungsfeld_number, jahr=grant.jahr)
    text_form = {k: v if isinstance(v, str) else " ".join(v) for k, v in form.items()}
    parsed = quality.read_report_form(text_form, inds)
    if parsed.errors:
        return _report_page(
            request, session, user, grant, values=text_form, errors=parsed.errors, status_code=400
        )
    try:
        quality.save_draft(session, grant=grant, values=parsed.values, user=user)
        if text_form.get("aktion") == "einreichen":
            quality.submit_report(session, grant=grant, user=user)
    except quality.QualityError as exc:
        return _report_page(request, session, user, grant, values=text_form, error=str(exc), status_code=409)
    done = "eingereicht" if text_form.get("aktion") == "einreichen" else "entwurf"
    return RedirectResponse(f"/anbieter/qualitaet/{grant.external_id}?gespeichert={done}", status_code=303)


@router.post("/{external_id}/korrektur")
def start_correction(
    request: Request,
    session: SessionDep,
    user: CurrentProvider,
    external_id: str,
    grund: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    grant = _grant(session, user, external_id)
    try:
        quality.start_correction(session, grant=grant, user=user, reason=grund)
    except quality.QualityError as exc:
        return _report_page(request, session, user, grant, error=str(exc), status_code=409)
    return RedirectResponse(f"/anbieter/qualitaet/{grant.external_id}?gespeichert=korrektur", status_code=303)


@router.post("/meldungen/{feedback_id}")
def answer_report(
    request: Request,
    session: SessionDep,
    user: CurrentProvider,
    feedback_id: int,
    status: Annotated[str, Form(max_length=30)] = "",
    antwort: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    assert user.traeger_id is not None
    report = or_404(handling.own_report(session, user.traeger_id, feedback_id))
    try:
        handling.update(session, report=report, user=user, status=status or report.status, antwort=antwort)
    except handling.HandlingError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    return RedirectResponse(f"/anbieter/qualitaet?gespeichert=meldung#meldung-{feedback_id}", status_code=303)
