"""Public side of the quality cycle: the evaluation form of funded offers, partials on offer/project pages.

The offer and project pages include ``quality/_offer_funding.html`` and ``quality/_project_quality.html``;
these partials call the template globals registered here (they reach the request's session via the row).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from sqlalchemy.orm import object_session
from starlette.responses import Response

from app.auth.ratelimit import client_ip
from app.catalogue import service as catalogue
from app.catalogue.models import Angebot, Foerderung
from app.csrf import verify_csrf
from app.deps import SessionDep, SettingsDep, or_404
from app.feedback.models import Feedback
from app.i18n import gettext as _
from app.quality import evaluation, handling
from app.quality import service as quality
from app.quality.models import FeedbackHandling, MeldungStatus, Zustaendig
from app.templating import env, render

router = APIRouter(dependencies=[Depends(verify_csrf)])


def offer_funding(offer: Angebot) -> list[Foerderung]:
    """Template global: the published funded projects this offer belongs to (empty: no form, no note)."""
    session = object_session(offer)
    if session is None or offer.id is None:
        return []
    return quality.grants_of_offer(session, offer.id)  # type: ignore[arg-type]


def project_quality(grant: Foerderung) -> dict[str, Any]:
    """Template global for the project page: its public offers and the k-anonymous aggregate."""
    session = object_session(grant)
    if session is None:
        return {"offers": [], "aggregate": evaluation.EMPTY, "text": ""}
    agg = evaluation.aggregate(session, quality.offer_ids(grant))  # type: ignore[arg-type]
    return {
        "offers": quality.public_offers(grant),
        "aggregate": agg,
        "text": evaluation.format_aggregate(agg),
    }


def report_state(feedback: Feedback) -> dict[str, str | None]:
    """Template global for the provider dashboard: how an error report is being handled."""
    session = object_session(feedback)
    row = session.get(FeedbackHandling, feedback.id) if session is not None and feedback.id else None
    status = row.status if row else MeldungStatus.neu.value
    assignee = row.zustaendig if row else Zustaendig.redaktion.value
    return {
        "status": handling.STATUS_LABELS[status],
        "zustaendig": handling.ASSIGNEE_LABELS[assignee],
        "antwort": row.antwort if row else None,
    }


env.globals.update(
    quality_offer_funding=offer_funding, quality_project=project_quality, quality_report_state=report_state
)


def _funded_offer(session: SessionDep, external_id: str) -> Angebot:
    offer = or_404(catalogue.get_published_offer(session, external_id))
    if offer.id is None or catalogue.is_expired(offer) or not quality.grants_of_offer(session, offer.id):
        raise HTTPException(status_code=404)  # only offers of a Förderung can be evaluated
    return offer


@router.get("/angebote/{external_id}/bewertung")
def evaluation_page(request: Request, session: SessionDep, external_id: str) -> Response:
    """The form on its own page (where a form with errors is shown again, too)."""
    return render(request, "quality/evaluation_page.html", {"offer": _funded_offer(session, external_id)})


@router.post("/angebote/{external_id}/bewertung")
def submit_evaluation(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    external_id: str,
    zufriedenheit: Annotated[str, Form(max_length=10)] = "",
    weiterempfehlen: Annotated[str, Form(max_length=10)] = "",
    kommentar: Annotated[str, Form(max_length=20_000)] = "",
    website: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    offer = _funded_offer(session, external_id)
    data = evaluation.EvaluationInput(zufriedenheit, weiterempfehlen, kommentar, website)
    result = evaluation.submit(session, settings, angebot=offer, data=data, ip=client_ip(request))
    if result.rate_limited:
        message = _(
            "Sie haben in kurzer Zeit viele Bewertungen geschickt. Bitte versuchen Sie es später erneut."
        )
        return render(
            request, "quality/evaluation_page.html", {"offer": offer, "message": message}, status_code=429
        )
    if result.errors:
        context = {"offer": offer, "eval_errors": result.errors, "eval_values": data}
        return render(request, "quality/evaluation_page.html", context, status_code=400)
    return render(request, "quality/evaluation_thanks.html", {"offer": offer})
