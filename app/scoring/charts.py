"""Geometry of the server-rendered SVG charts (pure: the templates only draw what these return).

Colours are never chosen here: each bar carries a severity class (0 calm … 2 severe) that the stylesheet
colours, and every bar also carries its number as text, so colour is never the only signal.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from .scoring import Band

LABEL_WIDTH = 180  # room for "Kab. Hulu Sungai Tengah" at 12 px
BAR_HEIGHT = 18
ROW_GAP = 6
VALUE_ROOM = 48  # the score written after the bar
TOP = 22  # room for the scale above the bars
SCALE_STEPS = (0, 25, 50, 75, 100)


@dataclass(frozen=True)
class Bar:
    """One regency's bar."""

    label: str
    value: float | None
    x: float
    y: float
    width: float
    severity: int | None  # 0 calm, 1 middle, 2 severe; None without a band


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart on a 0–100 scale with a dashed average line."""

    width: int
    height: int
    plot_left: int
    plot_width: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (x, value)
    average_x: float | None
    average: float | None


def severity(band: Band | None, bands: Sequence[Band], higher_is_worse: bool) -> int | None:
    """0 (calm), 1 or 2 (severe) for a band, spread over however many bands the index has."""
    if band is None or not bands:
        return None
    position = next((i for i, b in enumerate(bands) if b == band), None)
    if position is None:
        return None
    if len(bands) == 1:
        return 0
    step = position / (len(bands) - 1)
    return round(2 * (step if higher_is_worse else 1 - step))


Row = tuple[str, float | None, int | None]


def bar_chart(rows: Sequence[Row], average: float | None, width: int = 640) -> BarChart:
    """Bars for (label, value 0–100 or None, severity) rows, top to bottom in the order given."""
    plot_left = LABEL_WIDTH
    plot_width = width - LABEL_WIDTH - VALUE_ROOM
    bars = []
    for i, (label, value, level) in enumerate(rows):
        y = TOP + i * (BAR_HEIGHT + ROW_GAP)
        length = 0.0 if value is None else max(0.0, min(100.0, value)) / 100 * plot_width
        bars.append(Bar(label, value, plot_left, y, round(length, 1), level))
    height = TOP + len(rows) * (BAR_HEIGHT + ROW_GAP) + 4
    ticks = [(plot_left + step / 100 * plot_width, step) for step in SCALE_STEPS]
    average_x = None if average is None else round(plot_left + average / 100 * plot_width, 1)
    return BarChart(width, height, plot_left, plot_width, bars, ticks, average_x, average)


@dataclass(frozen=True)
class LineChart:
    """A small line of an index over editions."""

    width: int
    height: int
    points: list[tuple[float, float, str, float]]  # (x, y, edition, value)

    @property
    def path(self) -> str:
        """The polyline's points attribute."""
        return " ".join(f"{x},{y}" for x, y, _, _ in self.points)


def line_chart(series: Sequence[tuple[str, float]], width: int = 240, height: int = 60, pad: int = 8) -> LineChart:
    """Points of (edition, value 0–100) left to right; 100 at the top."""
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    count = len(series)
    points = []
    for i, (edition, value) in enumerate(series):
        x = pad + (inner_w / 2 if count == 1 else i * inner_w / (count - 1))
        y = pad + (1 - max(0.0, min(100.0, value)) / 100) * inner_h
        points.append((round(x, 1), round(y, 1), edition, value))
    return LineChart(width, height, points)
