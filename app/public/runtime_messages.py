"""German msgids that other modules translate at runtime from data, so extraction cannot see them.

Error titles, vocabulary labels, view and download names: listed here only so that ``make i18n`` extracts
them. Nothing imports this module except the test that keeps it complete.
"""

from __future__ import annotations

from app.i18n import N_

RUNTIME_MSGIDS: tuple[str, ...] = (
    # Fehlerseiten (app/errors.py: TITLES)
    N_("Ungültige Anfrage"),
    N_("Zugriff verweigert"),
    N_("Seite nicht gefunden"),
    N_("Methode nicht erlaubt"),
    N_("Nicht mehr verfügbar"),
    N_("Ungültige Eingabe"),
    N_("Zu viele Anfragen"),
    N_("Fehler"),
    # Zielgruppen
    N_("Schwangere und werdende Eltern"),
    N_("Eltern mit Babys und Kleinkindern (0–3 J.)"),
    N_("Kinder (3–12 J.)"),
    N_("Jugendliche (12–18 J.)"),
    N_("Junge Erwachsene (18–27 J.)"),
    N_("Familien"),
    N_("Alleinerziehende"),
    N_("Großeltern"),
    N_("Seniorinnen und Senioren"),
    N_("Pflegende Angehörige"),
    N_("Menschen mit Behinderung"),
    N_("Menschen mit Migrationsgeschichte"),
    N_("Alle Generationen"),
    # Themen
    N_("Beratung"),
    N_("Kinderbetreuung"),
    N_("Bildung und Lernen"),
    N_("Begegnung und Freizeit"),
    N_("Sport und Bewegung"),
    N_("Gesundheit"),
    N_("Pflege und Unterstützung im Alter"),
    N_("Geld und Leistungen"),
    N_("Wohnen und Wohnumfeld"),
    N_("Mobilität"),
    N_("Sprache und Integration"),
    N_("Ehrenamt und Engagement"),
    N_("Kultur und Kreativität"),
    # Einrichtungsarten
    N_("Kindertagesstätte"),
    N_("ThEKiZ (Thüringer Eltern-Kind-Zentrum)"),
    N_("Familienzentrum"),
    N_("Beratungsstelle"),
    N_("Begegnungsstätte"),
    N_("Jugendhaus"),
    N_("Stadtteilbüro"),
    N_("Mehrgenerationenhaus"),
    N_("Bibliothek"),
    N_("Sonstige"),
    # Status
    N_("aktiv"),
    N_("vorübergehend geschlossen"),
    N_("geschlossen"),
    N_("umgezogen"),
    # Handlungsfelder
    N_("Steuerung, Vernetzung, Nachhaltigkeit und Planung"),
    N_("Vereinbarkeit von Familie und Beruf sowie Mobilität"),
    N_("Bildung im familiären Umfeld"),
    N_("Beratung, Unterstützung und Information"),
    N_("Wohnumfeld und Lebensqualität"),
    N_("Dialog der Generationen"),
    # Barrierefreiheit
    N_("ja"),
    N_("teilweise"),
    N_("nein"),
    # Planung: Ansichten (app/planning/views.py)
    N_("Zielgruppen"),
    N_("Themen"),
    N_("Handlungsfelder"),
    # Förderung: Downloads (app/funding/views.py)
    N_("CSV für Excel (;, Dezimalkomma)"),
    N_("CSV (Standard, Komma)"),
    N_("JSON"),
    N_("360Giving JSON (Standard 1.4.3)"),
)
