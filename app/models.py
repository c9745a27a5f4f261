"""Import point for every table, so Alembic and tests see the whole schema.

Each area keeps its tables in its own module; add new modules here.
"""

from app.audit.models import AuditEntry
from app.catalogue.models import (
    Angebot,
    AngebotOrtsteil,
    AngebotThema,
    AngebotZielgruppe,
    Einrichtung,
    Foerderung,
    FoerderungOrtsteil,
    Handlungsfeld,
    ImportRun,
    Ortsteil,
    Planungsraum,
    Thema,
    Traeger,
    Zielgruppe,
)

__all__ = [
    "Angebot",
    "AngebotOrtsteil",
    "AngebotThema",
    "AngebotZielgruppe",
    "AuditEntry",
    "Einrichtung",
    "Foerderung",
    "FoerderungOrtsteil",
    "Handlungsfeld",
    "ImportRun",
    "Ortsteil",
    "Planungsraum",
    "Thema",
    "Traeger",
    "Zielgruppe",
]
