"""Open data per funded project: linked offers and the k-anonymous evaluation figures (never comments)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from app.catalogue.models import Angebot, Foerderung, FoerderungAngebot
from app.quality import evaluation
from app.quality.models import (
    Nutzerbewertung,
)


def aggregates_for(session: Session, grants: Iterable[Foerderung]) -> dict[int, evaluation.Aggregate]:
    """Per funded project (its id): the aggregate over its offers' evaluations, in one grouped query."""
    ids = [g.id for g in grants if g.id is not None]
    if not ids:
        return {}
    stmt = (
        select(
            FoerderungAngebot.foerderung_id,
            func.count(col(Nutzerbewertung.id)),
            func.avg(Nutzerbewertung.zufriedenheit),
            func.sum(case((col(Nutzerbewertung.weiterempfehlen).is_(True), 1), else_=0)),
        )
        .join(Nutzerbewertung, col(Nutzerbewertung.angebot_id) == FoerderungAngebot.angebot_id)
        .where(col(FoerderungAngebot.foerderung_id).in_(ids))
        .group_by(col(FoerderungAngebot.foerderung_id))
    )
    found = {fid: evaluation.to_aggregate(c, a, y) for fid, c, a, y in session.exec(stmt).all()}
    return {i: found.get(i, evaluation.EMPTY) for i in ids}


@dataclass(frozen=True)
class OpenDataSummary:
    """What open data publishes per funded project: linked offers and the k-anonymous evaluation figures."""

    offer_ids: list[str]
    aggregate: evaluation.Aggregate

    @property
    def average(self) -> float | None:
        agg = self.aggregate
        return round(agg.mean, 1) if agg.shown and agg.mean is not None else None

    @property
    def recommend_percent(self) -> int | None:
        agg = self.aggregate
        return round(agg.recommend_share * 100) if agg.shown and agg.recommend_share is not None else None


def open_data(session: Session, grants: Iterable[Foerderung]) -> dict[int, OpenDataSummary]:
    """Per funded project (its id), in two queries; comments are never part of it."""
    grant_list = [g for g in grants if g.id is not None]
    ids: list[int] = [g.id for g in grant_list if g.id is not None]
    if not ids:
        return {}
    offers: dict[int, list[str]] = {}
    stmt = (
        select(FoerderungAngebot.foerderung_id, Angebot.external_id)
        .join(Angebot, col(Angebot.id) == FoerderungAngebot.angebot_id)
        .where(col(FoerderungAngebot.foerderung_id).in_(ids), col(Angebot.published).is_(True))
        .order_by(col(Angebot.external_id))
    )
    for fid, ext in session.exec(stmt).all():
        offers.setdefault(fid, []).append(ext)
    aggregates = aggregates_for(session, grant_list)
    return {i: OpenDataSummary(offers.get(i, []), aggregates[i]) for i in ids}
