"""Public feedback on offers: error reports and "helpful? yes/no". Minimal personal data, deletable."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class FeedbackKind(StrEnum):
    fehler = "fehler"
    hilfreich = "hilfreich"


class Feedback(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    angebot_id: int = Field(
        sa_column=Column(Integer, ForeignKey("angebot.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    kind: str = Field(max_length=20, index=True)
    helpful: bool | None = None
    message: str | None = Field(default=None, sa_type=Text)
    contact: str | None = Field(default=None, max_length=254, description="optional; deleted with the entry")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
