"""Import point for every table, so Alembic and tests see the whole schema.

Each area keeps its tables in its own module; add new modules here.
"""

from app.audit.models import AuditEntry
from app.auth.models import RateLimitEvent, UsedToken, UserAccount, UserSession
from app.catalogue.funding_cycle import Antrag, Bewertung, Foerderjahr, Kriterium
from app.catalogue.models import (
    Angebot,
    AngebotOrtsteil,
    AngebotThema,
    AngebotZielgruppe,
    Einrichtung,
    Foerderung,
    FoerderungAngebot,
    FoerderungOrtsteil,
    Handlungsfeld,
    ImportRun,
    Ortsteil,
    Planungsraum,
    Thema,
    Traeger,
    Zielgruppe,
)
from app.catalogue.version import CatalogueVersion
from app.feedback.models import Feedback
from app.mail.models import JobLock, OutboxMail
from app.provider.models import Draft
from app.quality.models import (
    Berichtsfrist,
    FeedbackHandling,
    Indikator,
    Massnahme,
    Nutzerbewertung,
    Qualitaetsbericht,
    Qualitaetsdialog,
)

__all__ = [
    "Angebot",
    "AngebotOrtsteil",
    "AngebotThema",
    "AngebotZielgruppe",
    "Antrag",
    "AuditEntry",
    "Berichtsfrist",
    "Bewertung",
    "CatalogueVersion",
    "Draft",
    "Einrichtung",
    "Feedback",
    "FeedbackHandling",
    "Foerderjahr",
    "Foerderung",
    "FoerderungAngebot",
    "FoerderungOrtsteil",
    "Handlungsfeld",
    "ImportRun",
    "Indikator",
    "JobLock",
    "Kriterium",
    "Massnahme",
    "Nutzerbewertung",
    "Ortsteil",
    "OutboxMail",
    "Planungsraum",
    "Qualitaetsbericht",
    "Qualitaetsdialog",
    "RateLimitEvent",
    "Thema",
    "Traeger",
    "UsedToken",
    "UserAccount",
    "UserSession",
    "Zielgruppe",
]
