"""Admin area ``/verwaltung``: accounts: invite providers, reset links, lock and unlock."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlmodel import select
from starlette.responses import Response

from app.audit.service import record_by
from app.auth import service as accounts
from app.auth.deps import CurrentAdmin
from app.auth.models import Role, UserAccount
from app.auth.sessions import end_all_sessions
from app.auth.tokens import Purpose, make_link
from app.catalogue.models import Traeger
from app.deps import SessionDep, SettingsDep, or_404
from app.i18n import gettext as _
from app.mail import delivery as mail_delivery
from app.mail import notices
from app.templating import render

router = APIRouter()


# --- accounts --------------------------------------------------------------------------------------------


def _accounts_page(
    request: Request,
    session: SessionDep,
    user: UserAccount,
    *,
    link: str = "",
    link_for: str = "",
    mailed_to: str = "",
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
        "mailed_to": mailed_to,
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
    record_by(
        session,
        user,
        action="invite",
        entity_type="konto",
        entity_id=account.email[:60],
        note=f"Träger {traeger}",
    )
    if mail_delivery.can_deliver(settings) and notices.invitation(session, settings, account):
        return _accounts_page(request, session, user, mailed_to=account.email)
    # Without mail delivery (SMTP_HOST unset outside development) the admin hands the link over instead.
    link = make_link(settings, Purpose.invitation, account.id)  # type: ignore[arg-type]
    return _accounts_page(request, session, user, link=link, link_for=account.email)


def _account(session: SessionDep, account_id: int) -> UserAccount:
    return or_404(session.get(UserAccount, account_id))


@router.post("/konten/{account_id}/zuruecksetzen")
def reset_link(
    request: Request, session: SessionDep, settings: SettingsDep, user: CurrentAdmin, account_id: int
) -> Response:
    account = _account(session, account_id)
    record_by(session, user, action="reset-link", entity_type="konto", entity_id=account.email[:60])
    if mail_delivery.can_deliver(settings) and notices.password_reset(session, settings, account):
        return _accounts_page(request, session, user, mailed_to=account.email)
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
    record_by(
        session,
        user,
        action="unlock" if account.active else "lock",
        entity_type="konto",
        entity_id=account.email[:60],
    )
    return RedirectResponse("/verwaltung/konten", status_code=303)
