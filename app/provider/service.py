"""What a provider may see and propose: always scoped to the account's own Träger (services never commit)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from app.audit.service import record_by
from app.auth.models import UserAccount
from app.catalogue.editing import mark_edited_online
from app.catalogue.models import Angebot, Einrichtung
from app.db import utcnow
from app.feedback.models import Feedback, FeedbackKind
from app.provider.models import Draft, DraftKind, DraftStatus


def own_einrichtungen(session: Session, traeger_id: int) -> Sequence[Einrichtung]:
    stmt = (
        select(Einrichtung)
        .where(Einrichtung.traeger_id == traeger_id)
        .options(
            selectinload(Einrichtung.angebote),  # type: ignore[arg-type]
            selectinload(Einrichtung.ortsteil),  # type: ignore[arg-type]
        )
        .order_by(Einrichtung.name, Einrichtung.external_id)
    )
    return session.exec(stmt).all()


def own_einrichtung(session: Session, traeger_id: int, external_id: str) -> Einrichtung | None:
    stmt = select(Einrichtung).where(
        Einrichtung.external_id == external_id, Einrichtung.traeger_id == traeger_id
    )
    return session.exec(stmt).first()


def own_angebot(session: Session, traeger_id: int, external_id: str) -> Angebot | None:
    stmt = (
        select(Angebot)
        .join(Einrichtung)
        .where(Angebot.external_id == external_id, Einrichtung.traeger_id == traeger_id)
        .options(
            selectinload(Angebot.zielgruppen),  # type: ignore[arg-type]
            selectinload(Angebot.themen),  # type: ignore[arg-type]
            selectinload(Angebot.ortsteile),  # type: ignore[arg-type]
        )
    )
    return session.exec(stmt).first()


def own_draft(session: Session, traeger_id: int, draft_id: int) -> Draft | None:
    draft = session.get(Draft, draft_id)
    return draft if draft is not None and draft.traeger_id == traeger_id else None


def drafts_of(session: Session, traeger_id: int, limit: int = 50) -> Sequence[Draft]:
    stmt = (
        select(Draft)
        .where(Draft.traeger_id == traeger_id)
        .order_by(col(Draft.created_at).desc(), col(Draft.id).desc())
        .limit(limit)
    )
    return session.exec(stmt).all()


def open_draft_for(session: Session, *, kind: DraftKind, record_id: int, traeger_id: int) -> Draft | None:
    column = Draft.angebot_id if kind is DraftKind.angebot else Draft.einrichtung_id
    stmt = select(Draft).where(
        Draft.kind == kind.value,
        Draft.status == DraftStatus.open.value,
        Draft.traeger_id == traeger_id,
        column == record_id,
    )
    return session.exec(stmt).first()


def propose(
    session: Session,
    *,
    user: UserAccount,
    kind: DraftKind,
    einrichtung: Einrichtung,
    angebot: Angebot | None,
    changes: dict[str, Any],
    base_values: dict[str, Any],
) -> Draft:
    """Store a change for moderation; a newer proposal for the same entry replaces the open one."""
    draft = None
    if kind is not DraftKind.neues_angebot:
        target_id = angebot.id if angebot is not None else einrichtung.id
        assert target_id is not None
        draft = open_draft_for(session, kind=kind, record_id=target_id, traeger_id=einrichtung.traeger_id)
    if draft is None:
        draft = Draft(
            kind=kind.value,
            traeger_id=einrichtung.traeger_id,
            einrichtung_id=einrichtung.id,  # type: ignore[arg-type]
            angebot_id=angebot.id if angebot else None,
            created_by=user.email,
        )
    draft.changes = changes
    draft.base_values = base_values
    draft.created_at = utcnow()
    draft.created_by = user.email
    session.add(draft)
    session.flush()
    entity_type, entity_id = (
        ("angebot", angebot.external_id) if angebot else ("einrichtung", einrichtung.external_id)
    )
    record_by(
        session,
        user,
        action="propose-new" if kind is DraftKind.neues_angebot else "propose",
        entity_type=entity_type,
        entity_id=entity_id,
        changes={k: (base_values.get(k), v) for k, v in changes.items()},
        note=f"Entwurf #{draft.id}",
    )
    return draft


def confirm_unchanged(session: Session, *, user: UserAccount, target: Einrichtung | Angebot) -> None:
    """„Angaben unverändert bestätigen“: today becomes the verified date; no draft, no moderation."""
    today = date.today()
    old = target.verified_at
    now = utcnow()
    target.verified_at = today
    mark_edited_online(target, ["verified_at"], by=user.email, at=now)
    session.add(target)
    record_by(
        session,
        user,
        action="verify",
        entity_type="angebot" if isinstance(target, Angebot) else "einrichtung",
        entity_id=target.external_id,
        changes={"verified_at": (old.isoformat() if old else None, today.isoformat())},
    )


def feedback_counts(session: Session, angebot_ids: Sequence[int]) -> dict[int, Counter[str]]:
    """Per offer: error reports, helpful yes, helpful no."""
    counts: dict[int, Counter[str]] = {}
    if not angebot_ids:
        return counts
    rows = session.exec(
        select(Feedback.angebot_id, Feedback.kind, Feedback.helpful).where(
            col(Feedback.angebot_id).in_(angebot_ids)
        )
    ).all()
    for angebot_id, kind, helpful in rows:
        bucket = counts.setdefault(angebot_id, Counter())
        if kind == FeedbackKind.fehler:
            bucket["fehler"] += 1
        else:
            bucket["ja" if helpful else "nein"] += 1
    return counts


def error_reports(session: Session, traeger_id: int, limit: int = 100) -> Sequence[tuple[Feedback, Angebot]]:
    stmt = (
        select(Feedback, Angebot)
        .join(Angebot, col(Angebot.id) == Feedback.angebot_id)
        .join(Einrichtung)
        .where(Einrichtung.traeger_id == traeger_id, Feedback.kind == FeedbackKind.fehler.value)
        .order_by(col(Feedback.created_at).desc())
        .limit(limit)
    )
    return session.exec(stmt).all()
