"""Qualitätsdialog tables: evaluations, Qualitätsberichte with indicators, dialog minutes, feedback handling.

The link Förderung ↔ Angebote lives in the catalogue (``FoerderungAngebot``): the importer writes it.
"""

# No `from __future__ import annotations` here: SQLModel resolves annotations at runtime.
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.catalogue.version import publishes
from app.db import UTCDateTime, utcnow


@publishes  # the project pages show the averages: a new evaluation moves the catalogue version
class Nutzerbewertung(SQLModel, table=True):
    """One anonymous evaluation of an offer by a user: no IP address, no account, no cookie."""

    id: int | None = Field(default=None, primary_key=True)
    angebot_id: int = Field(
        sa_column=Column(Integer, ForeignKey("angebot.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    zufriedenheit: int = Field(description="1 (gar nicht) … 5 (sehr zufrieden)")
    weiterempfehlen: bool
    kommentar: str | None = Field(default=None, sa_type=Text, description="never public; purged early")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class IndikatorArt(StrEnum):
    ja_nein = "ja-nein"
    zahl = "zahl"
    text = "text"


class Indikator(SQLModel, table=True):
    """A Zielerreichungsindikator of one Handlungsfeld and year, set by the Planungsbeirat (admins)."""

    id: int | None = Field(default=None, primary_key=True)
    handlungsfeld_number: int = Field(foreign_key="handlungsfeld.number", index=True)
    jahr: int = Field(index=True)
    label: str = Field(max_length=300)
    art: str = Field(default=IndikatorArt.ja_nein.value, max_length=10)
    zielwert: str | None = Field(
        default=None, max_length=100, description="optional target: 'ja' or a number"
    )
    position: int = 0


class Berichtsfrist(SQLModel, table=True):
    """The due date of the Qualitätsberichte of one funding year."""

    jahr: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    faellig_am: date


class BerichtStatus(StrEnum):
    entwurf = "entwurf"
    eingereicht = "eingereicht"


class Qualitaetsbericht(SQLModel, table=True):
    """One version of a Träger's report on a funded project; submitted versions are never changed again."""

    __table_args__ = (UniqueConstraint("foerderung_id", "version", name="uq_qualitaetsbericht_version"),)

    id: int | None = Field(default=None, primary_key=True)
    foerderung_id: int = Field(
        sa_column=Column(Integer, ForeignKey("foerderung.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    jahr: int = Field(index=True)
    version: int = 1
    status: str = Field(default=BerichtStatus.entwurf.value, max_length=20, index=True)
    projekt_konzept: str | None = Field(default=None, sa_type=Text)
    ressourcen_raeume: str | None = Field(default=None, sa_type=Text)
    ressourcen_personal: str | None = Field(default=None, sa_type=Text)
    teilnehmende_anzahl: int | None = None
    merkmale_altersgruppen: str | None = Field(default=None, sa_type=Text)
    merkmale_zielgruppen: str | None = Field(default=None, sa_type=Text)
    vernetzung: str | None = Field(default=None, sa_type=Text)
    ergebnisse: str | None = Field(default=None, sa_type=Text)
    # {indicator id (as text): value as entered ("ja"/"nein", a number, a text)}
    indikatoren: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    korrekturgrund: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str | None = Field(default=None, max_length=254)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_by: str | None = Field(default=None, max_length=254)


class Qualitaetsdialog(SQLModel, table=True):
    """Minutes of the Qualitätsdialog meeting on one funded project."""

    foerderung_id: int = Field(
        sa_column=Column(Integer, ForeignKey("foerderung.id", ondelete="CASCADE"), primary_key=True)
    )
    gespraech_am: date | None = None
    protokoll: str | None = Field(default=None, sa_type=Text)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str | None = Field(default=None, max_length=254)


class Massnahme(SQLModel, table=True):
    """An action agreed in the Qualitätsdialog, with a follow-up date."""

    id: int | None = Field(default=None, primary_key=True)
    foerderung_id: int = Field(
        sa_column=Column(Integer, ForeignKey("foerderung.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    text: str = Field(sa_type=Text)
    wiedervorlage_am: date | None = None
    erledigt: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str | None = Field(default=None, max_length=254)


class MeldungStatus(StrEnum):
    neu = "neu"
    in_bearbeitung = "in-bearbeitung"
    erledigt = "erledigt"
    abgelehnt = "abgelehnt"


class Zustaendig(StrEnum):
    redaktion = "redaktion"
    traeger = "traeger"


class FeedbackHandling(SQLModel, table=True):
    """How an error report („Fehler melden“) is handled; no row = status „neu“, assigned to the Redaktion."""

    __tablename__ = "feedback_handling"

    feedback_id: int = Field(
        sa_column=Column(Integer, ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True)
    )
    status: str = Field(default=MeldungStatus.neu.value, max_length=20, index=True)
    zustaendig: str = Field(default=Zustaendig.redaktion.value, max_length=20)
    antwort: str | None = Field(
        default=None, sa_type=Text, description="reply shown on the Träger's dashboard"
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str | None = Field(default=None, max_length=254)
