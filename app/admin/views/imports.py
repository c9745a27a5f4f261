"""Admin area ``/verwaltung``: workbook import (check, then apply) and export."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from sqlmodel import col, select
from starlette.responses import Response

from app import downloads
from app.admin import imports
from app.auth.deps import CurrentAdmin
from app.auth.models import UserAccount
from app.catalogue.models import ImportRun
from app.deps import SessionDep, SettingsDep
from app.i18n import gettext as _
from app.settings import Settings
from app.templating import render
from importers.export import export_workbook
from importers.report import KIND_LABELS, SyncReport
from importers.sync import sync_workbook

router = APIRouter()


# --- workbook import and export --------------------------------------------------------------------------


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


def _sync_staged(
    request: Request, settings: Settings, user: UserAccount, token: str, path: Path, *, dry_run: bool
) -> SyncReport:
    """The importer on a staged upload, as a check or for real; nothing may stay on disk after a failure."""
    try:
        return sync_workbook(
            path,
            engine=request.app.state.engine,
            settings=settings,
            dry_run=dry_run,
            actor=user.email,
            command=f"Verwaltung: {'Prüflauf' if dry_run else 'Import'} {path.name}",
        )
    except Exception:
        imports.discard(token, settings)
        raise


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
        return _import_page(request, session, user, error=str(exc), status=exc.status)
    report = _sync_staged(request, settings, user, token, path, dry_run=True)
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
    report = _sync_staged(request, settings, user, token, path, dry_run=False)
    if report.busy:  # another import runs: keep the checked file, the admin can apply it again later
        return _import_page(request, session, user, error=report.fatal or "", status=409)
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
    return downloads.attachment(body, f"familienwegweiser-{date.today().isoformat()}.xlsx", downloads.XLSX)
