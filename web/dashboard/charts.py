"""The dashboard's charts as numbers the templates place: the growth chart's bars, line, dots and
ticks, the cascade's bar widths, and the five shading classes of the county map. Each shade has a
number and a range beside its colour, so colour is never the only cue."""

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 640.0, 300.0
LEFT, RIGHT, TOP, BOTTOM = 56.0, 16.0, 16.0, 40.0
CLASSES = 5


def nice_ceiling(value: float) -> int:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above value (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value and float(step * power).is_integer():
            return int(step * power)
    return int(10 * power)  # pragma: no cover (10 always fits)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Dot:
    label: str
    value: int | None
    x: float
    y: float


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class GrowthChart:
    width: float
    height: float
    bars: tuple[Bar, ...]
    dots: tuple[Dot, ...]
    line: str  # the polyline's points
    ticks: tuple[Tick, ...]
    top: float
    bottom: float
    left: float
    right: float


def growth_chart(periods: list[tuple[str, int | None, int | None]]) -> GrowthChart:
    """New reach per period as bars, cumulative reach as a line with a dot per period; a withheld
    figure (None) draws neither."""
    top = nice_ceiling(max((v or 0 for _, new, cum in periods for v in (new, cum)), default=0))
    plot_height, plot_width = HEIGHT - TOP - BOTTOM, WIDTH - LEFT - RIGHT
    slot = plot_width / max(len(periods), 1)
    bar_width = round(min(slot * 0.6, 80.0), 1)
    baseline = HEIGHT - BOTTOM

    def y(value: int) -> float:
        return round(baseline - plot_height * value / top, 1)

    bars, dots = [], []
    for i, (label, new, cumulative) in enumerate(periods):
        middle = LEFT + slot * (i + 0.5)
        bar_y = y(new or 0)
        bars.append(Bar(label, new, round(middle - bar_width / 2, 1), bar_y, bar_width,
                        round(baseline - bar_y, 1)))
        if cumulative is not None:
            dots.append(Dot(label, cumulative, round(middle, 1), y(cumulative)))
    step = top / 4
    ticks = tuple(Tick(round(step * k), y(step * k)) for k in range(5)
                  if float(step * k).is_integer())
    return GrowthChart(width=WIDTH, height=HEIGHT, bars=tuple(bars), dots=tuple(dots),
                       line=" ".join(f"{d.x:g},{d.y:g}" for d in dots), ticks=ticks,
                       top=TOP, bottom=baseline, left=LEFT, right=WIDTH - RIGHT)


def widths(values: list[int | None], full: float = 100.0) -> list[float]:
    """Each value's bar as a share of the largest (withheld or zero: no bar)."""
    largest = max((v or 0 for v in values), default=0)
    return [round(full * (v or 0) / largest, 1) if largest else 0.0 for v in values]


@dataclass(frozen=True)
class Shade:
    number: int  # 1 (lightest) to 5 (darkest)
    low: int
    high: int

    @property
    def label(self) -> str:
        return f"{self.low:,}" if self.low == self.high else f"{self.low:,}–{self.high:,}"


@dataclass(frozen=True)
class Shades:
    """Five equal steps up to a nice ceiling over the largest value; the steps with no whole
    number in them are left out of the legend."""

    ceiling: int
    classes: tuple[Shade, ...]

    def of(self, value: int | None) -> Shade | None:
        if not value:
            return None
        step = self.ceiling / CLASSES
        number = min(CLASSES, max(1, math.ceil(value / step)))
        return next(s for s in self.classes if s.number >= number)

    def css(self, value: int | None, withheld: bool = False) -> str:
        if withheld:
            return "shade-withheld"
        shade = self.of(value)
        return f"shade-{shade.number}" if shade else "shade-0"


def shades(values: list[int | None]) -> Shades:
    ceiling = nice_ceiling(max((v or 0 for v in values), default=0))
    step = ceiling / CLASSES
    classes = []
    for number in range(1, CLASSES + 1):
        low, high = math.floor(step * (number - 1)) + 1, math.floor(step * number)
        if low <= high:
            classes.append(Shade(number, low, high))
    return Shades(ceiling=ceiling, classes=tuple(classes))
