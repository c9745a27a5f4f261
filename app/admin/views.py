"""Admin area ``/verwaltung``: moderation, audit log, accounts, overdue entries, feedback, workbook import."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlmodel import col, select
from starlette.responses import Response

from app import search_sync
from app.admin import imports, moderation, reports
from app.audit.service import record
from app.auth import service as accounts
from app.auth.deps import CurrentAdmin
from app.auth.models import Role, UserAccount
from app.auth.private_route import PrivateRoute
from app.auth.sessions import end_all_sessions
from app.auth.tokens import Purpose, make_link
from app.catalogue.models import ImportRun, Traeger
from app.csrf import verify_csrf
from app.deps import SessionDep, SettingsDep
from app.feedback.models import Feedback
from app.feedback.service import purge_old_reports
from app.i18n import gettext as _
from app.provider.models import Draft
from app.templating import render
from importers.columns import ParseError, parse_date
from importers.export import export_workbook
from importers.report import KIND_LABELS
from importers.sync import sync_workbook

router = APIRouter(prefix="/verwaltung", dependencies=[Depends(verify_csrf)], route_class=PrivateRoute)
PAGE_SIZE = 100
_MAX_REASON = 2000


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


# --- moderation -------------------------------------------------------------------------------------------


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
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise HTTPException(status_code=404)
    return draft


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
        return _draft_page(request, session, user, draft, error=str(exc), status=400)
    return RedirectResponse("/verwaltung/entwuerfe?abgelehnt=1", status_code=303)


# --- audit log --------------------------------------------------------------------------------------------


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
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="aenderungsprotokoll.csv"'},
    )


# --- overdue verification ---------------------------------------------------------------------------------


@router.get("/ungeprueft")
def stale(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    return render(request, "admin/stale.html", {"user": user, "items": reports.stale_entries(session)})


@router.get("/ungeprueft.csv")
def stale_csv(session: SessionDep, user: CurrentAdmin) -> Response:
    body = reports.csv_bytes(reports.STALE_CSV_HEADER, reports.stale_csv_rows(reports.stale_entries(session)))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="pruefung-faellig-serienbrief.csv"'},
    )


# --- accounts ---------------------------------------------------------------------------------------------


def _accounts_page(
    request: Request,
    session: SessionDep,
    user: UserAccount,
    *,
    link: str = "",
    link_for: str = "",
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    users = session.exec(select(UserAccount).order_by(UserAccount.role, UserAccount.email)).all()
    traeger = session.exec(select(Traeger).order_by(Traeger.name)).all()
    context = {
        "user": user,
        "users": users,
        "traeger_choices": [(t.external_id, f"{t.name} ({t.external_id})") for t in traeger],
        "traeger_by_id": {t.id: t for t in traeger},
        "link": link,
        "link_for": link_for,
        "errors": errors or {},
        "form": form or {},
    }
    return render(request, "admin/accounts.html", context, status_code=status)


@router.get("/konten")
def accounts_page(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    return _accounts_page(request, session, user)


@router.post("/konten/einladen")
def invite(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentAdmin,
    email: Annotated[str, Form(max_length=300)] = "",
    traeger: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    try:
        account = accounts.create_user(
            session, settings, email=email, role=Role.provider, traeger_external_id=traeger
        )
    except accounts.AccountError as exc:
        field = "traeger" if "Träger" in str(exc) else "email"
        return _accounts_page(
            request,
            session,
            user,
            errors={field: str(exc)},
            form={"email": email, "traeger": traeger},
            status=400,
        )
    record(session, actor=user.email, source="admin", action="invite", entity_type="konto",
           entity_id=account.email[:60], note=f"Träger {traeger}")  # fmt: skip
    link = make_link(settings, Purpose.invitation, account.id)  # type: ignore[arg-type]
    return _accounts_page(request, session, user, link=link, link_for=account.email)


def _account(session: SessionDep, account_id: int) -> UserAccount:
    account = session.get(UserAccount, account_id)
    if account is None:
        raise HTTPException(status_code=404)
    return account


@router.post("/konten/{account_id}/zuruecksetzen")
def reset_link(
    request: Request, session: SessionDep, settings: SettingsDep, user: CurrentAdmin, account_id: int
) -> Response:
    account = _account(session, account_id)
    record(session, actor=user.email, source="admin", action="reset-link", entity_type="konto",
           entity_id=account.email[:60])  # fmt: skip
    link = make_link(settings, Purpose.reset, account.id)  # type: ignore[arg-type]
    return _accounts_page(request, session, user, link=link, link_for=account.email)


@router.post("/konten/{account_id}/sperren")
def toggle_active(session: SessionDep, user: CurrentAdmin, account_id: int) -> Response:
    account = _account(session, account_id)
    if account.id == user.id:
        raise HTTPException(status_code=400, detail=_("Das eigene Konto kann nicht gesperrt werden."))
    account.active = not account.active
    if not account.active:
        end_all_sessions(session, account.id)  # type: ignore[arg-type]
    session.add(account)
    record(session, actor=user.email, source="admin", action="unlock" if account.active else "lock",
           entity_type="konto", entity_id=account.email[:60])  # fmt: skip
    return RedirectResponse("/verwaltung/konten", status_code=303)


# --- feedback ---------------------------------------------------------------------------------------------


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
    feedback = session.get(Feedback, feedback_id)
    if feedback is None:
        raise HTTPException(status_code=404)
    session.delete(feedback)
    record(session, actor=user.email, source="admin", action="delete", entity_type="rueckmeldung",
           entity_id=str(feedback_id))  # fmt: skip
    return RedirectResponse("/verwaltung/rueckmeldungen?geloescht=1", status_code=303)


# --- workbook import and export ---------------------------------------------------------------------------


def _import_page(
    request: Request,
    session: SessionDep,
    user: UserAccount,
    *,
    report: dict[str, Any] | None = None,
    token: str = "",
    error: str = "",
    applied: bool = False,
    status: int = 200,
) -> Response:
    runs = session.exec(select(ImportRun).order_by(col(ImportRun.started_at).desc()).limit(50)).all()
    context = {
        "user": user,
        "runs": runs,
        "report": report,
        "token": token,
        "error": error,
        "applied": applied,
        "kind_labels": KIND_LABELS,
    }
    return render(request, "admin/import.html", context, status_code=status)


@router.get("/import")
def import_page(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    return _import_page(request, session, user)


@router.post("/import/pruefen")
def import_dry_run(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentAdmin,
    datei: UploadFile | None = None,
) -> Response:
    try:
        if datei is None:
            raise imports.UploadError(_("Bitte eine Datei auswählen."))
        token, path = imports.stage_upload(datei, settings)
    except imports.UploadError as exc:
        return _import_page(request, session, user, error=str(exc), status=400)
    report = sync_workbook(
        path, engine=request.app.state.engine, settings=settings, dry_run=True, actor=user.email,
        command=f"Verwaltung: Prüflauf {path.name}",
    )  # fmt: skip
    if not report.ok:
        imports.discard(token, settings)
        token = ""
    return _import_page(
        request, session, user, report=report.to_dict(), token=token, status=200 if report.ok else 400
    )


@router.post("/import/anwenden")
def import_apply(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentAdmin,
    token: Annotated[str, Form(max_length=64)] = "",
    sha256: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        path = imports.staged_file(token, settings)
    except imports.UploadError as exc:
        return _import_page(request, session, user, error=str(exc), status=400)
    if imports.sha256_of(path) != sha256:
        imports.discard(token, settings)
        return _import_page(request, session, user, error=_("Die Datei hat sich verändert."), status=400)
    report = sync_workbook(
        path, engine=request.app.state.engine, settings=settings, dry_run=False, actor=user.email,
        command=f"Verwaltung: Import {path.name}",
    )  # fmt: skip
    imports.discard(token, settings)
    return _import_page(
        request, session, user, report=report.to_dict(), applied=report.ok, status=200 if report.ok else 400
    )


@router.get("/export.xlsx")
def export(session: SessionDep, user: CurrentAdmin) -> Response:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "familienwegweiser.xlsx"
        export_workbook(session, path)
        body = path.read_bytes()
    stamp = date.today().isoformat()
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="familienwegweiser-{stamp}.xlsx"'},
    )
