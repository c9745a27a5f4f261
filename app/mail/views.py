"""Pages about mail: ``/konto`` (which mails this account receives) and ``/verwaltung/postausgang``."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import col, func, select
from starlette.responses import Response

from app.audit.service import record_by
from app.auth.deps import CurrentAdmin, CurrentUser
from app.auth.private_route import PrivateRoute
from app.csrf import verify_csrf
from app.deps import SessionDep, SettingsDep, or_404
from app.mail import delivery, kinds
from app.mail.models import JobLock, MailStatus, OutboxMail
from app.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], route_class=PrivateRoute)
LIST_LIMIT = 100


@router.get("/konto")
def account_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "auth/account.html", {"user": user, "mail_kinds": kinds.kinds_for(user.role)})


def _latest(session: SessionDep, status: MailStatus, limit: int) -> Sequence[OutboxMail]:
    stmt = select(OutboxMail).where(OutboxMail.status == status.value).order_by(col(OutboxMail.id).desc())
    return session.exec(stmt.limit(limit)).all()


@router.get("/verwaltung/postausgang")
def outbox_page(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    counts = dict(
        session.exec(select(OutboxMail.status, func.count()).group_by(col(OutboxMail.status))).all()
    )
    failed = _latest(session, MailStatus.failed, LIST_LIMIT)
    queued = _latest(session, MailStatus.queued, LIST_LIMIT)
    sent = _latest(session, MailStatus.sent, 20)
    jobs = session.exec(select(JobLock).order_by(col(JobLock.name))).all()
    labels = {k.name: k.label for k in kinds.ALL}
    context = {"user": user, "counts": counts, "failed": failed, "queued": queued, "sent": sent, "jobs": jobs,
               "labels": labels}  # fmt: skip
    return render(request, "admin/mail_outbox.html", context)


@router.post("/verwaltung/postausgang/{mail_id}/erneut-senden")
def resend_mail(session: SessionDep, settings: SettingsDep, user: CurrentAdmin, mail_id: int) -> Response:
    mail = or_404(session.get(OutboxMail, mail_id))
    delivery.resend(session, settings, mail)
    record_by(
        session,
        user,
        action="resend-mail",
        entity_type="mail",
        entity_id=str(mail_id),
        note=f"{mail.kind} an {mail.recipient}"[:500],
    )
    return RedirectResponse("/verwaltung/postausgang?erneut=1", status_code=303)
