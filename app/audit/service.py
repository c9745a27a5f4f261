"""Writing audit entries (services never commit: the caller's transaction carries them)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

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
        for field, (old, new) in (changes or {}).items()
    ] or [
        AuditEntry(
            actor=actor,
            source=source,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            import_run_id=import_run_id,
            note=note,
        )
    ]
    session.add_all(entries)
    return entries
