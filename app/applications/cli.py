"""Plain-text ranking for ``python -m app.cli rangliste --jahr YEAR`` (the JSON is ``Ranking.to_json``)."""

from __future__ import annotations

from app.applications.ranking import Ranking
from app.formatting import format_euro


def points_text(total: float | None) -> str:
    return "–" if total is None else f"{total:.1f}".replace(".", ",")


def ranking_text(result: Ranking) -> str:
    lines = [
        f"Rangliste Förderjahr {result.jahr} – Budget {format_euro(result.budget_cents)}, "
        f"davon im Budget {format_euro(result.used_cents)}",
        "Regel: Σ Gewicht % × Mittel der Prüferpunkte / 5 × 100; "
        "Gleichstand: kleinere Summe, dann Antrags-ID.",
        "",
        f"{'Rang':>4}  {'Antrag':<14} {'Punkte':>6}  {'Summe':>14}  {'Budget':<12} Titel",
    ]
    for item in result.items:
        a = item.application
        if item.rank is None:
            budget = item.reason_not_ranked or ""
        else:
            budget = "im Budget" if item.in_budget else "über Budget"
        flag = f"  (uneinig: {', '.join(item.disagreements)})" if item.disagreements else ""
        lines.append(
            f"{item.rank if item.rank is not None else '–':>4}  {a.id:<14} {points_text(item.total):>6}  "
            f"{format_euro(a.sum_cents):>14}  {budget:<12} {a.title}{flag}"
        )
    return "\n".join(lines)
