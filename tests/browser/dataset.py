"""A small, fixed set of catalogue rows the page and browser tests rely on (ids start with ``BT-``).

It is added on top of the sample workbook (or used alone while no workbook exists), so tests can name
exactly what they look for: a Krabbelgruppe in Neulobeda, a hostile description, closed/moved/expired offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from tests import factories

HOSTILE_TITLE = "Elterncafé <script>alert('x')</script>"
HOSTILE_DESCRIPTION = '<img src=x onerror="alert(1)"> Treffpunkt für Eltern & Kinder'


@dataclass(frozen=True)
class KnownIds:
    krabbelgruppe: str = "BT-A-001"
    hostile: str = "BT-A-002"
    temporarily_closed: str = "BT-A-003"
    expired: str = "BT-A-004"
    moved: str = "BT-A-005"
    closed: str = "BT-A-006"
    seniors: str = "BT-A-007"
    institution: str = "BT-E-001"
    moved_institution: str = "BT-E-002"
    successor_institution: str = "BT-E-003"
    nord_institution: str = "BT-E-004"


KNOWN = KnownIds()
FILLER_COUNT = 26  # enough public offers for more than one result page


def add_known_rows(session: Session, *, fillers: bool = True) -> KnownIds:
    """Insert the known rows (and, optionally, filler offers in several districts); flushes, never commits."""
    today = date.today()
    traeger = factories.traeger(
        session,
        external_id="BT-T-001",
        name="Familienbund Saaletal e.V.",
        art="verein",
        website="https://familienbund.example.org",
        email="kontakt@familienbund.example.org",
        telefon="03641 555000",
    )
    lobeda = factories.einrichtung(
        session,
        traeger_row=traeger,
        external_id=KNOWN.institution,
        name="Eltern-Kind-Zentrum Lobeda",
        art="familienzentrum",
        beschreibung="Ein Haus für Familien im Stadtteil.\n\nMit Café und Spielzimmer.",
        strasse="Karl-Marx-Allee 99",
        plz="07747",
        ortsteil_slug="neulobeda",
        lat=50.8935,
        lon=11.6040,
        telefon="03641 555123",
        email="ekz-lobeda@example.org",
        website="https://ekz-lobeda.example.org",
        oeffnungszeiten="Mo–Fr 8:00–16:00",
        barrierefrei="ja",
        sprachen=["Deutsch", "Englisch"],
        verified_at=today - timedelta(days=30),
    )
    factories.angebot(
        session,
        einrichtung_row=lobeda,
        external_id=KNOWN.krabbelgruppe,
        titel="Krabbelgruppe Lobeda",
        beschreibung="Spielen, singen und andere Eltern kennenlernen – für Babys ab 6 Monaten.",
        zielgruppen=("eltern-baby", "familien"),
        themen=("begegnung", "bildung"),
        handlungsfeld_number=3,
        alter_von=0.5,
        alter_bis=3,
        kosten_art="kostenlos",
        anmeldung=False,
        termine="dienstags 9:30–11:00 (außer in den Ferien)",
        verified_at=date(2026, 3, 5),
    )
    factories.angebot(
        session,
        einrichtung_row=lobeda,
        external_id=KNOWN.hostile,
        titel=HOSTILE_TITLE,
        beschreibung=HOSTILE_DESCRIPTION,
        zielgruppen=("familien",),
        themen=("begegnung",),
        kosten_art="betrag",
        kosten_cents=350,
    )
    factories.angebot(
        session,
        einrichtung_row=lobeda,
        external_id=KNOWN.temporarily_closed,
        titel="Babyschwimmen im Stadtteilbad",
        zielgruppen=("eltern-baby",),
        themen=("bewegung",),
        status="voruebergehend-geschlossen",
    )
    factories.angebot(
        session,
        einrichtung_row=lobeda,
        external_id=KNOWN.expired,
        titel="Ferienfreizeit 2020",
        zielgruppen=("kinder",),
        themen=("begegnung",),
        status="geschlossen",
        gueltig_bis=today - timedelta(days=400),
    )
    factories.angebot(
        session,
        einrichtung_row=lobeda,
        external_id=KNOWN.closed,
        titel="Stillcafé (eingestellt)",
        zielgruppen=("eltern-baby",),
        themen=("gesundheit",),
        status="geschlossen",
    )
    successor = factories.einrichtung(
        session,
        traeger_row=traeger,
        external_id=KNOWN.successor_institution,
        name="Familienzentrum Winzerla",
        art="familienzentrum",
        strasse="Anna-Siemsen-Straße 1",
        plz="07745",
        ortsteil_slug="winzerla",
        lat=50.8990,
        lon=11.5650,
    )
    moved = factories.einrichtung(
        session,
        traeger_row=traeger,
        external_id=KNOWN.moved_institution,
        name="Familientreff Burgau (alt)",
        art="familienzentrum",
        ortsteil_slug="burgau",
        status="umgezogen",
        nachfolger_id=successor.id,
    )
    factories.angebot(
        session,
        einrichtung_row=moved,
        external_id=KNOWN.moved,
        titel="Elternfrühstück Burgau",
        zielgruppen=("familien",),
        themen=("begegnung",),
    )
    nord = factories.einrichtung(
        session,
        traeger_row=traeger,
        external_id=KNOWN.nord_institution,
        name="Begegnungsstätte Löbstedt",
        art="begegnungsstaette",
        strasse="Löbstedter Straße 10",
        plz="07749",
        ortsteil_slug="loebstedt",
        lat=50.9450,
        lon=11.5940,
    )
    factories.angebot(
        session,
        einrichtung_row=nord,
        external_id=KNOWN.seniors,
        titel="Mittagstisch für Seniorinnen und Senioren",
        zielgruppen=("senioren",),
        themen=("begegnung",),
        handlungsfeld_number=6,
        kosten_art="text",
        kosten_text="nach Selbsteinschätzung",
        anmeldung=True,
    )
    if fillers:
        slugs = ("jena-zentrum", "neulobeda", "winzerla", "jena-nord", "wenigenjena")
        themen = ("beratung", "betreuung", "bildung", "bewegung", "kultur")
        for n in range(FILLER_COUNT):
            place = successor if n % 5 == 2 else nord if n % 5 == 3 else lobeda
            factories.angebot(
                session,
                einrichtung_row=place,
                external_id=f"BT-A-{100 + n:03d}",
                titel=f"Familienkurs {n + 1:02d}",
                beschreibung="Ein Kurs für die ganze Familie.",
                zielgruppen=("familien",),
                themen=(themen[n % 5],),
                ortsteile=(slugs[n % 5],),
            )
    return KNOWN
