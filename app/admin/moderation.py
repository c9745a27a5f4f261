"""Moderation of provider drafts: approving applies a change with provenance; rejecting needs a reason.

One decision per draft, also when two admins click at the same moment: the decision is taken by ONE
conditional ``UPDATE draft … WHERE status = 'open'`` before anything else is written. The database serialises
the two updates (PostgreSQL row lock, SQLite write lock); the second one finds the draft decided, changes no
row and raises :class:`AlreadyDecided` – nothing of the loser is written, so there is one audit entry per
decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.audit.service import record_by
from app.auth.models import UserAccount
from app.catalogue import editing
from app.catalogue.models import Angebot, Einrichtung
from app.db import utcnow
from app.i18n import gettext as _
from app.mail import notices
from app.provider.models import Draft, DraftKind, DraftStatus


class ModerationError(ValueError):
    """German message: why a draft cannot be decided (already decided, entry gone, reason missing)."""


class AlreadyDecided(ModerationError):
    """Another admin decided this draft first (the view answers 409 Conflict)."""

    def __init__(self) -> None:
        super().__init__(_("Dieser Entwurf wurde bereits entschieden."))


def open_drafts(session: Session) -> Sequence[Draft]:
    stmt = select(Draft).where(Draft.status == DraftStatus.open.value).order_by(col(Draft.created_at))
    return session.exec(stmt).all()


def recent_decisions(session: Session, limit: int = 20) -> Sequence[Draft]:
    stmt = (
        select(Draft)
        .where(Draft.status != DraftStatus.open.value)
        .order_by(col(Draft.decided_at).desc())
        .limit(limit)
    )
    return session.exec(stmt).all()


def draft_target(session: Session, draft: Draft) -> tuple[Einrichtung, Angebot | None]:
    einrichtung = session.get_one(Einrichtung, draft.einrichtung_id)
    angebot = session.get(Angebot, draft.angebot_id) if draft.angebot_id else None
    return einrichtung, angebot


def diff_rows(session: Session, draft: Draft) -> list[dict[str, Any]]:
    """Field by field: the published value now, the value when the provider wrote, the proposal."""
    einrichtung, angebot = draft_target(session, draft)
    target = angebot if draft.kind == DraftKind.angebot else einrichtung
    ortsteile = editing.context_for(session).ortsteile
    rows = []
    for name, new in draft.changes.items():
        current = None if draft.kind == DraftKind.neues_angebot else editing.canonical(target, name)
        rows.append(
            {
                "name": name,
                "label": _(editing.LABELS.get(name, name)),
                "old": editing.display(name, current, ortsteile),
                "new": editing.display(name, new, ortsteile),
                "changed_meanwhile": draft.kind != DraftKind.neues_angebot
                and current != draft.base_values.get(name),
            }
        )
    return rows


def _new_offer_id(draft: Draft) -> str:
    # Workbook ids look like A-0107; online-created offers get their own range so they never collide.
    return f"A-ON-{draft.id:04d}"


def _ensure_open(draft: Draft) -> None:
    if draft.status != DraftStatus.open.value:
        raise AlreadyDecided()


def _claim(
    session: Session, draft: Draft, *, status: DraftStatus, admin: UserAccount, **extra: Any
) -> datetime:
    """Decide the draft if – and only if – it is still open, in one conditional UPDATE (module docstring).

    Returns the decision time; raises :class:`AlreadyDecided` when another decision came first.
    """
    now = utcnow()
    values = {"status": status.value, "decided_by": admin.email, "decided_at": now, **extra}
    stmt = (
        update(Draft)
        .where(col(Draft.id) == draft.id, col(Draft.status) == DraftStatus.open.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if session.connection().execute(stmt).rowcount != 1:
        session.refresh(draft)  # show what was decided
        raise AlreadyDecided()
    for name, value in values.items():  # the row is written: keep the object in step without a 2nd UPDATE
        set_committed_value(draft, name, value)
    return now


def approve(session: Session, *, draft: Draft, admin: UserAccount) -> list[str]:
    """Publish the draft (the search index follows the commit); returns the affected offers' external ids."""
    _ensure_open(draft)
    einrichtung, angebot = draft_target(session, draft)
    if draft.kind == DraftKind.angebot and angebot is None:
        raise ModerationError(_("Das Angebot gibt es nicht mehr."))
    now = _claim(session, draft, status=DraftStatus.approved, admin=admin)
    changes = dict(draft.changes)
    if draft.kind == DraftKind.neues_angebot:
        target: Einrichtung | Angebot = Angebot(
            external_id=_new_offer_id(draft),
            einrichtung_id=einrichtung.id,  # type: ignore[arg-type]
            titel=changes["titel"],
        )
        session.add(target)
        session.flush()
        old: dict[str, Any] = {}
        action, entity_type = "create", "angebot"
    elif draft.kind == DraftKind.angebot:
        if angebot is None:
            raise ModerationError(_("Das Angebot gibt es nicht mehr."))
        target, action, entity_type = angebot, "approve", "angebot"
        old = {k: editing.canonical(target, k) for k in changes}
    else:
        target, action, entity_type = einrichtung, "approve", "einrichtung"
        old = {k: editing.canonical(target, k) for k in changes}
    editing.apply_values(session, target, changes)
    editing.mark_edited_online(target, changes, by=draft.created_by, at=now)
    target.updated_at = now
    session.add(target)
    draft.result_external_id = target.external_id
    session.add(draft)
    record_by(
        session,
        admin,
        action=action,
        entity_type=entity_type,
        entity_id=target.external_id,
        changes={k: (old.get(k), v) for k, v in changes.items()},
        note=_("Entwurf #{id} von {author}").format(id=draft.id, author=draft.created_by),
    )
    session.flush()
    notices.draft_decided(session, draft)
    if isinstance(target, Einrichtung):
        session.refresh(target, ["angebote"])
        return [a.external_id for a in target.angebote]
    return [target.external_id]


def reject(session: Session, *, draft: Draft, admin: UserAccount, reason: str) -> None:
    _ensure_open(draft)
    if not reason.strip():
        raise ModerationError(_("Bitte eine Begründung angeben – der Träger sieht sie."))
    einrichtung, angebot = draft_target(session, draft)
    _claim(session, draft, status=DraftStatus.rejected, admin=admin, reason=reason.strip())
    record_by(
        session,
        admin,
        action="reject",
        entity_type="angebot" if angebot else "einrichtung",
        entity_id=angebot.external_id if angebot else einrichtung.external_id,
        note=_("Entwurf #{id} abgelehnt: {reason}").format(id=draft.id, reason=draft.reason),
    )
    notices.draft_decided(session, draft)
