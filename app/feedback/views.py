"""Public feedback on an offer: „Fehler melden“ and „War diese Information hilfreich?“ – no account needed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from app.auth.ratelimit import client_ip
from app.catalogue import service as catalogue
from app.catalogue.models import Angebot
from app.csrf import verify_csrf
from app.deps import SessionDep, SettingsDep, or_404
from app.feedback import service
from app.i18n import gettext as _
from app.templating import render

router = APIRouter(prefix="/rueckmeldung", dependencies=[Depends(verify_csrf)])


def _offer(session: SessionDep, external_id: str) -> Angebot:
    return or_404(catalogue.get_published_offer(session, external_id))


@router.get("/{external_id}")
def feedback_form(request: Request, session: SessionDep, external_id: str) -> Response:
    """The same forms on their own page (where a re-rendered form with errors lands, too)."""
    return render(
        request, "feedback/page.html", {"offer": _offer(session, external_id), "feedback_errors": {}}
    )


@router.post("/{external_id}")
def submit_feedback(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    external_id: str,
    art: Annotated[str, Form(max_length=20)] = "",
    hilfreich: Annotated[str, Form(max_length=10)] = "",
    nachricht: Annotated[str, Form(max_length=20_000)] = "",
    kontakt: Annotated[str, Form(max_length=2_000)] = "",
    website: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    offer = _offer(session, external_id)
    data = service.FeedbackInput(art, hilfreich, nachricht, kontakt, website)
    result = service.submit(session, settings, angebot=offer, data=data, ip=client_ip(request))
    if result.rate_limited:
        message = _(
            "Sie haben in kurzer Zeit viele Rückmeldungen geschickt. Bitte versuchen Sie es später erneut."
        )
        context = {"offer": offer, "feedback_errors": {}, "message": message}
        return render(request, "feedback/page.html", context, status_code=429)
    if result.errors:
        context = {"offer": offer, "feedback_errors": result.errors, "feedback_values": data}
        return render(request, "feedback/page.html", context, status_code=400)
    return render(request, "feedback/thanks.html", {"offer": offer, "art": art})
