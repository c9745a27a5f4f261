"""Server-rendered bar charts: geometry computed here, drawn as SVG by ``funding/_chart.html``.

No JavaScript and no style attributes (CSP): sizes and colours are SVG presentation attributes. Each chart
comes with a title, a description naming every value, and the same numbers in a table next to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.formatting import format_euro

WIDTH = 640
LABEL_WIDTH = 120
VALUE_WIDTH = 130
ROW_HEIGHT = 34
BAR_HEIGHT = 22
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str  # short label drawn in the chart (e.g. "HF 3", "2021")
    long_label: str  # full name for the description and the table
    cents: int
    count: int
    y: int
    width: int
    value_text: str

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


def bar_chart(chart_id: str, title: str, data: list[tuple[str, str, int, int]]) -> BarChart:
    """``data`` = (short label, long label, cents, project count); bars are scaled to the largest value."""
    largest = max((row[2] for row in data), default=0)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=short,
            long_label=long,
            cents=cents,
            count=count,
            y=TOP + i * ROW_HEIGHT,
            # A non-zero amount stays visible as at least a 2-unit sliver.
            width=max(2, round(span * cents / largest)) if largest and cents else 0,
            value_text=format_euro(cents),
        )
        for i, (short, long, cents, count) in enumerate(data)
    ]
    description = "; ".join(f"{b.long_label}: {b.value_text}" for b in bars)
    return BarChart(chart_id, title, description, bars, height=TOP * 2 + ROW_HEIGHT * max(1, len(bars)))
