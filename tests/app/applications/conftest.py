"""A funding cycle on the accounts world: a year, two criteria, applications of Träger A and B, Prüfer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import Session

from app.applications.models import Antrag, Bewertung, Foerderjahr, Kriterium
from app.auth.models import Role, UserAccount
from app.auth.service import create_user
from app.settings import Settings
from tests.app.auth.fixtures import PASSWORD, World

YEAR = date.today().year + 1  # open for applications


@dataclass
class Cycle:
    world: World
    year: int
    k1: Kriterium
    k2: Kriterium
    antrag_a: Antrag
    antrag_b: Antrag
    pruefer: UserAccount
    pruefer2: UserAccount


@pytest.fixture
def cycle(world: World, session: Session, settings: Settings) -> Cycle:
    session.add(Foerderjahr(jahr=YEAR, budget_cents=50_000_00))
    k1 = Kriterium(external_id="K1", name="Bezug zur Fachplanung", gewicht=60, jahr=None)
    k2 = Kriterium(external_id="K2", name="Ungedeckter Bedarf", gewicht=40, jahr=None)
    session.add_all([k1, k2])
    a = Antrag(
        external_id=f"AN-{YEAR}-001",
        jahr=YEAR,
        traeger_id=world.traeger_a.id,  # type: ignore[arg-type]
        projekt="Geheimes Elterncafé Nord",
        handlungsfeld_number=3,
        ortsteile=["jena-nord"],
        zielgruppen=["eltern-baby", "senioren"],
        summe_cents=12_000_00,
        status="in-pruefung",
    )
    b = Antrag(
        external_id=f"AN-{YEAR}-002",
        jahr=YEAR,
        traeger_id=world.traeger_b.id,  # type: ignore[arg-type]
        projekt="Vertraulicher Seniorentreff Süd",
        handlungsfeld_number=6,
        ortsteile=["winzerla"],
        zielgruppen=["senioren"],
        summe_cents=20_000_00,
        status="in-pruefung",
    )
    session.add_all([a, b])
    session.flush()
    assert a.id is not None and k1.id is not None and k2.id is not None
    a_id, k1_id, k2_id = a.id, k1.id, k2.id
    # Another reviewer has already scored A (the Prüfer must not see these points before scoring).
    session.add_all(
        [
            Bewertung(
                antrag_id=a_id, kriterium_id=k1_id, pruefer="FD Soziales", punkte=1, begruendung="Geheimgrund"
            ),
            Bewertung(antrag_id=a_id, kriterium_id=k2_id, pruefer="FD Soziales", punkte=2),
        ]
    )
    pruefer = create_user(
        session, settings, email="pruefer@example.org", role=Role.pruefer, password=PASSWORD
    )
    pruefer2 = create_user(
        session, settings, email="pruefer2@example.org", role=Role.pruefer, password=PASSWORD
    )
    session.commit()
    return Cycle(world, YEAR, k1, k2, a, b, pruefer, pruefer2)
