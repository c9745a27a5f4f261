"""Moderation of provider drafts: approving applies a change with provenance; rejecting needs a reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from app.audit.service import record
from app.auth.models import UserAccount
from app.catalogue import editing
from app.catalogue.models import Angebot, Einrichtung
from app.db import utcnow
from app.i18n import gettext as _
from app.mail import notices
from app.provider.models import Draft, DraftKind, DraftStatus


class ModerationError(ValueError):
    """German message: why a draft cannot be decided (already decided, entry gone, reason missing)."""


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
        raise ModerationError(_("Dieser Entwurf wurde bereits entschieden."))


def approve(session: Session, *, draft: Draft, admin: UserAccount) -> list[str]:
    """Publish the draft (the search index follows the commit); returns the affected offers' external ids."""
    _ensure_open(draft)
    einrichtung, angebot = draft_target(session, draft)
    now = utcnow()
    changes = dict(draft.changes)
    if draft.kind == DraftKind.neues_angebot:
        target: Einrichtung | Angebot = Angebot(
            external_id=_new_offer_id(draft),
            einrichtung_id=einrichtung.id,  # type: ignore[arg-type]
            title=changes["title"],
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
    draft.status = DraftStatus.approved.value
    draft.decided_by = admin.email
    draft.decided_at = now
    draft.result_external_id = target.external_id
    session.add(draft)
    record(
        session,
        actor=admin.email,
        source="admin",
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
    draft.status = DraftStatus.rejected.value
    draft.reason = reason.strip()
    draft.decided_by = admin.email
    draft.decided_at = utcnow()
    session.add(draft)
    record(
        session,
        actor=admin.email,
        source="admin",
        action="reject",
        entity_type="angebot" if angebot else "einrichtung",
        entity_id=angebot.external_id if angebot else einrichtung.external_id,
        note=_("Entwurf #{id} abgelehnt: {reason}").format(id=draft.id, reason=draft.reason),
    )
    notices.draft_decided(session, draft)
