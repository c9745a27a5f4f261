"""The funding cycle's vocabulary (defined with the catalogue, which the importer may use)."""

from app.catalogue.funding_vocab import (
    ART,
    DECIDED,
    DRAFT,
    STATUS,
    SUBMITTED,
    WITHDRAWN,
    art_code,
    art_label,
    status_code,
    status_label,
)

__all__ = [
    "ART",
    "DECIDED",
    "DRAFT",
    "STATUS",
    "SUBMITTED",
    "WITHDRAWN",
    "art_code",
    "art_label",
    "status_code",
    "status_label",
]
