"""Two-dimensional views of the planning cube with Planungsraum subtotals, and its CSV export.

Views: Ortsteil × Zielgruppe for one Handlungsfeld (or all), Ortsteil × Handlungsfeld for one Zielgruppe (or
all), Zielgruppe × Handlungsfeld for one Ortsteil (or the whole city). Beside each Ortsteil: the year's LSZ
money there. Subtotals add up the Ortsteile of a Planungsraum (an offer in two of its Ortsteile counts twice).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Literal

from app.planning.cube import ALL, NO_HF, STADTWEIT, Cube

View = Literal["ortsteil-zielgruppe", "ortsteil-handlungsfeld", "zielgruppe-handlungsfeld"]
VIEWS: tuple[View, ...] = ("ortsteil-zielgruppe", "ortsteil-handlungsfeld", "zielgruppe-handlungsfeld")


@dataclass(frozen=True)
class PivotRow:
    key: str
    label: str
    cells: tuple[int, ...]
    money: int | None  # cents; None where the view has no money column
    kind: str = "row"  # row | subtotal | stadtweit | total


@dataclass(frozen=True)
class Pivot:
    view: View
    columns: tuple[tuple[str, str], ...]
    rows: tuple[PivotRow, ...]
    money_by_column: tuple[int, ...] | None = None  # Zielgruppe × HF: LSZ money per HF

    @property
    def gaps(self) -> int:
        return sum(1 for r in self.rows if r.kind == "row" for n in r.cells if n == 0)


def _hf_columns(cube: Cube) -> tuple[tuple[str, str], ...]:
    return tuple((str(n), f"HF {n}") for n, _label in cube.handlungsfelder)


def pivot(
    cube: Cube,
    view: View,
    *,
    hf: int | None = None,
    zielgruppe: str | None = None,
    ortsteil: str | None = None,
) -> Pivot:
    if view == "zielgruppe-handlungsfeld":
        place = ortsteil or ALL
        columns = _hf_columns(cube)
        rows = [
            PivotRow(code, label, tuple(cube.count(place, code, int(h)) for h, _ in columns), None)
            for code, label in cube.zielgruppen
        ]
        rows.append(
            PivotRow(
                "alle",
                "alle Zielgruppen",
                tuple(cube.count(place, None, int(h)) for h, _ in columns),
                None,
                "total",
            )
        )
        per_hf = tuple(cube.euros(place, int(h)) for h, _ in columns)
        return Pivot(view, columns, tuple(rows), per_hf)

    by_zielgruppe = view == "ortsteil-zielgruppe"
    columns = tuple(cube.zielgruppen) if by_zielgruppe else _hf_columns(cube)

    def cells(place: str) -> tuple[int, ...]:
        if by_zielgruppe:
            return tuple(cube.count(place, code, hf) for code, _ in columns)
        return tuple(cube.count(place, zielgruppe, int(h)) for h, _ in columns)

    def money(place: str) -> int:
        return cube.euros(place, hf) if by_zielgruppe else cube.euros(place)

    result: list[PivotRow] = []
    for raum in cube.raeume:
        members = [o for o in cube.ortsteile if o.planungsraum_code == raum.code]
        group = [PivotRow(o.slug, o.name, cells(o.slug), money(o.slug)) for o in members]
        result += group
        result.append(
            PivotRow(
                f"planungsraum-{raum.code}",
                f"Planungsraum {raum.name}",
                tuple(sum(r.cells[i] for r in group) for i in range(len(columns))),
                sum(r.money or 0 for r in group),
                "subtotal",
            )
        )
    result.append(PivotRow(STADTWEIT, "stadtweit", cells(STADTWEIT), money(STADTWEIT), "stadtweit"))
    return Pivot(view, columns, tuple(result))


def _euro_text(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def cube_csv(cube: Cube) -> bytes:
    """Every Ortsteil (and „stadtweit“) × Zielgruppe × Handlungsfeld: offers, and the LSZ money of the year in
    that Ortsteil and Handlungsfeld (repeated per Zielgruppe – do not add it up over Zielgruppen)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    jahr = cube.jahr if cube.jahr is not None else ""
    writer.writerow(
        [
            "Planungsraum",
            "Ortsteil",
            "Zielgruppe",
            "Handlungsfeld",
            "Angebote",
            f"Förderungen € {jahr} (Ortsteil × HF)",
        ]
    )
    raeume = {r.code: r.name for r in cube.raeume}
    places = [(raeume.get(o.planungsraum_code, ""), o.slug, o.name) for o in cube.ortsteile]
    places.append(("", STADTWEIT, "stadtweit"))
    hfs = [n for n, _ in cube.handlungsfelder] + [NO_HF]
    for raum, slug, name in places:
        for _code, label in cube.zielgruppen:
            for hf in hfs:
                writer.writerow(
                    [
                        raum,
                        name,
                        label,
                        hf if hf != NO_HF else "ohne",
                        cube.count(slug, _code, hf),
                        _euro_text(cube.euros(slug, hf)) if hf != NO_HF else "0,00",
                    ]
                )
    return buffer.getvalue().encode("utf-8-sig")
