"""Vocabularies of the funding cycle (codes for URLs and the database, German labels for people)."""

from __future__ import annotations

from app.catalogue.text import fold_key
from app.i18n import N_

# code → German label (the label is what the workbook and the ranking JSON show)
STATUS: dict[str, str] = {
    "entwurf": N_("Entwurf"),
    "eingegangen": N_("eingegangen"),
    "in-pruefung": N_("in Prüfung"),
    "empfohlen": N_("empfohlen"),
    "nicht-empfohlen": N_("nicht empfohlen"),
    "beschlossen": N_("beschlossen"),
    "abgelehnt": N_("abgelehnt"),
    "zurueckgezogen": N_("zurückgezogen"),
}
# Statuses a Träger's own online draft can have (everything else is the city's).
DRAFT = "entwurf"
SUBMITTED = "eingegangen"
WITHDRAWN = "zurueckgezogen"
DECIDED = ("beschlossen", "abgelehnt")
ART: dict[str, str] = {"neu": N_("neu"), "pilot": N_("Pilot"), "fortsetzung": N_("Fortsetzung")}

# Words planners also write for a status (accepted on import).
_STATUS_ALIASES = {
    "eingereicht": "eingegangen",
    "in Bearbeitung": "in-pruefung",
    "bewilligt": "beschlossen",
    "nicht bewilligt": "abgelehnt",
    "zurückgenommen": "zurueckgezogen",
}
_STATUS_KEYS = {fold_key(label): code for code, label in STATUS.items()} | {fold_key(c): c for c in STATUS}
_STATUS_KEYS |= {fold_key(alias): code for alias, code in _STATUS_ALIASES.items()}
_ART_KEYS = {fold_key(label): code for code, label in ART.items()} | {fold_key("Fortführung"): "fortsetzung"}


def status_code(text: str) -> str | None:
    return _STATUS_KEYS.get(fold_key(text))


def art_code(text: str) -> str | None:
    return _ART_KEYS.get(fold_key(text))


def status_label(code: str) -> str:
    return STATUS.get(code, code)


def art_label(code: str | None) -> str:
    return ART.get(code, code) if code else ""
