"""Catalogue tables: Träger, Einrichtung, Angebot, Förderung, districts and vocabularies.

Every workbook-backed record carries its workbook id (``external_id``), timestamps, a ``published`` flag and
provenance: the values of the last import (so the importer can tell a workbook change from an online edit)
and which fields were edited online, when and by whom.
"""

# No `from __future__ import annotations` here: SQLModel resolves relationship annotations at runtime.
from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Text
from sqlmodel import Field, Relationship, SQLModel

from app.db import UTCDateTime, utcnow

# --- vocabularies -----------------------------------------------------------------------------------------


class Planungsraum(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=80)
    position: int = 0


class Ortsteil(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=60)
    name: str = Field(unique=True, max_length=80)
    planungsraum_code: str = Field(foreign_key="planungsraum.code", max_length=40, index=True)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0

    planungsraum: Planungsraum = Relationship()


class Zielgruppe(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=40)
    label_de: str = Field(max_length=120)
    label_en: str = Field(max_length=120)
    position: int = 0


class Thema(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=40)
    label_de: str = Field(max_length=120)
    label_en: str = Field(max_length=120)
    position: int = 0


class Handlungsfeld(SQLModel, table=True):
    number: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    code: str = Field(unique=True, max_length=10)
    label_de: str = Field(max_length=200)
    label_en: str = Field(max_length=200)


# --- link tables ------------------------------------------------------------------------------------------


class AngebotZielgruppe(SQLModel, table=True):
    __tablename__ = "angebot_zielgruppe"

    angebot_id: int = Field(
        sa_column=Column(Integer, ForeignKey("angebot.id", ondelete="CASCADE"), primary_key=True)
    )
    zielgruppe_code: str = Field(foreign_key="zielgruppe.code", primary_key=True, max_length=40, index=True)


class AngebotThema(SQLModel, table=True):
    __tablename__ = "angebot_thema"

    angebot_id: int = Field(
        sa_column=Column(Integer, ForeignKey("angebot.id", ondelete="CASCADE"), primary_key=True)
    )
    thema_code: str = Field(foreign_key="thema.code", primary_key=True, max_length=40, index=True)


class AngebotOrtsteil(SQLModel, table=True):
    __tablename__ = "angebot_ortsteil"

    angebot_id: int = Field(
        sa_column=Column(Integer, ForeignKey("angebot.id", ondelete="CASCADE"), primary_key=True)
    )
    ortsteil_id: int = Field(foreign_key="ortsteil.id", primary_key=True, index=True)


class FoerderungOrtsteil(SQLModel, table=True):
    __tablename__ = "foerderung_ortsteil"

    foerderung_id: int = Field(
        sa_column=Column(Integer, ForeignKey("foerderung.id", ondelete="CASCADE"), primary_key=True)
    )
    ortsteil_id: int = Field(foreign_key="ortsteil.id", primary_key=True, index=True)


class FoerderungAngebot(SQLModel, table=True):
    """The offers a funded project delivers (workbook column „Angebots-IDs“; admins may edit it online)."""

    __tablename__ = "foerderung_angebot"

    foerderung_id: int = Field(
        sa_column=Column(Integer, ForeignKey("foerderung.id", ondelete="CASCADE"), primary_key=True)
    )
    angebot_id: int = Field(
        sa_column=Column(Integer, ForeignKey("angebot.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


# --- shared columns ---------------------------------------------------------------------------------------


class Provenance(SQLModel):
    """Bookkeeping shared by every workbook-backed table (a mixin, not a table)."""

    external_id: str = Field(unique=True, max_length=60)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published: bool = Field(default=True, index=True)
    # Import provenance: the canonical field values and their hash as of the last workbook sync.
    imported_values: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    import_hash: str | None = Field(default=None, max_length=64)
    last_imported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Online edit provenance: {field: ISO timestamp} of fields changed by an approved provider edit.
    online_edits: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    edited_online_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    edited_online_by: str | None = Field(default=None, max_length=200)


# --- catalogue --------------------------------------------------------------------------------------------


class Traeger(Provenance, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    art: str | None = Field(default=None, max_length=40)
    website: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=254)
    telefon: str | None = Field(default=None, max_length=80)

    einrichtungen: list["Einrichtung"] = Relationship(back_populates="traeger")


class Einrichtung(Provenance, table=True):
    id: int | None = Field(default=None, primary_key=True)
    traeger_id: int = Field(foreign_key="traeger.id", index=True)
    name: str = Field(max_length=300)
    art: str = Field(default="sonstige", max_length=40)
    beschreibung: str | None = Field(default=None, sa_type=Text)
    strasse: str | None = Field(default=None, max_length=200)
    plz: str | None = Field(default=None, max_length=10)
    ort: str = Field(default="Jena", max_length=100)
    ortsteil_id: int = Field(foreign_key="ortsteil.id", index=True)
    lat: float | None = None
    lon: float | None = None
    telefon: str | None = Field(default=None, max_length=80)
    email: str | None = Field(default=None, max_length=254)
    website: str | None = Field(default=None, max_length=500)
    oeffnungszeiten: str | None = Field(default=None, sa_type=Text)
    barrierefrei: str | None = Field(default=None, max_length=20)
    barrierefrei_hinweis: str | None = Field(default=None, max_length=500)
    sprachen: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default="aktiv", max_length=40, index=True)
    nachfolger_id: int | None = Field(default=None, foreign_key="einrichtung.id")
    verified_at: date | None = None

    traeger: Traeger = Relationship(back_populates="einrichtungen")
    ortsteil: Ortsteil = Relationship()
    angebote: list["Angebot"] = Relationship(back_populates="einrichtung")
    nachfolger: Optional["Einrichtung"] = Relationship(
        sa_relationship_kwargs={"remote_side": "Einrichtung.id"}
    )


class Angebot(Provenance, table=True):
    id: int | None = Field(default=None, primary_key=True)
    einrichtung_id: int = Field(foreign_key="einrichtung.id", index=True)
    titel: str = Field(max_length=300)
    beschreibung: str | None = Field(default=None, sa_type=Text)
    handlungsfeld_number: int | None = Field(default=None, foreign_key="handlungsfeld.number")
    stadtweit: bool = False
    alter_von: float | None = None
    alter_bis: float | None = None
    kosten_art: str | None = Field(default=None, max_length=20)
    kosten_cents: int | None = None
    kosten_text: str | None = Field(default=None, max_length=500)
    anmeldung: bool | None = None
    termine: str | None = Field(default=None, sa_type=Text)
    # None = inherit the institution's value (spreadsheet default).
    sprachen: list[str] | None = Field(default=None, sa_type=JSON)
    barrierefrei: str | None = Field(default=None, max_length=20)
    barrierefrei_hinweis: str | None = Field(default=None, max_length=500)
    gueltig_von: date | None = None
    gueltig_bis: date | None = Field(default=None, index=True)
    status: str = Field(default="aktiv", max_length=40, index=True)
    verified_at: date | None = None

    einrichtung: Einrichtung = Relationship(back_populates="angebote")
    handlungsfeld: Handlungsfeld | None = Relationship()
    zielgruppen: list[Zielgruppe] = Relationship(link_model=AngebotZielgruppe)
    themen: list[Thema] = Relationship(link_model=AngebotThema)
    ortsteile: list[Ortsteil] = Relationship(link_model=AngebotOrtsteil)


class Foerderung(Provenance, table=True):
    id: int | None = Field(default=None, primary_key=True)
    jahr: int = Field(index=True)
    projekt: str = Field(max_length=300)
    traeger_id: int = Field(foreign_key="traeger.id", index=True)
    handlungsfeld_number: int = Field(foreign_key="handlungsfeld.number", index=True)
    betrag_cents: int
    eigenanteil_cents: int | None = None
    stadtweit: bool = False
    einrichtung_id: int | None = Field(default=None, foreign_key="einrichtung.id")
    bewilligt_am: date | None = None
    laufzeit_von: date | None = None
    laufzeit_bis: date | None = None
    beschreibung: str | None = Field(default=None, sa_type=Text)

    traeger: Traeger = Relationship()
    handlungsfeld: Handlungsfeld = Relationship()
    einrichtung: Einrichtung | None = Relationship()
    ortsteile: list[Ortsteil] = Relationship(link_model=FoerderungOrtsteil)
    angebote: list[Angebot] = Relationship(link_model=FoerderungAngebot)


# --- import runs ------------------------------------------------------------------------------------------


class ImportRun(SQLModel, table=True):
    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    file_name: str = Field(max_length=500)
    sha256: str = Field(max_length=64, index=True)
    dry_run: bool = False
    ok: bool = False
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    report: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    actor: str = Field(default="cli", max_length=200, description="who started it: 'cli', an e-mail, …")
    command: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
