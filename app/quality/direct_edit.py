"""The Redaktion corrects an entry directly (e.g. after an error report): same field rules as provider edits,
no draft and no moderation, audited as an admin change, online-edit provenance so the next import keeps it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app.audit.service import record_by
from app.auth.models import UserAccount
from app.catalogue import editing as fields
from app.catalogue.editing import ANGEBOT_FIELDS, EINRICHTUNG_FIELDS, FieldSpec, Raw
from app.catalogue.models import Angebot, Einrichtung
from app.db import utcnow


@dataclass
class EditOutcome:
    errors: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Raw] = field(default_factory=dict)
    changes: dict[str, Any] = field(default_factory=dict)
    offer_ids: list[str] = field(default_factory=list)  # search documents to refresh after the commit


def specs_for(target: Einrichtung | Angebot) -> tuple[FieldSpec, ...]:
    return ANGEBOT_FIELDS if isinstance(target, Angebot) else EINRICHTUNG_FIELDS


def apply_direct_edit(
    session: Session,
    *,
    target: Einrichtung | Angebot,
    form: Mapping[str, Raw],
    admin: UserAccount,
    note: str | None = None,
) -> EditOutcome:
    specs = specs_for(target)
    parsed = fields.parse_form(form, specs, fields.context_for(session))
    if parsed.errors:
        return EditOutcome(errors=parsed.errors, raw=parsed.raw)
    changes = fields.changed_values(target, specs, parsed.values)
    if not changes:
        return EditOutcome()
    old = {k: fields.canonical(target, k) for k in changes}
    now = utcnow()
    fields.apply_values(session, target, changes)
    fields.mark_edited_online(target, changes, by=admin.email, at=now)
    target.updated_at = now
    session.add(target)
    record_by(
        session,
        admin,
        action="direct-edit",
        entity_type="angebot" if isinstance(target, Angebot) else "einrichtung",
        entity_id=target.external_id,
        changes={k: (old[k], v) for k, v in changes.items()},
        note=note,
    )
    session.flush()
    if isinstance(target, Einrichtung):
        session.refresh(target, ["angebote"])
        ids = [a.external_id for a in target.angebote]
    else:
        ids = [target.external_id]
    return EditOutcome(changes=changes, offer_ids=ids)
