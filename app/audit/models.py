"""Audit log: one row per changed field (who, when, what, old → new) – imports, provider edits, approvals."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=200, description="e-mail of the person, or 'import:<file>' / 'system'")
    source: str = Field(max_length=20, index=True, description="import | provider | admin | system")
    action: str = Field(max_length=30, description="create | update | unpublish | republish | approve | …")
    entity_type: str = Field(max_length=30, index=True, description="traeger | einrichtung | angebot | …")
    entity_id: str = Field(max_length=60, index=True, description="workbook id (external_id)")
    field: str | None = Field(default=None, max_length=60)
    old_value: str | None = Field(default=None, sa_type=Text)
    new_value: str | None = Field(default=None, sa_type=Text)
    import_run_id: int | None = Field(default=None, foreign_key="import_run.id")
    note: str | None = Field(default=None, sa_type=Text)
