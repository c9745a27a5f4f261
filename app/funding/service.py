"""LSZ funding: filters, the loaded grant list and every total – integer cents throughout.

District rule (stated on the page and in the README): every project counts exactly once in the grand total.
Per district, a project belongs to
- „stadtweit“ when it is marked stadtweit (never multiplied over the 30 Ortsteile),
- its Ortsteil when it names exactly one (or, naming none, runs in one Einrichtung),
- „mehrere Ortsteile“ when it names several; each of those Ortsteile additionally shows it as
  „ortsteilübergreifend beteiligt“ with its full amount – a column that is deliberately not summed,
- „ohne Ortsangabe“ otherwise.
So ``sum(nur hier) + stadtweit + mehrere + ohne Ortsangabe == Gesamtsumme``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from app.catalogue.districts import DistrictResolver, UnknownDistrict
from app.catalogue.models import Einrichtung, Foerderung, Handlungsfeld, Ortsteil, Planungsraum, Traeger
from app.catalogue.vocab import HANDLUNGSFELDER
from app.i18n import current_locale
from app.i18n import gettext as _

STADTWEIT = "stadtweit"
MIN_YEAR, MAX_YEAR = 2000, 2100
HF_NUMBERS = tuple(hf.number for hf in HANDLUNGSFELDER)

GRANT_LOAD_OPTIONS = (
    selectinload(Foerderung.traeger),  # type: ignore[arg-type]
    selectinload(Foerderung.handlungsfeld),  # type: ignore[arg-type]
    selectinload(Foerderung.ortsteile).selectinload(Ortsteil.planungsraum),  # type: ignore[arg-type]
    selectinload(Foerderung.einrichtung)  # type: ignore[arg-type]
    .selectinload(Einrichtung.ortsteil)  # type: ignore[arg-type]
    .selectinload(Ortsteil.planungsraum),  # type: ignore[arg-type]
)


def vocab_label(row: Handlungsfeld | Any) -> str:
    """A vocabulary row's label in the interface language (exports stay German)."""
    return str(row.label_en if current_locale.get() == "en" else row.label_de)


class InvalidFundingParams(ValueError):
    """Bad filter values; ``errors`` maps the parameter name to a German message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class FundingFilter:
    year: int | None = None  # None = all years
    handlungsfeld: int | None = None
    traeger: str | None = None  # Träger external id
    ortsteil: str | None = None  # what was asked for (slug, alias, Planungsraum or "stadtweit")
    ortsteil_slugs: tuple[str, ...] = ()  # resolved
    ortsteil_stadtweit: bool = False

    def query_params(self, *, year_name: str = "jahr") -> dict[str, str]:
        """The filter as query parameters (for stable download links), without empty values."""
        params: dict[str, str] = {}
        if self.handlungsfeld is not None:
            params["handlungsfeld"] = str(self.handlungsfeld)
        if self.traeger:
            params["traeger"] = self.traeger
        if self.ortsteil:
            params["ortsteil"] = self.ortsteil
        return params

    @property
    def scope(self) -> str:
        """The year part of download URLs: ``2021`` or ``alle``."""
        return str(self.year) if self.year is not None else "alle"


def parse_filter(
    session: Session,
    *,
    year: int | None,
    handlungsfeld: str | int | None,
    traeger: str | None,
    ortsteil: str | None,
    unknown_traeger_is_error: bool = True,
) -> FundingFilter:
    """Validate the filter values; an unknown district (and Träger, unless told otherwise) →
    :class:`InvalidFundingParams`. The API treats a well-formed unknown Träger id as matching nothing.
    """
    errors: dict[str, str] = {}
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = _("Das Jahr muss zwischen 2000 und 2100 liegen.")
    hf_number: int | None = None
    if handlungsfeld not in (None, ""):
        text = str(handlungsfeld).strip().lower().removeprefix("hf").strip()
        if text.isdigit() and int(text) in HF_NUMBERS:
            hf_number = int(text)
        else:
            errors["handlungsfeld"] = _("Unbekanntes Handlungsfeld – erlaubt sind 1 bis 6.")
    traeger_id = (traeger or "").strip() or None
    if traeger_id is not None and "\x00" in traeger_id:
        errors["traeger"] = _("Ungültige Träger-ID.")
    elif traeger_id is not None and unknown_traeger_is_error:
        found = session.exec(select(Traeger.id).where(Traeger.external_id == traeger_id)).first()
        if found is None:
            errors["traeger"] = _("Unbekannter Träger „{value}“.").format(value=traeger_id[:60])
    slugs: tuple[str, ...] = ()
    stadtweit = False
    district_text = (ortsteil or "").strip() or None
    if district_text is not None:
        try:
            match = DistrictResolver.from_session(session).resolve(district_text)
        except UnknownDistrict as exc:
            errors["ortsteil"] = str(exc)
        else:
            slugs, stadtweit = match.ortsteile, match.stadtweit
    if errors:
        raise InvalidFundingParams(errors)
    return FundingFilter(
        year=year,
        handlungsfeld=hf_number,
        traeger=traeger_id,
        ortsteil=district_text,
        ortsteil_slugs=slugs,
        ortsteil_stadtweit=stadtweit,
    )


# --- where a grant runs -----------------------------------------------------------------------------------


def grant_ortsteile(grant: Foerderung) -> list[Ortsteil]:
    """The Ortsteile a non-stadtweit grant names; naming none, the one of its Einrichtung."""
    if grant.ortsteile:
        return sorted(grant.ortsteile, key=lambda o: (o.position, o.name))
    if grant.einrichtung is not None:
        return [grant.einrichtung.ortsteil]
    return []


DistrictKind = Literal["stadtweit", "einzeln", "mehrere", "ohne"]


def district_kind(grant: Foerderung) -> DistrictKind:
    if grant.stadtweit:
        return "stadtweit"
    count = len(grant_ortsteile(grant))
    return "ohne" if count == 0 else "einzeln" if count == 1 else "mehrere"


def district_slugs(grant: Foerderung) -> list[str]:
    """For exports and the API: Ortsteil slugs, or ``["stadtweit"]``."""
    if grant.stadtweit:
        return [STADTWEIT]
    return [o.slug for o in grant_ortsteile(grant)]


def district_label(grant: Foerderung) -> str:
    if grant.stadtweit:
        return _("stadtweit")
    return ", ".join(o.name for o in grant_ortsteile(grant))


# --- loading ----------------------------------------------------------------------------------------------


def _matches_district(grant: Foerderung, flt: FundingFilter) -> bool:
    if flt.ortsteil is None:
        return True
    if flt.ortsteil_stadtweit:
        return grant.stadtweit
    return not grant.stadtweit and any(o.slug in flt.ortsteil_slugs for o in grant_ortsteile(grant))


def load_grants(session: Session, flt: FundingFilter, *, all_years: bool = False) -> list[Foerderung]:
    """Published grants matching the filter (``all_years`` ignores the year, for the year-over-year view)."""
    stmt = select(Foerderung).where(col(Foerderung.published).is_(True)).options(*GRANT_LOAD_OPTIONS)
    if flt.year is not None and not all_years:
        stmt = stmt.where(Foerderung.jahr == flt.year)
    if flt.handlungsfeld is not None:
        stmt = stmt.where(Foerderung.handlungsfeld_number == flt.handlungsfeld)
    if flt.traeger is not None:
        stmt = stmt.join(Traeger).where(Traeger.external_id == flt.traeger)
    stmt = stmt.order_by(col(Foerderung.jahr).desc(), Foerderung.external_id)
    return [g for g in session.exec(stmt).all() if _matches_district(g, flt)]


def available_years(session: Session) -> list[int]:
    """Years with published grants, newest first."""
    stmt = (
        select(Foerderung.jahr)
        .where(col(Foerderung.published).is_(True))
        .distinct()
        .order_by(col(Foerderung.jahr).desc())
    )
    return [int(y) for y in session.exec(stmt).all()]


def get_grant(session: Session, external_id: str) -> Foerderung | None:
    stmt = (
        select(Foerderung)
        .where(Foerderung.external_id == external_id, col(Foerderung.published).is_(True))
        .options(*GRANT_LOAD_OPTIONS)
    )
    return session.exec(stmt).first()


def get_traeger(session: Session, external_id: str) -> Traeger | None:
    stmt = (
        select(Traeger).where(Traeger.external_id == external_id).options(selectinload(Traeger.einrichtungen))  # type: ignore[arg-type]
    )
    return session.exec(stmt).first()


def handlungsfelder(session: Session) -> list[Handlungsfeld]:
    return list(session.exec(select(Handlungsfeld).order_by(col(Handlungsfeld.number))).all())


def funded_traeger(session: Session) -> list[Traeger]:
    """Träger with at least one published grant (for the filter list), by name."""
    stmt = (
        select(Traeger)
        .where(col(Traeger.id).in_(select(Foerderung.traeger_id).where(col(Foerderung.published).is_(True))))
        .order_by(Traeger.name)
    )
    return list(session.exec(stmt).all())


# --- totals -----------------------------------------------------------------------------------------------


@dataclass
class Amount:
    count: int = 0
    cents: int = 0

    def add(self, cents: int) -> None:
        self.count += 1
        self.cents += cents


@dataclass
class HandlungsfeldTotal:
    number: int
    name: str
    amount: Amount


@dataclass
class TraegerTotal:
    external_id: str
    name: str
    amount: Amount


@dataclass
class DistrictRow:
    slug: str
    name: str
    only_here: Amount = field(default_factory=Amount)
    shared: Amount = field(default_factory=Amount)  # full amounts of multi-district projects, not summed


@dataclass
class PlanungsraumBlock:
    code: str
    name: str
    rows: list[DistrictRow]

    @property
    def only_here(self) -> Amount:
        return Amount(sum(r.only_here.count for r in self.rows), sum(r.only_here.cents for r in self.rows))


@dataclass
class DistrictTotals:
    blocks: list[PlanungsraumBlock]
    stadtweit: Amount
    mehrere: Amount
    ohne: Amount


@dataclass
class Totals:
    count: int
    sum_cents: int
    traeger_count: int
    by_handlungsfeld: list[HandlungsfeldTotal]
    by_traeger: list[TraegerTotal]
    districts: DistrictTotals


def sum_by_year(grants: Iterable[Foerderung]) -> dict[int, int]:
    """Cents per year, oldest first."""
    totals: dict[int, int] = defaultdict(int)
    for g in grants:
        totals[g.jahr] += g.betrag_cents
    return dict(sorted(totals.items()))


def sum_by_handlungsfeld(grants: Iterable[Foerderung]) -> dict[int, int]:
    """Cents per Handlungsfeld number, all six present (zero where nothing was funded)."""
    totals = dict.fromkeys(HF_NUMBERS, 0)
    for g in grants:
        totals[g.handlungsfeld_number] = totals.get(g.handlungsfeld_number, 0) + g.betrag_cents
    return totals


def sum_by_year_and_handlungsfeld(grants: Iterable[Foerderung]) -> dict[int, dict[int, int]]:
    """Cents per year (oldest first) and Handlungsfeld (all six per year)."""
    table: dict[int, dict[int, int]] = {}
    for g in grants:
        row = table.setdefault(g.jahr, dict.fromkeys(HF_NUMBERS, 0))
        row[g.handlungsfeld_number] = row.get(g.handlungsfeld_number, 0) + g.betrag_cents
    return dict(sorted(table.items()))


def district_totals(
    grants: Sequence[Foerderung], layout: list[tuple[Planungsraum, list[Ortsteil]]]
) -> DistrictTotals:
    rows = {o.slug: DistrictRow(o.slug, o.name) for _p, ortsteile in layout for o in ortsteile}
    stadtweit, mehrere, ohne = Amount(), Amount(), Amount()
    for g in grants:
        kind = district_kind(g)
        if kind == "stadtweit":
            stadtweit.add(g.betrag_cents)
        elif kind == "ohne":
            ohne.add(g.betrag_cents)
        elif kind == "einzeln":
            rows[grant_ortsteile(g)[0].slug].only_here.add(g.betrag_cents)
        else:
            mehrere.add(g.betrag_cents)
            for o in grant_ortsteile(g):
                rows[o.slug].shared.add(g.betrag_cents)
    blocks = [
        PlanungsraumBlock(
            p.code,
            p.name,
            [rows[o.slug] for o in ortsteile if rows[o.slug].only_here.count or rows[o.slug].shared.count],
        )
        for p, ortsteile in layout
    ]
    return DistrictTotals([b for b in blocks if b.rows], stadtweit, mehrere, ohne)


def compute_totals(
    grants: Sequence[Foerderung],
    hf_rows: Sequence[Handlungsfeld],
    layout: list[tuple[Planungsraum, list[Ortsteil]]],
) -> Totals:
    by_hf = sum_by_handlungsfeld(grants)
    hf_counts = Counter(g.handlungsfeld_number for g in grants)
    by_traeger: dict[str, TraegerTotal] = {}
    for g in grants:
        entry = by_traeger.setdefault(
            g.traeger.external_id, TraegerTotal(g.traeger.external_id, g.traeger.name, Amount())
        )
        entry.amount.add(g.betrag_cents)
    return Totals(
        count=len(grants),
        sum_cents=sum(g.betrag_cents for g in grants),
        traeger_count=len(by_traeger),
        by_handlungsfeld=[
            HandlungsfeldTotal(
                hf.number, vocab_label(hf), Amount(hf_counts[hf.number], by_hf.get(hf.number, 0))
            )
            for hf in hf_rows
        ],
        by_traeger=sorted(by_traeger.values(), key=lambda t: (-t.amount.cents, t.name.lower())),
        districts=district_totals(grants, layout),
    )


# --- the project table ------------------------------------------------------------------------------------

SORT_KEYS = ("jahr", "projekt", "traeger", "handlungsfeld", "ortsteil", "betrag", "bewilligt")
SortKey = Literal["jahr", "projekt", "traeger", "handlungsfeld", "ortsteil", "betrag", "bewilligt"]


def sort_grants(grants: Sequence[Foerderung], key: str, descending: bool) -> list[Foerderung]:
    """Server-side sorting of the project table; ties fall back to the Förder-ID for a stable order."""
    extractors = {
        "jahr": lambda g: g.jahr,
        "projekt": lambda g: g.projekt.lower(),
        "traeger": lambda g: g.traeger.name.lower(),
        "handlungsfeld": lambda g: g.handlungsfeld_number,
        "ortsteil": lambda g: district_label(g).lower(),
        "betrag": lambda g: g.betrag_cents,
        "bewilligt": lambda g: g.bewilligt_am.toordinal() if g.bewilligt_am else 0,
    }
    extract = extractors.get(key, extractors["betrag"])
    ordered = sorted(grants, key=lambda g: g.external_id)
    return sorted(ordered, key=extract, reverse=descending)
