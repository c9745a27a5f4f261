"""The planning cube: public active offers counted per Ortsteil × Zielgruppe × Handlungsfeld, with the LSZ
money (published Förderungen) per Ortsteil and Handlungsfeld beside it.

Counting follows the coverage matrix (``app.planning.service``): an offer counts in every Ortsteil where it
runs; stadtweit offers count in the separate „stadtweit“ place. A Förderung's amount counts in full in each
of its Ortsteile (it is what flows there, not a share); stadtweit grants go to „stadtweit“.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from app.catalogue.models import Foerderung, Handlungsfeld, Ortsteil, Planungsraum
from app.catalogue.models import Zielgruppe as ZielgruppeRow
from app.catalogue.service import offer_ortsteile
from app.funding.service import GRANT_LOAD_OPTIONS, vocab_label
from app.planning.service import active_public_offers

STADTWEIT = "stadtweit"
NO_HF = 0  # offers without a Handlungsfeld


ALL = "*"  # a marginal over every place (each offer or grant counted once)


@dataclass
class Cube:
    # (place slug | ALL, zielgruppe code | None, hf number | None) → number of distinct offers;
    # None = summed over that dimension, each offer counted once.
    offers: Counter[tuple[str, str | None, int | None]] = field(default_factory=Counter)
    # (place slug | ALL, hf number | None) → euro cents of published Förderungen of the year
    money: Counter[tuple[str, int | None]] = field(default_factory=Counter)
    jahr: int | None = None
    ortsteile: list[Ortsteil] = field(default_factory=list)
    raeume: list[Planungsraum] = field(default_factory=list)
    zielgruppen: list[tuple[str, str]] = field(default_factory=list)  # (code, label)
    handlungsfelder: list[tuple[int, str]] = field(default_factory=list)

    def count(self, place: str, zielgruppe: str | None = None, hf: int | None = None) -> int:
        return self.offers[(place, zielgruppe, hf)]

    def euros(self, place: str, hf: int | None = None) -> int:
        return self.money[(place, hf)]

    def add_offer(self, places: list[str], zielgruppen: set[str], hf: int) -> None:
        for place in [*places, ALL]:
            for z in [*zielgruppen, None]:
                for h in (hf, None):
                    self.offers[(place, z, h)] += 1

    def add_grant(self, places: list[str], hf: int, cents: int) -> None:
        for place in [*places, ALL]:
            for h in (hf, None):
                self.money[(place, h)] += cents


def funding_years(session: Session) -> list[int]:
    rows = session.exec(select(Foerderung.jahr).where(col(Foerderung.published).is_(True)).distinct()).all()
    return sorted(set(rows), reverse=True)


def build_cube(session: Session, jahr: int | None = None, today: date | None = None) -> Cube:
    cube = Cube(jahr=jahr)
    cube.raeume = list(session.exec(select(Planungsraum).order_by(col(Planungsraum.position))).all())
    cube.ortsteile = list(
        session.exec(select(Ortsteil).order_by(col(Ortsteil.position), Ortsteil.name)).all()
    )
    cube.zielgruppen = [
        (z.code, vocab_label(z))
        for z in session.exec(select(ZielgruppeRow).order_by(col(ZielgruppeRow.position))).all()
    ]
    cube.handlungsfelder = [
        (h.number, vocab_label(h))
        for h in session.exec(select(Handlungsfeld).order_by(col(Handlungsfeld.number)))
    ]
    for offer in active_public_offers(session, today):
        places = [STADTWEIT] if offer.stadtweit else sorted({o.slug for o in offer_ortsteile(offer)})
        cube.add_offer(places, {z.code for z in offer.zielgruppen}, offer.handlungsfeld_number or NO_HF)
    if jahr is not None:
        grants = session.exec(
            select(Foerderung)
            .where(col(Foerderung.published).is_(True), Foerderung.jahr == jahr)
            .options(*GRANT_LOAD_OPTIONS)
        ).all()
        for g in grants:
            places = [STADTWEIT] if g.stadtweit or not g.ortsteile else sorted({o.slug for o in g.ortsteile})
            cube.add_grant(places, g.handlungsfeld_number, g.betrag_cents)
    return cube
