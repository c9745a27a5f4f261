"""Self-service password reset: ``/passwort-vergessen`` mails a reset link to a known, active account.

The answer is the same page, status and (padded) duration whether or not the address has an account, so the
form cannot be used to find out who has one. Requests count per IP and per address (keyed hashes).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from app.auth import ratelimit, service
from app.auth.private_route import PrivateRoute
from app.csrf import verify_csrf
from app.deps import SessionDep, SettingsDep
from app.i18n import gettext as _
from app.mail import delivery, kinds, notices
from app.mail.compose import render as render_mail
from app.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], route_class=PrivateRoute)

# Every answer takes at least this long: sending or not sending must not show in the response time.
ANSWER_SECONDS = 0.4
_MAX_FIELD = 1000


def answer_floor() -> Iterator[None]:
    """Every answer takes ``ANSWER_SECONDS``. Solved before the session, so this ends after its commit: the
    reset mail goes out right after the commit and the answer waits for it within the fixed time – the link is
    usually in the inbox when the page appears, and a slow mail server still cannot make known addresses
    answer later than unknown ones."""
    started = time.monotonic()
    try:
        yield
    finally:
        delivery.wait_for_background(max(ANSWER_SECONDS - (time.monotonic() - started), 0.0))
        remaining = ANSWER_SECONDS - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)


@router.get("/passwort-vergessen")
def forgot_page(request: Request) -> Response:
    return render(request, "auth/forgot_password.html", {"email": "", "errors": {}})


@router.post("/passwort-vergessen", dependencies=[Depends(answer_floor, scope="function")])
def request_reset(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
) -> Response:
    address = service.normalise_email(email)
    if problem := service.email_problem(address):
        return render(request, "auth/forgot_password.html", {"email": email, "errors": {"email": problem}},
                      status_code=400)  # fmt: skip
    window = timedelta(minutes=settings.password_reset_window_minutes)
    limit = settings.password_reset_max_requests
    ip_key = ratelimit.keyed_hash("reset-ip:" + ratelimit.client_ip(request), settings)
    account_key = ratelimit.keyed_hash("reset-account:" + address, settings)
    if ratelimit.count_recent(session, bucket="reset-ip", key=ip_key, window=window) >= limit:
        message = _("Zu viele Anfragen. Bitte versuchen Sie es in {minutes} Minuten erneut.").format(
            minutes=settings.password_reset_window_minutes
        )
        return render(request, "auth/forgot_password.html", {"email": "", "errors": {"email": message}},
                      status_code=429)  # fmt: skip
    # The per-address limit stops mail bombing; it answers like a normal request (it counts unknown ones too).
    address_limited = (
        ratelimit.count_recent(session, bucket="reset-account", key=account_key, window=window) >= limit
    )
    ratelimit.record_event(session, bucket="reset-ip", key=ip_key, window=window)
    ratelimit.record_event(session, bucket="reset-account", key=account_key, window=window)
    user = service.find_user(session, address)
    if user is not None and user.active and not address_limited:
        notices.password_reset(session, settings, user)
    else:
        # Same work as for a real mail (rendering), nothing stored.
        render_mail(
            kinds.PASSWORD_RESET, settings, notices.reset_context(settings, address, settings.base_url)
        )
    return render(request, "auth/forgot_password_sent.html", {"hours": settings.reset_max_age_hours})
