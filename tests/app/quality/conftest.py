"""Two Träger (A, B), each with a funded project linked to its offer; admin and provider accounts."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from app.catalogue.models import Foerderung
from app.settings import Settings
from tests.app.auth.fixtures import World


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Room for a few evaluations from the test client's one IP (the limit has its own test)."""
    return settings.model_copy(update={"evaluation_max_posts": 20})


@dataclass
class Funded:
    world: World
    grant_a: Foerderung
    grant_b: Foerderung


def make_grant(
    session: Session, *, traeger_id: int, external_id: str, projekt: str, offers: list
) -> Foerderung:
    grant = Foerderung(
        external_id=external_id,
        jahr=2025,
        projekt=projekt,
        traeger_id=traeger_id,
        handlungsfeld_number=6,
        betrag_cents=1_250_000,
    )
    grant.angebote = offers
    session.add(grant)
    session.flush()
    return grant


@pytest.fixture
def funded(session: Session, world: World) -> Funded:
    ga = make_grant(
        session,
        traeger_id=world.traeger_a.id,  # type: ignore[arg-type]
        external_id="LSZ-2025-001",
        projekt="Krabbeltreff im Norden",
        offers=[world.angebot_a],
    )
    gb = make_grant(
        session,
        traeger_id=world.traeger_b.id,  # type: ignore[arg-type]
        external_id="LSZ-2025-002",
        projekt="Seniorencafé im Süden",
        offers=[world.angebot_b],
    )
    session.commit()
    return Funded(world, ga, gb)
