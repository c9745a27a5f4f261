"""Pages about mail: ``/konto`` (which mails this account receives) and ``/verwaltung/postausgang``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlmodel import col, func, select
from starlette.responses import Response

from app.audit.service import record
from app.auth.deps import CurrentAdmin, CurrentUser
from app.auth.private_route import PrivateRoute
from app.csrf import verify_csrf
from app.deps import SessionDep, SettingsDep
from app.mail import delivery, kinds
from app.mail.models import JobLock, MailStatus, OutboxMail
from app.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], route_class=PrivateRoute)
LIST_LIMIT = 100


@router.get("/konto")
def account_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "auth/account.html", {"user": user, "mail_kinds": kinds.kinds_for(user.role)})


@router.get("/verwaltung/postausgang")
def outbox_page(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    counts = dict(
        session.exec(select(OutboxMail.status, func.count()).group_by(col(OutboxMail.status))).all()
    )
    newest = col(OutboxMail.id).desc()
    failed = session.exec(
        select(OutboxMail)
        .where(OutboxMail.status == MailStatus.failed.value)
        .order_by(newest)
        .limit(LIST_LIMIT)
    ).all()
    queued = session.exec(
        select(OutboxMail)
        .where(OutboxMail.status == MailStatus.queued.value)
        .order_by(newest)
        .limit(LIST_LIMIT)
    ).all()
    sent = session.exec(
        select(OutboxMail).where(OutboxMail.status == MailStatus.sent.value).order_by(newest).limit(20)
    ).all()
    jobs = session.exec(select(JobLock).order_by(col(JobLock.name))).all()
    labels = {k.name: k.label for k in kinds.ALL}
    context = {"user": user, "counts": counts, "failed": failed, "queued": queued, "sent": sent, "jobs": jobs,
               "labels": labels}  # fmt: skip
    return render(request, "admin/mail_outbox.html", context)


@router.post("/verwaltung/postausgang/{mail_id}/erneut-senden")
def resend_mail(session: SessionDep, settings: SettingsDep, user: CurrentAdmin, mail_id: int) -> Response:
    mail = session.get(OutboxMail, mail_id)
    if mail is None:
        raise HTTPException(status_code=404)
    delivery.resend(session, settings, mail)
    record(session, actor=user.email, source="admin", action="resend-mail", entity_type="mail",
           entity_id=str(mail_id), note=f"{mail.kind} an {mail.recipient}"[:500])  # fmt: skip
    return RedirectResponse("/verwaltung/postausgang?erneut=1", status_code=303)
