"""Pages of the funding cycle.

- ``/anbieter/antraege``: a Träger's own applications (write, submit, see the status; never points);
- ``/verwaltung/antraege``: reviewers (admins, Prüfer) score, see evidence and ranking; admins decide.

Every page is private (no-store) and every form carries the CSRF token.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, select
from starlette.responses import Response

from app import downloads
from app.applications import decisions, intake, review, service
from app.applications.cli import points_text
from app.applications.evidence import evidence_for
from app.applications.export import matrix_workbook
from app.applications.models import Antrag, Foerderjahr
from app.applications.ranking import Ranking
from app.applications.vocab import ART, DRAFT, STATUS, WITHDRAWN
from app.auth.deps import CurrentProvider, CurrentUser
from app.auth.models import Role, UserAccount
from app.auth.private_route import PrivateRoute
from app.catalogue import vocab as catalogue_vocab
from app.catalogue.models import Foerderung, Handlungsfeld, Ortsteil, Traeger
from app.catalogue.values import ParseError, parse_date, parse_money_cents
from app.csrf import verify_csrf
from app.deps import SessionDep, districts_of, or_404
from app.i18n import gettext as _
from app.templating import render

provider_router = APIRouter(
    prefix="/anbieter/antraege", dependencies=[Depends(verify_csrf)], route_class=PrivateRoute
)
review_router = APIRouter(
    prefix="/verwaltung/antraege", dependencies=[Depends(verify_csrf)], route_class=PrivateRoute
)


def require_reviewer(user: CurrentUser) -> UserAccount:
    if not user.is_reviewer:
        raise HTTPException(status_code=403, detail=_("Dieser Bereich ist nur für Prüferinnen und Prüfer."))
    return user


CurrentReviewer = Annotated[UserAccount, Depends(require_reviewer)]


def _labels() -> dict[str, object]:
    return {
        "status_labels": {code: _(label) for code, label in STATUS.items()},
        "art_labels": {code: _(label) for code, label in ART.items()},
        "zielgruppe_labels": {t.code: _(t.de) for t in catalogue_vocab.ZIELGRUPPEN},
    }


def _ortsteil_names(session: Session) -> dict[str, str]:
    return {o.slug: o.name for o in session.exec(select(Ortsteil)).all()}


def _handlungsfelder(session: Session) -> list[Handlungsfeld]:
    return list(session.exec(select(Handlungsfeld).order_by(col(Handlungsfeld.number))).all())


# --- Träger: online intake -------------------------------------------------------------------------------


def _intake_page(
    request: Request,
    session: Session,
    user: UserAccount,
    antrag: Antrag | None,
    form: intake.IntakeForm,
    *,
    status_code: int = 200,
) -> Response:
    years = intake.open_years(session)
    return render(
        request,
        "applications/provider_form.html",
        {
            "user": user,
            "antrag": antrag,
            "form": form,
            "years": years,
            "districts": districts_of(request, session).by_planungsraum,
            "zielgruppen": catalogue_vocab.ZIELGRUPPEN,
            "handlungsfelder": _handlungsfelder(session),
            "ortsteil_names": _ortsteil_names(session),
            **_labels(),
        },
        status_code=status_code,
    )


@provider_router.get("")
def provider_list(
    request: Request, session: SessionDep, user: CurrentProvider, gespeichert: str = ""
) -> Response:
    messages = {
        "entwurf": _("Der Entwurf ist gespeichert. Sie können ihn weiter bearbeiten und dann einreichen."),
        "eingereicht": _("Danke! Ihr Antrag ist eingegangen."),
        "zurueckgezogen": _("Der Antrag ist zurückgezogen."),
    }
    return render(
        request,
        "applications/provider_list.html",
        {
            "user": user,
            "antraege": intake.own_antraege(session, user.traeger_id),  # type: ignore[arg-type]
            "open_years": intake.open_years(session),
            "message": messages.get(gespeichert),
            **_labels(),
        },
    )


@provider_router.get("/neu")
def provider_new(request: Request, session: SessionDep, user: CurrentProvider) -> Response:
    return _intake_page(request, session, user, None, intake.form_from(None))


def _own(session: Session, user: UserAccount, external_id: str) -> Antrag:
    return or_404(intake.own_antrag(session, user.traeger_id, external_id))  # type: ignore[arg-type]


@provider_router.get("/{external_id}")
def provider_show(request: Request, session: SessionDep, user: CurrentProvider, external_id: str) -> Response:
    antrag = _own(session, user, external_id)
    if antrag.status == DRAFT:
        return _intake_page(request, session, user, antrag, intake.form_from(antrag))
    return render(
        request,
        "applications/provider_show.html",
        {
            "user": user,
            "antrag": antrag,
            "ortsteil_names": _ortsteil_names(session),
            "handlungsfelder": {h.number: h for h in _handlungsfelder(session)},
            **_labels(),
        },
    )


async def _save_intake(
    request: Request, session: Session, user: UserAccount, antrag: Antrag | None
) -> Response:
    form_data = await request.form()
    years = intake.open_years(session)
    if antrag is not None and antrag.jahr not in years:
        years = [antrag.jahr, *years]
    form = intake.read_form(form_data, years, set(_ortsteil_names(session)))
    submit = form_data.get("aktion") == "einreichen"
    if form.errors:
        return _intake_page(request, session, user, antrag, form, status_code=422)
    assert user.traeger_id is not None  # CurrentProvider guarantees it
    saved = intake.save(session, antrag, user.traeger_id, form.values, submit=submit, actor=user.email)
    target = "eingereicht" if submit else "entwurf"
    if not submit:
        return RedirectResponse(
            f"/anbieter/antraege/{saved.external_id}?gespeichert=entwurf", status_code=303
        )
    return RedirectResponse(f"/anbieter/antraege?gespeichert={target}", status_code=303)


@provider_router.post("/neu")
async def provider_create(request: Request, session: SessionDep, user: CurrentProvider) -> Response:
    return await _save_intake(request, session, user, None)


@provider_router.post("/{external_id}")
async def provider_update(
    request: Request, session: SessionDep, user: CurrentProvider, external_id: str
) -> Response:
    antrag = _own(session, user, external_id)
    if antrag.status != DRAFT:
        raise HTTPException(
            status_code=409, detail=_("Ein eingereichter Antrag kann nicht mehr geändert werden.")
        )
    return await _save_intake(request, session, user, antrag)


@provider_router.post("/{external_id}/zurueckziehen")
def provider_withdraw(session: SessionDep, user: CurrentProvider, external_id: str) -> Response:
    antrag = _own(session, user, external_id)
    if not intake.withdraw(session, antrag, actor=user.email):
        raise HTTPException(status_code=409, detail=_("Dieser Antrag kann nicht mehr zurückgezogen werden."))
    return RedirectResponse("/anbieter/antraege?gespeichert=zurueckgezogen", status_code=303)


# --- reviewers -------------------------------------------------------------------------------------------


def _year(session: Session, jahr: int | None) -> Foerderjahr:
    if jahr is None:
        years = service.years(session)
        if not years:
            raise HTTPException(status_code=404, detail=_("Es gibt noch kein Förderjahr."))
        return years[0]
    return or_404(session.get(Foerderjahr, jahr), _("Dieses Förderjahr gibt es nicht."))


def may_see_results(user: UserAccount, data: service.YearData) -> bool:
    """Admins always; a Prüfer once they have submitted their points for every application of the year."""
    if user.role == Role.admin:
        return True
    name = review.reviewer_name(user)
    return all(review.has_submitted(data, a, name) for a in data.antraege if a.status != WITHDRAWN)


@review_router.get("")
def review_list(
    request: Request,
    session: SessionDep,
    user: CurrentReviewer,
    jahr: int | None = Query(None, ge=1990, le=2100),
) -> Response:
    years = service.years(session)
    if not years:
        return render(request, "applications/review_list.html", {"user": user, "years": [], "data": None})
    data = service.year_data(session, _year(session, jahr).jahr)
    name = review.reviewer_name(user)
    done = {a.id for a in data.antraege if review.has_submitted(data, a, name)}
    return render(
        request,
        "applications/review_list.html",
        {
            "user": user,
            "years": years,
            "data": data,
            "done": done,
            "results": may_see_results(user, data),
            **_labels(),
        },
    )


def _ranking_context(
    session: Session, user: UserAccount, jahr: int | None
) -> tuple[service.YearData, Ranking]:
    data = service.year_data(session, _year(session, jahr).jahr)
    if not may_see_results(user, data):
        raise HTTPException(
            status_code=403,
            detail=_("Die Rangliste sehen Sie, sobald Sie alle Anträge des Jahres bewertet haben."),
        )
    return data, service.ranking_of(data)


def _ranking_page(
    request: Request, session: SessionDep, user: UserAccount, jahr: int | None, template: str, **extra: Any
) -> Response:
    data, result = _ranking_context(session, user, jahr)
    context = {
        "user": user,
        "data": data,
        "ranking": result,
        "points_text": points_text,
        "traeger": data.traeger,
        "by_ext": {a.external_id: a for a in data.antraege},
        **_labels(),
        **extra,
    }
    return render(request, template, context)


@review_router.get("/rangliste")
def ranking_page(
    request: Request,
    session: SessionDep,
    user: CurrentReviewer,
    jahr: int | None = Query(None, ge=1990, le=2100),
) -> Response:
    return _ranking_page(
        request, session, user, jahr, "applications/ranking.html", years=service.years(session)
    )


@review_router.get("/empfehlung")
def recommendation_page(
    request: Request,
    session: SessionDep,
    user: CurrentReviewer,
    jahr: int | None = Query(None, ge=1990, le=2100),
) -> Response:
    return _ranking_page(request, session, user, jahr, "applications/recommendation.html", today=date.today())


@review_router.get("/matrix.xlsx")
def matrix_export(
    session: SessionDep, user: CurrentReviewer, jahr: int | None = Query(None, ge=1990, le=2100)
) -> Response:
    data, result = _ranking_context(session, user, jahr)
    buffer = io.BytesIO()
    matrix_workbook(data, result).save(buffer)
    return downloads.attachment(buffer.getvalue(), f"bewertungsmatrix-{data.jahr.jahr}.xlsx", downloads.XLSX)


def _antrag(session: Session, external_id: str) -> Antrag:
    antrag = session.exec(select(Antrag).where(Antrag.external_id == external_id)).first()
    if antrag is None or antrag.status == DRAFT:  # a draft is still the Träger's
        raise HTTPException(status_code=404)
    return antrag


def _review_page(
    request: Request,
    session: Session,
    user: UserAccount,
    antrag: Antrag,
    *,
    scores: dict[int, review.ScoreInput] | None = None,
    error: str | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    data = service.year_data(session, antrag.jahr)
    name = review.reviewer_name(user)
    own = review.own_points(data, antrag, name)
    submitted = review.has_submitted(data, antrag, name)
    others: dict[int, dict[str, object]] = {}
    if submitted:
        for k_id, reviewers in data.points.get(antrag.id, {}).items():
            others[k_id] = {p: b for p, b in reviewers.items() if p != name}
    foerderung = session.get(Foerderung, antrag.foerderung_id) if antrag.foerderung_id else None
    return render(
        request,
        "applications/review.html",
        {
            "user": user,
            "antrag": antrag,
            "traeger": session.get(Traeger, antrag.traeger_id),
            "criteria": data.criteria,
            "own": own,
            "scores": scores,
            "submitted": submitted,
            "others": others,
            "evidence": evidence_for(session, antrag),
            "ortsteil_names": _ortsteil_names(session),
            "handlungsfelder": {h.number: h for h in _handlungsfelder(session)},
            "decisions": decisions.status_choices(),
            "foerderung": foerderung,
            "error": error,
            "message": message,
            **_labels(),
        },
        status_code=status_code,
    )


@review_router.get("/{external_id}")
def review_page(
    request: Request, session: SessionDep, user: CurrentReviewer, external_id: str, gespeichert: str = ""
) -> Response:
    messages = {
        "bewertung": _("Ihre Bewertung ist gespeichert."),
        "entscheidung": _("Die Entscheidung ist gespeichert."),
    }
    return _review_page(
        request, session, user, _antrag(session, external_id), message=messages.get(gespeichert)
    )


@review_router.post("/{external_id}/bewertung")
async def save_review(
    request: Request, session: SessionDep, user: CurrentReviewer, external_id: str
) -> Response:
    antrag = _antrag(session, external_id)
    if antrag.status == WITHDRAWN:
        raise HTTPException(status_code=409, detail=_("Der Antrag wurde zurückgezogen."))
    criteria = service.criteria_of_year(session, antrag.jahr)
    scores, ok = review.read_scores(await request.form(), criteria)
    if not ok:
        return _review_page(
            request,
            session,
            user,
            antrag,
            scores=scores,
            error=_("Bitte alle Kriterien bewerten."),
            status_code=422,
        )
    review.save_scores(session, antrag, scores, review.reviewer_name(user), user.email)
    return RedirectResponse(
        f"/verwaltung/antraege/{antrag.external_id}?gespeichert=bewertung", status_code=303
    )


@review_router.post("/{external_id}/entscheidung")
async def save_decision(
    request: Request, session: SessionDep, user: CurrentReviewer, external_id: str
) -> Response:
    if user.role != Role.admin:
        raise HTTPException(status_code=403, detail=_("Entscheidungen trägt die Verwaltung ein."))
    antrag = _antrag(session, external_id)
    form = await request.form()
    status = str(form.get("status", ""))
    try:
        raw_amount = str(form.get("summe", "")).strip()
        amount = parse_money_cents(raw_amount) if raw_amount else None
        raw_date = str(form.get("datum", "")).strip()
        on = parse_date(raw_date) if raw_date else None
        decisions.decide(session, antrag, status=status, amount_cents=amount, on=on, actor=user.email)
    except (ParseError, decisions.DecisionError) as exc:
        return _review_page(request, session, user, antrag, error=str(exc), status_code=422)
    return RedirectResponse(
        f"/verwaltung/antraege/{antrag.external_id}?gespeichert=entscheidung", status_code=303
    )
