"""Writing audit entries (services never commit: the caller's transaction carries them)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from sqlmodel import Session

from app.audit.models import AuditEntry


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    session: Session,
    *,
    actor: str,
    source: str,
    action: str,
    entity_type: str,
    entity_id: str,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    import_run_id: int | None = None,
    note: str | None = None,
) -> list[AuditEntry]:
    """One entry per changed field; an action without field changes (e.g. unpublish) gets one entry."""
    fields: list[tuple[str | None, tuple[Any, Any]]] = [*(changes or {}).items()] or [(None, (None, None))]
    entries = [
        AuditEntry(
            actor=actor,
            source=source,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            field=field,
            old_value=_text(old),
            new_value=_text(new),
            import_run_id=import_run_id,
            note=note,
        )
        for field, (old, new) in fields
    ]
    session.add_all(entries)
    return entries


class Account(Protocol):
    """A signed-in account as the log names it (``app.auth.models.UserAccount``; audit sits below auth)."""

    email: str
    role: str


# The source of an entry by an account is its role; a Prüfer writes through the procedure's own entries.
_SOURCE_OF_ROLE = {"admin": "admin", "provider": "provider"}


def record_by(
    session: Session,
    account: Account,
    *,
    action: str,
    entity_type: str,
    entity_id: str,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    note: str | None = None,
) -> list[AuditEntry]:
    """:func:`record` for a Redaktion or Träger account: its e-mail is the actor, its role the source."""
    return record(
        session,
        actor=account.email,
        source=_SOURCE_OF_ROLE[account.role],
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        changes=changes,
        note=note,
    )
