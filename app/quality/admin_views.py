"""Admin side ``/verwaltung``: Qualitätsdialog overview and dossier, indicators and due dates, error reports
with status/assignee/reply, and the Redaktion's direct edit of an entry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlmodel import col, select
from starlette.responses import Response

from app.auth.deps import CurrentAdmin
from app.auth.models import UserAccount
from app.auth.private_route import PrivateRoute
from app.catalogue import editing as fields
from app.catalogue import service as catalogue
from app.catalogue.editing import Raw, read_form
from app.catalogue.models import Angebot, Einrichtung, Foerderung, Handlungsfeld
from app.catalogue.values import ParseError, parse_date
from app.csrf import verify_csrf
from app.deps import SessionDep, or_404
from app.i18n import gettext as _
from app.quality import direct_edit, evaluation, handling
from app.quality import dossier as dossiers
from app.quality import service as quality
from app.quality.models import IndikatorArt
from app.templating import render

router = APIRouter(prefix="/verwaltung", dependencies=[Depends(verify_csrf)], route_class=PrivateRoute)
FormData = Annotated[dict[str, Raw], Depends(read_form)]
BASE = "/verwaltung/qualitaetsdialog"


def _grant(session: SessionDep, external_id: str) -> Foerderung:
    return or_404(quality.get_grant(session, external_id))


# --- overview -----------------------------------------------------------------------------------------------


@router.get("/qualitaetsdialog")
def overview(request: Request, session: SessionDep, user: CurrentAdmin, jahr: str = "") -> Response:
    years = dossiers.funded_years(session)
    year = int(jahr) if jahr.isdigit() else (years[0] if years else date.today().year)
    rows = dossiers.overview(session, year)
    return render(
        request,
        "quality/admin_overview.html",
        {
            "user": user,
            "years": years,
            "year": year,
            "rows": rows,
            "due": quality.due_date(session, year),
            "status_labels": quality.STATUS_LABELS,
            "format_aggregate": evaluation.format_aggregate,
        },
    )


# --- indicators and due dates -------------------------------------------------------------------------------


def _indicator_page(
    request: Request,
    session: SessionDep,
    user: UserAccount,
    year: int,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "quality/admin_indicators.html",
        {
            "user": user,
            "year": year,
            "indicators": quality.all_indicators(session, year),
            "handlungsfelder": list(
                session.exec(select(Handlungsfeld).order_by(col(Handlungsfeld.number))).all()
            ),
            "arten": [(a.value, a) for a in IndikatorArt],
            "due": quality.due_date(session, year),
            "error": error,
        },
        status_code=status,
    )


@router.get("/qualitaetsdialog/indikatoren")
def indicator_page(request: Request, session: SessionDep, user: CurrentAdmin, jahr: str = "") -> Response:
    year = int(jahr) if jahr.isdigit() else date.today().year
    return _indicator_page(request, session, user, year)


@router.post("/qualitaetsdialog/indikatoren")
def add_indicator(
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    jahr: Annotated[int, Form(ge=2000, le=2100)],
    handlungsfeld: Annotated[int, Form(ge=1, le=6)],
    bezeichnung: Annotated[str, Form(max_length=2000)] = "",
    art: Annotated[str, Form(max_length=20)] = "",
    zielwert: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        quality.add_indicator(
            session,
            handlungsfeld=handlungsfeld,
            jahr=jahr,
            label=bezeichnung,
            art=art,
            zielwert=zielwert,
            admin=user,
        )
    except quality.QualityError as exc:
        return _indicator_page(request, session, user, jahr, error=str(exc), status=400)
    return RedirectResponse(f"{BASE}/indikatoren?jahr={jahr}", status_code=303)


@router.post("/qualitaetsdialog/indikatoren/{indicator_id}/loeschen")
def remove_indicator(
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    indicator_id: int,
    jahr: Annotated[int, Form()] = 0,
) -> Response:
    try:
        year = quality.remove_indicator(session, indicator_id=indicator_id, admin=user)
    except quality.QualityError as exc:
        return _indicator_page(request, session, user, jahr or date.today().year, error=str(exc), status=409)
    return RedirectResponse(f"{BASE}/indikatoren?jahr={year}", status_code=303)


@router.post("/qualitaetsdialog/frist")
def set_due_date(
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    jahr: Annotated[int, Form(ge=2000, le=2100)],
    faellig_am: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        when = parse_date(faellig_am)
    except ParseError as exc:
        return _indicator_page(request, session, user, jahr, error=str(exc), status=400)
    if when is None:
        return _indicator_page(request, session, user, jahr, error=_("Bitte ein Datum eingeben."), status=400)
    quality.set_due_date(session, jahr=jahr, faellig_am=when, admin=user)
    return RedirectResponse(f"{BASE}/indikatoren?jahr={jahr}", status_code=303)


# --- the dossier --------------------------------------------------------------------------------------------


def _dossier_page(
    request: Request,
    session: SessionDep,
    user: UserAccount,
    grant: Foerderung,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "quality/dossier.html",
        {
            "user": user,
            "d": dossiers.dossier(session, grant),
            "format_aggregate": evaluation.format_aggregate,
            "status_labels": quality.STATUS_LABELS,
            "meldung_labels": handling.STATUS_LABELS,
            "offer_ids_text": "; ".join(a.external_id for a in grant.angebote),
            "error": error,
        },
        status_code=status,
    )


@router.get("/qualitaetsdialog/{external_id}")
def dossier(request: Request, session: SessionDep, user: CurrentAdmin, external_id: str) -> Response:
    return _dossier_page(request, session, user, _grant(session, external_id))


def _change_dossier(
    request: Request,
    session: SessionDep,
    user: UserAccount,
    external_id: str,
    anchor: str,
    change: Callable[..., object],
    **form: str,
) -> Response:
    """``change(session, grant=…, admin=…, **form)``, then back to the dossier's section; a refused
    change shows the dossier again with the message (400)."""
    grant = _grant(session, external_id)
    try:
        change(session, grant=grant, admin=user, **form)
    except quality.QualityError as exc:
        return _dossier_page(request, session, user, grant, error=str(exc), status=400)
    return RedirectResponse(f"{BASE}/{grant.external_id}#{anchor}", status_code=303)


def _link_offers(session: SessionDep, *, grant: Foerderung, admin: UserAccount, angebote: str) -> None:
    quality.set_grant_offers(
        session, grant=grant, offers=quality.parse_offer_ids(session, angebote), admin=admin
    )


@router.post("/qualitaetsdialog/{external_id}/angebote")
def link_offers(
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    external_id: str,
    angebote: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    return _change_dossier(request, session, user, external_id, "angebote", _link_offers, angebote=angebote)


@router.post("/qualitaetsdialog/{external_id}/protokoll")
def save_minutes(
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    external_id: str,
    gespraech_am: Annotated[str, Form(max_length=40)] = "",
    protokoll: Annotated[str, Form(max_length=60_000)] = "",
) -> Response:
    return _change_dossier(
        request, session, user, external_id, "protokoll", dossiers.save_dialog,
        gespraech_am=gespraech_am, protokoll=protokoll,
    )  # fmt: skip


@router.post("/qualitaetsdialog/{external_id}/massnahmen")
def add_action(
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    external_id: str,
    text: Annotated[str, Form(max_length=10_000)] = "",
    wiedervorlage_am: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    return _change_dossier(
        request, session, user, external_id, "massnahmen", dossiers.add_action,
        text=text, wiedervorlage_am=wiedervorlage_am,
    )  # fmt: skip


# --- error reports that get handled -------------------------------------------------------------------------


@router.get("/meldungen")
def reports_page(request: Request, session: SessionDep, user: CurrentAdmin, alle: str = "") -> Response:
    reports = handling.all_reports(session, only_open=not alle)
    return render(
        request,
        "quality/admin_reports.html",
        {
            "user": user,
            "reports": reports,
            "show_all": bool(alle),
            "status_labels": handling.STATUS_LABELS,
            "assignee_labels": handling.ASSIGNEE_LABELS,
            "transitions": handling.TRANSITIONS,
        },
    )


@router.post("/meldungen/{feedback_id}")
def update_report(
    session: SessionDep,
    user: CurrentAdmin,
    feedback_id: int,
    status: Annotated[str, Form(max_length=30)] = "",
    zustaendig: Annotated[str, Form(max_length=30)] = "",
    antwort: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    report = or_404(handling.get_report(session, feedback_id))
    try:
        handling.update(
            session,
            report=report,
            user=user,
            status=status or report.status,
            antwort=antwort,
            zustaendig=zustaendig or None,
        )
    except handling.HandlingError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    return RedirectResponse(f"/verwaltung/meldungen#meldung-{feedback_id}", status_code=303)


# --- direct edit by the Redaktion ---------------------------------------------------------------------------


def _target(session: SessionDep, kind: str, external_id: str) -> Einrichtung | Angebot:
    if kind == "angebote":
        offer = catalogue.get_offer(session, external_id)
        if offer is not None:
            return offer
    elif kind == "einrichtungen":
        place = session.exec(select(Einrichtung).where(Einrichtung.external_id == external_id)).first()
        if place is not None:
            return place
    raise HTTPException(status_code=404)


def _edit_page(
    request: Request,
    session: SessionDep,
    user: UserAccount,
    kind: str,
    target: Einrichtung | Angebot,
    values: dict[str, Raw],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    ctx = fields.context_for(session)
    name = target.titel if isinstance(target, Angebot) else target.name
    return render(
        request,
        "quality/admin_edit.html",
        {
            "user": user,
            "title": _("Direkt korrigieren: {name}").format(name=name),
            "action": f"/verwaltung/korrektur/{kind}/{target.external_id}",
            "rows": fields.field_rows(direct_edit.specs_for(target), values, ctx),
            "errors": errors or {},
            "target": target,
            "kind": kind,
            "meldung": request.query_params.get("meldung", ""),
        },
        status_code=status,
    )


@router.get("/korrektur/{kind}/{external_id}")
def edit_form(
    request: Request, session: SessionDep, user: CurrentAdmin, kind: str, external_id: str
) -> Response:
    target = _target(session, kind, external_id)
    values = fields.form_values(target, direct_edit.specs_for(target))
    return _edit_page(request, session, user, kind, target, values)


@router.post("/korrektur/{kind}/{external_id}")
def edit_save(
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    kind: str,
    external_id: str,
    form: FormData,
) -> Response:
    target = _target(session, kind, external_id)
    meldung = form.get("meldung", "")
    note = (
        _("nach Meldung #{id}").format(id=meldung) if isinstance(meldung, str) and meldung.isdigit() else None
    )
    outcome = direct_edit.apply_direct_edit(session, target=target, form=form, admin=user, note=note)
    if outcome.errors:
        return _edit_page(request, session, user, kind, target, outcome.raw, outcome.errors, status=400)
    # The session events push the changed offers to the search index after the request's commit.
    return RedirectResponse(f"/verwaltung/meldungen?korrigiert={target.external_id}", status_code=303)
