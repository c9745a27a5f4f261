"""Admin area ``/verwaltung``: audit log, entries overdue for verification, feedback from the public."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app import downloads
from app.admin import reports
from app.audit.service import record_by
from app.auth.deps import CurrentAdmin
from app.catalogue.values import ParseError, parse_date
from app.deps import SessionDep, or_404
from app.feedback.models import Feedback
from app.feedback.service import purge_old_reports
from app.templating import render

router = APIRouter()
PAGE_SIZE = 100


# --- audit log -------------------------------------------------------------------------------------------


def _audit_filter(request: Request) -> tuple[reports.AuditFilter, dict[str, str]]:
    params = request.query_params
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for name in ("von", "bis"):
        try:
            dates[name] = parse_date(params.get(name, "")[:40])
        except ParseError as exc:
            errors[name] = str(exc)
            dates[name] = None
    flt = reports.AuditFilter(
        source=params.get("quelle", "")[:20],
        entity_type=params.get("typ", "")[:30],
        entity_id=params.get("id", "").strip()[:60],
        actor=params.get("wer", "").strip()[:200],
        von=dates["von"],
        bis=dates["bis"],
    )
    return flt, errors


@router.get("/protokoll")
def audit_log(request: Request, session: SessionDep, user: CurrentAdmin, seite: int = 1) -> Response:
    flt, errors = _audit_filter(request)
    seite = max(1, min(seite, 100_000))
    total = reports.audit_count(session, flt)
    entries = reports.audit_entries(session, flt, limit=PAGE_SIZE, offset=(seite - 1) * PAGE_SIZE)
    query = request.url.query
    base = [(k, v) for k, v in request.query_params.multi_items() if k != "seite"]
    pages = max(1, -(-total // PAGE_SIZE))

    def page_link(n: int) -> str:
        return "/verwaltung/protokoll?" + urlencode([*base, ("seite", str(n))])

    context = {
        "user": user,
        "entries": entries,
        "total": total,
        "seite": seite,
        "pages": pages,
        "prev_link": page_link(seite - 1) if seite > 1 else "",
        "next_link": page_link(seite + 1) if seite < pages else "",
        "params": request.query_params,
        "errors": errors,
        "csv_link": "/verwaltung/protokoll.csv" + (f"?{query}" if query else ""),
    }
    return render(request, "admin/audit.html", context, status_code=400 if errors else 200)


@router.get("/protokoll.csv")
def audit_csv(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    flt, errors = _audit_filter(request)
    if errors:
        raise HTTPException(status_code=400, detail="; ".join(errors.values()))
    entries = reports.audit_entries(session, flt, limit=200_000)
    body = reports.csv_bytes(reports.AUDIT_CSV_HEADER, reports.audit_csv_rows(entries))
    return downloads.attachment(body, "aenderungsprotokoll.csv", downloads.CSV)


# --- overdue verification --------------------------------------------------------------------------------


@router.get("/ungeprueft")
def stale(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    return render(request, "admin/stale.html", {"user": user, "items": reports.stale_entries(session)})


@router.get("/ungeprueft.csv")
def stale_csv(session: SessionDep, user: CurrentAdmin) -> Response:
    body = reports.csv_bytes(reports.STALE_CSV_HEADER, reports.stale_csv_rows(reports.stale_entries(session)))
    return downloads.attachment(body, "pruefung-faellig-serienbrief.csv", downloads.CSV)


# --- feedback --------------------------------------------------------------------------------------------


@router.get("/rueckmeldungen")
def feedback_page(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    purge_old_reports(session)
    context = {
        "user": user,
        "totals": reports.feedback_totals(session),
        "by_offer": reports.feedback_by_offer(session),
        "reports": reports.error_reports(session),
    }
    return render(request, "admin/feedback.html", context)


@router.post("/rueckmeldungen/{feedback_id}/loeschen")
def delete_feedback(session: SessionDep, user: CurrentAdmin, feedback_id: int) -> Response:
    feedback = or_404(session.get(Feedback, feedback_id))
    session.delete(feedback)
    record_by(session, user, action="delete", entity_type="rueckmeldung", entity_id=str(feedback_id))
    return RedirectResponse("/verwaltung/rueckmeldungen?geloescht=1", status_code=303)
