"""Drafts: a provider's proposed change of an Einrichtung or Angebot (or a new offer), for moderation."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class DraftKind(StrEnum):
    einrichtung = "einrichtung"
    angebot = "angebot"
    neues_angebot = "neues-angebot"


class DraftStatus(StrEnum):
    open = "open"
    approved = "approved"
    rejected = "rejected"


class Draft(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    status: str = Field(default=DraftStatus.open, max_length=20, index=True)
    traeger_id: int = Field(foreign_key="traeger.id", index=True)
    einrichtung_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("einrichtung.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    angebot_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("angebot.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    # {field: canonical new value}; only fields that differ from the published version.
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # {field: published value when the draft was made} – lets the moderator see a concurrent change.
    base_values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=254)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str | None = Field(default=None, sa_type=Text)
    result_external_id: str | None = Field(default=None, max_length=60)
