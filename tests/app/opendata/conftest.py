"""A small catalogue with every case the open-data exports must handle (public and non-public rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import Session

from app.catalogue.models import Angebot, Einrichtung, Traeger
from tests import factories


@dataclass
class Catalogue:
    traeger: Traeger
    hidden_traeger: Traeger
    zentrum: Einrichtung
    lobeda: Einrichtung
    krabbel: Angebot
    stadtweit: Angebot
    paused: Angebot
    hidden: list[Angebot]


@pytest.fixture
def catalogue(session: Session) -> Catalogue:
    traeger = factories.traeger(
        session,
        external_id="T-100",
        name="Familienhilfe Saale e.V.",
        email="kontakt@example.org",
        website="https://familienhilfe.example.org",
        telefon="03641 123456",
    )
    zentrum = factories.einrichtung(
        session,
        traeger_row=traeger,
        external_id="E-100",
        name="Familienzentrum Löbdergraben",
        beschreibung="Treffpunkt für Familien im Zentrum.",
        strasse="Löbdergraben 1",
        plz="07743",
        lat=50.927,
        lon=11.589,
        telefon="03641 654321",
        email="zentrum@example.org",
        oeffnungszeiten="Mo–Fr 9–17 Uhr",
        barrierefrei="teilweise",
        barrierefrei_hinweis="Rampe am Hintereingang",
        sprachen=["Deutsch", "Arabisch", "Leichte Sprache"],
        verified_at=date(2025, 3, 1),
    )
    lobeda = factories.einrichtung(
        session,
        traeger_row=traeger,
        ortsteil_slug="neulobeda",
        external_id="E-101",
        name="Stadtteilbüro Lobeda",
        status="voruebergehend-geschlossen",
    )
    krabbel = factories.angebot(
        session,
        einrichtung_row=zentrum,
        external_id="A-100",
        titel="Krabbelgruppe für Zwerge",
        beschreibung="Spielen und Austausch für Eltern mit Babys.",
        zielgruppen=("eltern-baby", "familien"),
        themen=("begegnung",),
        handlungsfeld_number=3,
        ortsteile=("jena-zentrum", "jena-west"),
        alter_von=0,
        alter_bis=3,
        kosten_art="betrag",
        kosten_cents=250,
        kosten_text="pro Treffen",
        anmeldung=True,
        termine="dienstags 10–11:30 Uhr",
        verified_at=date(2025, 4, 2),
    )
    stadtweit = factories.angebot(
        session,
        einrichtung_row=zentrum,
        external_id="A-101",
        titel="Schuldnerberatung für Familien",
        themen=("beratung", "finanzen"),
        stadtweit=True,
        kosten_art="kostenlos",
        sprachen=["Deutsch", "Ukrainisch"],
    )
    paused = factories.angebot(
        session, einrichtung_row=lobeda, external_id="A-102", titel="Hausaufgabenhilfe"
    )
    hidden_traeger = factories.traeger(session, external_id="T-900", name="Verborgener Träger")
    unpublished_place = factories.einrichtung(
        session, traeger_row=hidden_traeger, external_id="E-900", published=False
    )
    yesterday = date.today() - timedelta(days=1)
    hidden = [
        factories.angebot(session, einrichtung_row=zentrum, external_id="A-900", published=False),
        factories.angebot(session, einrichtung_row=zentrum, external_id="A-901", status="geschlossen"),
        factories.angebot(session, einrichtung_row=zentrum, external_id="A-902", gueltig_bis=yesterday),
        factories.angebot(session, einrichtung_row=unpublished_place, external_id="A-903"),
    ]
    session.commit()
    return Catalogue(traeger, hidden_traeger, zentrum, lobeda, krabbel, stadtweit, paused, hidden)
