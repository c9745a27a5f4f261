"""Evidence of unmet need for one application: for its Ortsteile × Zielgruppen in its Handlungsfeld, how many
public offers exist today (0 = a gap), and the LSZ money (published Förderungen) already flowing there."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.applications.models import Antrag
from app.planning.cube import STADTWEIT, build_cube, funding_years


@dataclass(frozen=True)
class EvidenceRow:
    slug: str
    name: str
    counts: tuple[int, ...]  # one per Zielgruppe of the application (in its HF)
    offers_hf: int  # all Zielgruppen, the application's HF
    money_hf: int  # cents, the application's HF
    money_all: int  # cents, every HF

    @property
    def gaps(self) -> int:
        return sum(1 for n in self.counts if n == 0)


@dataclass(frozen=True)
class Evidence:
    hf: int
    jahr: int | None  # the Förderungen year shown
    zielgruppen: tuple[tuple[str, str], ...]
    rows: tuple[EvidenceRow, ...]

    @property
    def gaps(self) -> int:
        return sum(r.gaps for r in self.rows if r.slug != STADTWEIT)


def evidence_for(session: Session, antrag: Antrag) -> Evidence:
    years = [y for y in funding_years(session) if y <= antrag.jahr] or funding_years(session)
    jahr = years[0] if years else None
    cube = build_cube(session, jahr)
    labels = dict(cube.zielgruppen)
    zielgruppen = tuple((z, labels.get(z, z)) for z in antrag.zielgruppen) or tuple(cube.zielgruppen)
    names = {o.slug: o.name for o in cube.ortsteile}
    places = [s for s in antrag.ortsteile if s in names]
    if antrag.stadtweit and not places:
        places = [o.slug for o in cube.ortsteile]
    rows = []
    for slug in [*places, STADTWEIT]:
        rows.append(
            EvidenceRow(
                slug,
                names.get(slug, "stadtweit"),
                tuple(cube.count(slug, z, antrag.handlungsfeld_number) for z, _label in zielgruppen),
                cube.count(slug, None, antrag.handlungsfeld_number),
                cube.euros(slug, antrag.handlungsfeld_number),
                cube.euros(slug),
            )
        )
    return Evidence(antrag.handlungsfeld_number, jahr, zielgruppen, tuple(rows))
