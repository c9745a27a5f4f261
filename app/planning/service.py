"""Planning view: where the catalogue has gaps (coverage matrix) and which entries need checking (freshness).

Counting rule of the matrix: an offer counts when it is public (``app.catalogue.service``'s rule) AND active
(temporarily closed offers are left out – they do not cover anything right now). It counts in every Ortsteil
where it runs (``offer_ortsteile``: its own districts, else its institution's). Stadtweit offers are counted
once in a separate „stadtweit“ row and NOT added to each Ortsteil, so they cannot hide local gaps.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from app.catalogue.models import Angebot, Einrichtung, Handlungsfeld, Ortsteil, Planungsraum, Thema, Traeger
from app.catalogue.models import Zielgruppe as ZielgruppeRow
from app.catalogue.service import (
    OFFER_LOAD_OPTIONS,
    effective_status,
    is_public,
    is_stale,
    offer_ortsteile,
    public_offer_clause,
    stale_cutoff,
)
from app.catalogue.vocab import PUBLIC_STATUSES, Status
from app.funding.service import vocab_label

Dimension = Literal["zielgruppen", "themen", "handlungsfelder"]
DIMENSIONS: tuple[Dimension, ...] = ("zielgruppen", "themen", "handlungsfelder")
# The query parameter of the search page for each dimension (``/angebote?ortsteil=…&zielgruppe=…``).
SEARCH_PARAM: dict[Dimension, str] = {
    "zielgruppen": "zielgruppe",
    "themen": "thema",
    "handlungsfelder": "handlungsfeld",
}
STALE_AFTER_MONTHS = 12


@dataclass(frozen=True)
class Column:
    code: str
    label: str


@dataclass(frozen=True)
class MatrixRow:
    slug: str  # "stadtweit" for the citywide row
    name: str
    counts: tuple[int, ...]  # one per column


@dataclass(frozen=True)
class MatrixGroup:
    code: str
    name: str
    rows: tuple[MatrixRow, ...]


@dataclass(frozen=True)
class CoverageMatrix:
    dimension: Dimension
    columns: tuple[Column, ...]
    groups: tuple[MatrixGroup, ...]
    stadtweit: MatrixRow
    offer_count: int

    @property
    def empty_cells(self) -> int:
        return sum(1 for g in self.groups for r in g.rows for c in r.counts if c == 0)


def _columns(session: Session, dimension: Dimension) -> list[Column]:
    if dimension == "zielgruppen":
        zg = session.exec(select(ZielgruppeRow).order_by(col(ZielgruppeRow.position))).all()
        return [Column(z.code, vocab_label(z)) for z in zg]
    if dimension == "themen":
        th = session.exec(select(Thema).order_by(col(Thema.position))).all()
        return [Column(t.code, vocab_label(t)) for t in th]
    hf = session.exec(select(Handlungsfeld).order_by(col(Handlungsfeld.number))).all()
    return [Column(str(h.number), f"HF {h.number} {vocab_label(h)}") for h in hf]


def _codes(offer: Angebot, dimension: Dimension) -> set[str]:
    if dimension == "zielgruppen":
        return {z.code for z in offer.zielgruppen}
    if dimension == "themen":
        return {t.code for t in offer.themen}
    return {str(offer.handlungsfeld_number)} if offer.handlungsfeld_number is not None else set()


def active_public_offers(session: Session, today: date | None = None) -> list[Angebot]:
    """Public offers whose effective status is ``aktiv`` (loaded with everything the matrix reads)."""
    stmt = (
        select(Angebot)
        .join(Einrichtung)
        .where(
            col(Angebot.published).is_(True),
            col(Einrichtung.published).is_(True),
            col(Angebot.status) == Status.aktiv.value,
            col(Einrichtung.status) == Status.aktiv.value,
        )
        .options(*OFFER_LOAD_OPTIONS)
    )
    return [
        a for a in session.exec(stmt).all() if is_public(a, today) and effective_status(a) is Status.aktiv
    ]


def coverage_matrix(session: Session, dimension: Dimension, today: date | None = None) -> CoverageMatrix:
    columns = _columns(session, dimension)
    index = {c.code: i for i, c in enumerate(columns)}
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(columns))
    offers = active_public_offers(session, today)
    for offer in offers:
        places = ["stadtweit"] if offer.stadtweit else [o.slug for o in offer_ortsteile(offer)]
        for code in _codes(offer, dimension):
            if code not in index:
                continue
            for slug in places:
                counts[slug][index[code]] += 1
    raeume = session.exec(select(Planungsraum).order_by(col(Planungsraum.position))).all()
    ortsteile = session.exec(select(Ortsteil).order_by(col(Ortsteil.position), Ortsteil.name)).all()
    groups = tuple(
        MatrixGroup(
            p.code,
            p.name,
            tuple(
                MatrixRow(o.slug, o.name, tuple(counts[o.slug]))
                for o in ortsteile
                if o.planungsraum_code == p.code
            ),
        )
        for p in raeume
    )
    return CoverageMatrix(
        dimension=dimension,
        columns=tuple(columns),
        groups=groups,
        stadtweit=MatrixRow("stadtweit", "stadtweit", tuple(counts["stadtweit"])),
        offer_count=len(offers),
    )


# --- freshness (the rule itself: app.catalogue.service.stale_cutoff) -------------------------------------


@dataclass(frozen=True)
class StaleEntry:
    kind: Literal["einrichtung", "angebot"]
    external_id: str
    name: str
    verified_at: date | None


@dataclass
class TraegerFreshness:
    external_id: str
    name: str
    einrichtungen: int = 0
    angebote: int = 0
    never_verified: int = 0
    entries: list[StaleEntry] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.einrichtungen + self.angebote


def freshness(session: Session, today: date | None = None) -> tuple[date, list[TraegerFreshness]]:
    """Public institutions and offers not verified for more than 12 months, grouped by Träger."""
    today = today or date.today()
    cutoff = stale_cutoff(today)
    public = [s.value for s in PUBLIC_STATUSES]
    institutions = session.exec(
        select(Einrichtung)
        .where(col(Einrichtung.published).is_(True), col(Einrichtung.status).in_(public))
        .options(selectinload(Einrichtung.traeger))  # type: ignore[arg-type]
    ).all()
    offers = session.exec(
        select(Angebot).join(Einrichtung).where(public_offer_clause(today)).options(*OFFER_LOAD_OPTIONS)
    ).all()
    by_traeger: dict[int, TraegerFreshness] = {}

    def entry_for(traeger: Traeger) -> TraegerFreshness:
        assert traeger.id is not None
        return by_traeger.setdefault(traeger.id, TraegerFreshness(traeger.external_id, traeger.name))

    for e in institutions:
        if is_stale(e.verified_at, cutoff):
            row = entry_for(e.traeger)
            row.einrichtungen += 1
            row.never_verified += e.verified_at is None
            row.entries.append(StaleEntry("einrichtung", e.external_id, e.name, e.verified_at))
    for a in offers:
        if is_stale(a.verified_at, cutoff):
            row = entry_for(a.einrichtung.traeger)
            row.angebote += 1
            row.never_verified += a.verified_at is None
            row.entries.append(StaleEntry("angebot", a.external_id, a.titel, a.verified_at))
    for row in by_traeger.values():
        row.entries.sort(key=lambda s: (s.verified_at or date.min, s.name.lower()))
    ordered = sorted(by_traeger.values(), key=lambda r: (-r.total, r.name.lower()))
    return cutoff, ordered
