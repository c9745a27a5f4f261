"""Tables and vocabulary of the funding cycle: Förderjahr, Kriterium, Antrag, Bewertung.

They sit with the catalogue (not in the feature ``app.applications``) because the workbook importer, one layer
down, writes them like the catalogue's own tables. Never public: only a decision turns an Antrag into a
(public) Förderung.
"""

# No `from __future__ import annotations` here: SQLModel resolves relationship annotations at runtime.
from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Foerderjahr(SQLModel, table=True):
    jahr: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    budget_cents: int
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Kriterium(SQLModel, table=True):
    """A criterion of the Bewertungsmatrix; ``jahr`` None = it applies to every year."""

    __table_args__ = (UniqueConstraint("external_id", "jahr", name="uq_kriterium_external_id_jahr"),)

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=40, index=True)
    jahr: int | None = Field(default=None, index=True)
    name: str = Field(max_length=300)
    gewicht: float = Field(description="percent of the total, 0–100")
    beschreibung: str | None = Field(default=None, sa_type=Text)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Antrag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(unique=True, max_length=60)
    jahr: int = Field(index=True)
    traeger_id: int = Field(foreign_key="traeger.id", index=True)
    projekt: str = Field(max_length=300)
    handlungsfeld_number: int = Field(foreign_key="handlungsfeld.number")
    ortsteile: list[str] = Field(default_factory=list, sa_type=JSON, description="Ortsteil slugs")
    stadtweit: bool = False
    zielgruppen: list[str] = Field(default_factory=list, sa_type=JSON, description="Zielgruppe codes")
    summe_cents: int
    art: str | None = Field(default=None, max_length=20)
    beschreibung: str | None = Field(default=None, sa_type=Text)
    eingang: date | None = None
    status: str = Field(default="eingegangen", max_length=30, index=True)
    quelle: str = Field(default="import", max_length=20, description="import | online")
    # The decision: recommended and granted amount, when, and the Förderung it became.
    empfohlen_cents: int | None = None
    beschlossen_cents: int | None = None
    entschieden_am: date | None = None
    foerderung_id: int | None = Field(default=None, foreign_key="foerderung.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Bewertung(SQLModel, table=True):
    """One reviewer's points (0–5) for one criterion of one application."""

    __table_args__ = (
        UniqueConstraint(
            "antrag_id", "kriterium_id", "pruefer", name="uq_bewertung_antrag_kriterium_pruefer"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    antrag_id: int = Field(
        sa_column=Column(Integer, ForeignKey("antrag.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    kriterium_id: int = Field(
        sa_column=Column(Integer, ForeignKey("kriterium.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    pruefer: str = Field(max_length=200, description="name, initials or e-mail of the reviewer")
    punkte: int
    begruendung: str | None = Field(default=None, sa_type=Text)
    quelle: str = Field(default="import", max_length=20, description="import | online")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
