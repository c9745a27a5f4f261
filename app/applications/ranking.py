"""The ranking rule of the Bewertungsmatrix (stated on the page and in the README):

- score per criterion = mean of the reviewers' points (0–5);
- total = Σ weight % × mean / 5 × 100 (0–100, shown with one decimal);
- an application with a criterion nobody scored is „unvollständig bewertet“ and not ranked; withdrawn ones
  (and online drafts) are not ranked;
- order: total descending (compared to two decimals), then smaller requested sum, then Antrags-ID;
- budget line: in rank order an application is „im Budget“ if it still fits the budget after all higher-ranked
  ones that fit; one that does not fit is „über Budget“ and smaller ones after it may still fit;
- disagreement flag per criterion where the reviewers' points differ by 3 or more.

Pure functions over plain data, so the CLI, the page, the exports and the tests share one implementation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.applications.vocab import WITHDRAWN, status_label

DISAGREEMENT_SPREAD = 3
MAX_POINTS = 5


def natural_key(text: str) -> tuple[Any, ...]:
    """``K2`` before ``K10``."""
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text))


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    weight: float  # percent


@dataclass
class Application:
    id: str
    title: str
    traeger: str
    sum_cents: int
    status: str  # code, see app.applications.vocab.STATUS
    # criterion id → reviewer → points
    points: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class RankedItem:
    application: Application
    means: dict[str, float | None]
    total: float | None
    incomplete: bool
    withdrawn: bool
    disagreements: list[str]
    rank: int | None = None
    in_budget: bool | None = None
    cumulative_cents: int | None = None  # budget used up to and including this one (when it fits)

    @property
    def reason_not_ranked(self) -> str | None:
        if self.withdrawn:
            return "zurückgezogen"
        if self.incomplete:
            return "unvollständig bewertet"
        return None

    def to_json(self) -> dict[str, Any]:
        a = self.application
        return {
            "antrag": a.id,
            "titel": a.title,
            "traeger": a.traeger,
            "punkte": None if self.total is None else round(self.total, 4),
            "summe_cents": a.sum_cents,
            "status": status_label(a.status),
            "uneinig": self.disagreements,
            "rang": self.rank,
            "im_budget": self.in_budget,
        }


@dataclass
class Ranking:
    jahr: int
    budget_cents: int
    criteria: list[Criterion]
    items: list[RankedItem]  # ranked ones in rank order, then the others by Antrags-ID

    @property
    def ranked(self) -> list[RankedItem]:
        return [i for i in self.items if i.rank is not None]

    @property
    def used_cents(self) -> int:
        return sum(i.application.sum_cents for i in self.items if i.in_budget)

    def to_json(self) -> dict[str, Any]:
        """Items by Antrags-ID (as the workbook lists them); the order of the ranking is in ``rang``."""
        items = sorted(self.items, key=lambda i: i.application.id)
        return {"jahr": self.jahr, "budget_cents": self.budget_cents, "items": [i.to_json() for i in items]}


def score(application: Application, criteria: Sequence[Criterion]) -> RankedItem:
    means: dict[str, float | None] = {}
    for c in criteria:
        given = list(application.points.get(c.id, {}).values())
        means[c.id] = sum(given) / len(given) if given else None
    disagreements = sorted(
        c.id
        for c in criteria
        if (given := list(application.points.get(c.id, {}).values()))
        and max(given) - min(given) >= DISAGREEMENT_SPREAD
    )
    incomplete = not criteria or any(m is None for m in means.values())
    withdrawn = application.status == WITHDRAWN
    total = None
    if not incomplete and not withdrawn:
        total = sum(c.weight / 100 * (means[c.id] or 0.0) / MAX_POINTS * 100 for c in criteria)
    return RankedItem(application, means, total, incomplete, withdrawn, disagreements)


def rank(
    jahr: int, budget_cents: int, criteria: Iterable[Criterion], applications: Iterable[Application]
) -> Ranking:
    ordered_criteria = sorted(criteria, key=lambda c: natural_key(c.id))
    scored = [score(a, ordered_criteria) for a in applications if a.status != "entwurf"]
    ranked = sorted(
        (i for i in scored if i.total is not None),
        key=lambda i: (
            -round(round(i.total or 0.0, 4), 2),
            i.application.sum_cents,
            i.application.id,  # plain text order, as the workbook sorts its ids
        ),
    )
    used = 0
    for position, item in enumerate(ranked, 1):
        item.rank = position
        item.in_budget = used + item.application.sum_cents <= budget_cents
        if item.in_budget:
            used += item.application.sum_cents
            item.cumulative_cents = used
    others = sorted((i for i in scored if i.total is None), key=lambda i: i.application.id)
    return Ranking(jahr, budget_cents, ordered_criteria, ranked + others)


def criteria_for_year(rows: Iterable[Mapping[str, Any]], jahr: int) -> list[Mapping[str, Any]]:
    """Criteria rows (key ``jahr``) of a year: those given for it plus those for every year."""
    return [r for r in rows if r["jahr"] is None or r["jahr"] == jahr]
