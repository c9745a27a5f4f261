"""Server-rendered bar charts: geometry computed here, drawn as SVG by ``funding/_chart.html``.

No JavaScript and no style attributes (CSP): sizes and colours are SVG presentation attributes. Each chart
comes with a title, a description naming every value, and the same numbers in a table next to it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from app.formatting import format_euro

# Narrow on purpose: the chart is drawn at (or near) its natural size on a phone, so its 14-unit text stays
# legible. Each row is a label line (the Handlungsfeld's name) with the bar and its value below it.
WIDTH = 360
LABEL_WIDTH = 0
VALUE_WIDTH = 112
LABEL_HEIGHT = 20
ROW_HEIGHT = 52
BAR_HEIGHT = 20
TOP = 4
LINE_CHARS = 44  # characters per label line at font size 14 within WIDTH


@dataclass(frozen=True)
class Bar:
    label: str  # short label identifying the row (e.g. "HF 3", "2021")
    long_label: str  # full name for the description and the table
    cents: int
    count: int
    y: int
    width: int
    value_text: str

    name_lines: tuple[str, ...] = ()  # text drawn above the bar, wrapped to fit the chart width

    @property
    def label_ys(self) -> list[tuple[int, str]]:
        first = self.y - LABEL_HEIGHT * len(self.name_lines) + 15
        return [(first + i * LABEL_HEIGHT, line) for i, line in enumerate(self.name_lines)]

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    description: str
    bars: list[Bar]
    height: int
    bar_x: int = LABEL_WIDTH
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def total_cents(self) -> int:
        return sum(b.cents for b in self.bars)

    @property
    def total_count(self) -> int:
        return sum(b.count for b in self.bars)


def bar_chart(
    chart_id: str, title: str, data: list[tuple[str, str, int, int]], names: list[str] | None = None
) -> BarChart:
    """``data`` = (short label, long label, cents, project count); bars are scaled to the largest value.

    ``names`` (optional, one per row): text drawn above each bar, e.g. "HF 3: Bildung im familiären Umfeld".
    """
    largest = max((row[2] for row in data), default=0)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    y = TOP
    for i, (short, long, cents, count) in enumerate(data):
        lines = tuple(textwrap.wrap(names[i] if names else short, LINE_CHARS)) or (short,)
        y += LABEL_HEIGHT * len(lines)
        bars.append(
            Bar(
                label=short,
                long_label=long,
                cents=cents,
                count=count,
                y=y,
                # A non-zero amount stays visible as at least a 2-unit sliver.
                width=max(2, round(span * cents / largest)) if largest and cents else 0,
                value_text=format_euro(cents),
                name_lines=lines,
            )
        )
        y += ROW_HEIGHT - LABEL_HEIGHT
    description = "; ".join(f"{b.long_label}: {b.value_text}" for b in bars)
    return BarChart(chart_id, title, description, bars, height=max(y, ROW_HEIGHT) + TOP)
