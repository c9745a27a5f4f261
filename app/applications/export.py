"""The Bewertungsmatrix as xlsx: applications × criteria × reviewers, means, total, rank and budget line.

Text cells are written as strings (never as formulas: a title starting with ``=`` stays text).
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Font

from app.applications.ranking import Ranking
from app.applications.service import YearData
from app.applications.vocab import status_label

MONEY_FORMAT = '#,##0.00 "€"'


def _text(cell: Cell | MergedCell, value: str | None) -> None:
    cell.value = value or ""
    cell.data_type = "s"  # never a formula


def matrix_workbook(data: YearData, ranking: Ranking) -> Workbook:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Rangliste"
    reviewers = sorted({p for per_app in data.points.values() for per_k in per_app.values() for p in per_k})
    header: list[str] = [
        "Rang",
        "Antrags-ID",
        "Projekttitel",
        "Träger-ID",
        "Beantragte Summe",
        "Punkte",
        "Budget",
        "Status",
    ]
    for k in data.criteria:
        header += [f"{k.external_id} {k.name} ({k.gewicht:g} %) – Mittel"]
        header += [f"{k.external_id} – {r}" for r in reviewers]
    header.append("Uneinig")
    ws.append([None] * len(header))
    for col, title in enumerate(header, 1):
        cell = ws.cell(row=1, column=col)
        _text(cell, title)
        cell.font = Font(bold=True)
    antraege = {a.external_id: a for a in data.antraege}
    kriterien = {k.external_id: k for k in data.criteria}
    for row_index, item in enumerate(ranking.items, 2):
        a = item.application
        antrag = antraege[a.id]
        if item.rank is None:
            budget = item.reason_not_ranked or ""
        else:
            budget = "im Budget" if item.in_budget else "über Budget"
        values: list[Any] = [item.rank, a.id, a.title, a.traeger, a.sum_cents / 100]
        values += [None if item.total is None else round(item.total, 2), budget, status_label(a.status)]
        points = data.points.get(antrag.id, {})
        for k_ext, k in kriterien.items():
            mean = item.means.get(k_ext)
            values.append(None if mean is None else round(mean, 2))
            per = points.get(k.id, {})
            values += [per[r].punkte if r in per else None for r in reviewers]
        values.append(", ".join(item.disagreements))
        for col, value in enumerate(values, 1):
            cell = ws.cell(row=row_index, column=col)
            if isinstance(value, str):
                _text(cell, value)
            else:
                cell.value = value
            if col == 5:
                cell.number_format = MONEY_FORMAT
    ws.freeze_panes = "C2"
    info = book.create_sheet("Regel")
    for line in (
        f"Förderjahr {ranking.jahr}, Budget {ranking.budget_cents / 100:.2f} €",
        "Punkte je Kriterium = Mittel der Prüferpunkte (0–5); Gesamt = Σ Gewicht % × Mittel / 5 × 100.",
        "Ein Kriterium ohne Punkte → unvollständig bewertet, nicht gereiht; zurückgezogene nicht gereiht.",
        "Reihenfolge: Punkte (zwei Nachkommastellen) absteigend, dann kleinere Summe, dann Antrags-ID.",
        "Budgetlinie: in Rangfolge im Budget, solange der Antrag nach allen höheren passenden noch passt.",
        "Uneinig: Punkte der Prüfer liegen um 3 oder mehr auseinander.",
    ):
        info.append([None])
        _text(info.cell(row=info.max_row, column=1), line)
    return book
