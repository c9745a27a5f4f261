"""Reading the funding cycle from the database: a year's criteria, applications, points and ranking.

Services never commit: the request (or the CLI's ``session_scope``) does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.applications import ranking
from app.applications.models import Antrag, Bewertung, Foerderjahr, Kriterium
from app.applications.vocab import DRAFT
from app.catalogue.models import Traeger


class UnknownYear(LookupError):
    pass


def years(session: Session) -> list[Foerderjahr]:
    return list(session.exec(select(Foerderjahr).order_by(col(Foerderjahr.jahr).desc())).all())


def criteria_of_year(session: Session, jahr: int) -> list[Kriterium]:
    """The year's own criteria plus those for every year (a year's own criterion replaces one with its id)."""
    rows = session.exec(
        select(Kriterium).where((col(Kriterium.jahr) == jahr) | (col(Kriterium.jahr).is_(None)))
    ).all()
    own = {k.external_id for k in rows if k.jahr == jahr}
    chosen = [k for k in rows if k.jahr == jahr or k.external_id not in own]
    return sorted(chosen, key=lambda k: k.external_id)


@dataclass
class YearData:
    jahr: Foerderjahr
    criteria: list[Kriterium]
    antraege: list[Antrag]
    traeger: dict[int, Traeger]
    # antrag id → kriterium id → reviewer → Bewertung
    points: dict[Any, dict[Any, dict[str, Bewertung]]]


def year_data(session: Session, jahr: int) -> YearData:
    year = session.get(Foerderjahr, jahr)
    if year is None:
        raise UnknownYear(jahr)
    criteria = criteria_of_year(session, jahr)
    antraege = list(
        session.exec(
            select(Antrag)
            .where(Antrag.jahr == jahr, Antrag.status != DRAFT)
            .order_by(col(Antrag.external_id))
        ).all()
    )
    ids = [a.id for a in antraege]
    points: dict[Any, dict[Any, dict[str, Bewertung]]] = defaultdict(lambda: defaultdict(dict))
    if ids:
        for b in session.exec(select(Bewertung).where(col(Bewertung.antrag_id).in_(ids))).all():
            points[b.antrag_id][b.kriterium_id][b.pruefer] = b
    traeger_ids = {a.traeger_id for a in antraege}
    traeger = {t.id: t for t in session.exec(select(Traeger).where(col(Traeger.id).in_(traeger_ids))).all()}
    return YearData(year, criteria, antraege, traeger, points)  # type: ignore[arg-type]


def ranking_of(data: YearData) -> ranking.Ranking:
    criteria = [ranking.Criterion(k.external_id, k.name, k.gewicht) for k in data.criteria]
    by_id = {k.id: k.external_id for k in data.criteria}
    applications = []
    for a in data.antraege:
        scored = data.points.get(a.id, {})
        applications.append(
            ranking.Application(
                id=a.external_id,
                title=a.projekt,
                traeger=data.traeger[a.traeger_id].external_id,
                sum_cents=a.summe_cents,
                status=a.status,
                points={
                    by_id[k]: {p: b.punkte for p, b in reviewers.items()}
                    for k, reviewers in scored.items()
                    if k in by_id
                },
            )
        )
    return ranking.rank(data.jahr.jahr, data.jahr.budget_cents, criteria, applications)


def ranking_for_year(session: Session, jahr: int) -> ranking.Ranking:
    return ranking_of(year_data(session, jahr))
