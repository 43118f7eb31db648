"""Chart geometry as pure functions: numbers in, rectangles and labels out.

The templates draw what these return as inline SVG, so a chart reads without
JavaScript and the arithmetic is tested on its own.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str


@dataclass(frozen=True)
class Tick:
    x: float  # the centre of the bar it names, or the last bar's right edge
    label: str
    anchor: str = "middle"  # SVG text-anchor: "end" for the last bar's


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: float  # the plot area inside the axes
    top: float
    right: float
    bottom: float
    bars: list
    ticks: list
    peak: int  # the largest value, written at the top of the value axis

    @property
    def busiest(self):
        """The first bar holding the largest value, or None on an empty chart."""
        return max(self.bars, key=lambda bar: bar.value, default=None)


# Room for the value labels on the left and the day labels underneath.
MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM = 40, 12, 8, 24
GAP = 0.2  # the share of each slot left empty between bars


def tick_step(count, max_ticks=8):
    """Label every n-th bar so that no more than `max_ticks` labels show."""
    return max(1, math.ceil(count / max_ticks))


def bars(values, width, height, *, labels=None, max_ticks=8):
    """Lay out one bar per value in a `width` × `height` chart.

    Bars grow up from the bottom axis in proportion to the largest value; a
    zero is a bar of no height, so every slot is still there. `labels` name
    the bars; the last bar is always labelled and then every n-th before it.
    """
    values = list(values)
    labels = list(labels) if labels is not None else [str(v) for v in values]
    if len(labels) != len(values):
        raise ValueError("Give one label per value.")
    left, top = MARGIN_LEFT, MARGIN_TOP
    right, bottom = width - MARGIN_RIGHT, height - MARGIN_BOTTOM
    peak = max(values, default=0)
    slot = (right - left) / len(values) if values else 0
    bar_width = round(slot * (1 - GAP), 2)
    step = tick_step(len(values), max_ticks)
    laid_out, ticks = [], []
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        bar_height = round((bottom - top) * value / peak, 2) if peak else 0
        x = round(left + index * slot + slot * GAP / 2, 2)
        laid_out.append(
            Bar(
                x=x,
                y=round(bottom - bar_height, 2),
                width=bar_width,
                height=bar_height,
                value=value,
                label=label,
            )
        )
        if index == len(values) - 1:
            # Centred, the last label would run past the chart's right edge
            # (a Russian "30 дек." is wider than the margin): it ends there.
            ticks.append(Tick(x=round(x + bar_width, 2), label=label, anchor="end"))
        elif (len(values) - 1 - index) % step == 0:
            ticks.append(Tick(x=round(x + bar_width / 2, 2), label=label))
    return BarChart(
        width=width,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        bars=laid_out,
        ticks=ticks,
        peak=peak,
    )
