"""The site's charts, drawn by matplotlib as SVG in two parts.

A chart's *frame* (axes, ticks, labels, legend, and for a category the whole distribution) is drawn once and
shared by every page on the same scale, as a file under assets/charts/. A page's *layer* holds only its own
marks (bars, lines, points, their labels), drawn by matplotlib's SVG renderer through the frame's own axes
transform, and is inlined in the page over the frame. Drawing a whole figure per page costs 10-15 ms of tick
and text layout; a layer costs under 1 ms, which is what lets ~17,000 pages render in well under a minute.

Scales are shared by rounding each chart's top up to a "nice" value (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k),
so a release needs a few dozen frames. Layer coordinates are rounded to 0.1 pt: invisible, and it keeps pages small.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from html import escape

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle
from matplotlib.transforms import IdentityTransform

matplotlib.rcParams.update({
    "svg.fonttype": "none",  # text stays text: smaller, selectable, searchable
    "svg.hashsalt": "pfs",  # the same ids on every build
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial", "sans-serif"],
    "font.size": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
})  # fmt: skip

COLORS = {"work": "#4c78a8", "pe": "#f58518", "mp": "#54a24b", "fee": "#4c78a8", "mark": "#d62728",
          "guide": "#444444"}  # fmt: skip
NICE = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)
WIDTH_PT = 480
NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


def nice_top(value: float) -> float:
    """The smallest nice number at least 8% above `value` (room for a label), 1 when there is nothing to show."""
    if value is None or value <= 0:
        return 1.0
    target = value * 1.08
    exponent = math.floor(math.log10(target))
    for step in (*NICE, 10):
        top = step * 10.0**exponent
        if top >= target - 1e-12:
            return float(f"{top:.12g}")
    raise AssertionError("unreachable")


@dataclass
class Chart:
    """One frame: its figure and axes, and the file name it is shared under."""

    name: str
    figure: Figure
    axes: Axes
    alt: str
    width: float = field(init=False)
    height: float = field(init=False)

    def __post_init__(self) -> None:
        self.width, self.height = (float(v) for v in self.figure.get_size_inches() * 72)

    def frame_svg(self) -> str:
        buffer = io.StringIO()
        self.figure.savefig(buffer, format="svg", metadata=NO_METADATA)
        return buffer.getvalue()

    def point(self, x: float, y: float) -> tuple[float, float]:
        """A data point in display coordinates, rounded to 0.1 pt."""
        px, py = self.points([(x, y)])[0]
        return px, py

    def points(self, xy: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        """Data points in display coordinates, rounded to 0.1 pt."""
        return [tuple(p) for p in np.round(self.axes.transData.transform(xy), 1).tolist()]

    def layer(self, artists: Sequence[Artist], labels: Sequence[Label] = ()) -> str:
        """The marks as SVG elements to inline over the frame (display coordinates, same viewBox)."""
        buffer = io.StringIO()
        renderer = RendererSVG(self.width, self.height, buffer, image_dpi=72, metadata=NO_METADATA)
        for artist in artists:
            artist.set_figure(self.figure)
            artist.draw(renderer)
        renderer.finalize()
        return "\n".join([_body(buffer.getvalue()), *(label.svg(self.height) for label in labels)])


@dataclass(frozen=True)
class Label:
    """A text label at a display point. Written as an SVG <text> styled by the page (class `name`), because
    matplotlib's text layout costs 0.45 ms a label, as much as all of a page's other marks."""

    x: float
    y: float
    text: str
    name: str
    anchor: str = "start"  # SVG text-anchor: start, middle, end
    baseline: str = "auto"  # SVG dominant-baseline: auto (on the point), middle, hanging (below it)

    def svg(self, height: float) -> str:
        return (f'<text class="{self.name}" x="{self.x:g}" y="{height - self.y:.1f}" text-anchor="{self.anchor}" '
                f'dominant-baseline="{self.baseline}">{escape(self.text)}</text>')  # fmt: skip


_DRAWN: dict[str, Chart] = {}


def shared(make: Callable[..., Chart]) -> Callable[..., Chart]:
    """A frame made once per scale, and listed by `drawn()` for writing as a shared file."""

    @cache
    def made(*key) -> Chart:
        chart = make(*key)
        _DRAWN[chart.name] = chart
        return chart

    return made


def drawn() -> list[Chart]:
    """The shared frames made so far in this process."""
    return list(_DRAWN.values())


_BODY = re.compile(r"<defs>\s*<style.*?</defs>\s*(.*)</svg>", re.S)


def _body(document: str) -> str:
    """What the renderer drew, without the document around it."""
    return _BODY.search(document).group(1).strip()


def _figure(height_pt: float, box: tuple[float, float, float, float], grid: str = "y") -> tuple[Figure, Axes]:
    """A figure WIDTH_PT wide with one axes at a fixed place (points from the left, bottom, width, height)."""
    figure = Figure(figsize=(WIDTH_PT / 72, height_pt / 72), dpi=72)  # display units are then SVG points
    left, bottom, width, height = box
    axes = figure.add_axes((left / WIDTH_PT, bottom / height_pt, width / WIDTH_PT, height / height_pt))
    axes.grid(True, axis=grid, color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    return figure, axes


def _rect(x0, y0, x1, y1, color: str, gid: str) -> Rectangle:
    return Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor=color, edgecolor="none", transform=IdentityTransform(),
                     gid=gid, clip_on=False)  # fmt: skip


def _line(xs, ys, gid: str, **style) -> Line2D:
    return Line2D(xs, ys, transform=IdentityTransform(), gid=gid, clip_on=False, **style)


# --- RVU breakdown: work, PE and MP, stacked, non-facility and facility ----------------------------------------


@shared
def rvu_chart(top: float) -> Chart:
    figure, axes = _figure(130, (92, 34, 360, 60), grid="x")
    axes.set_xlim(0, top)
    axes.set_ylim(-0.5, 1.5)
    axes.set_yticks([1, 0], ["Non-facility", "Facility"])
    axes.set_xlabel("RVUs")
    axes.tick_params(axis="y", length=0)
    axes.spines["left"].set_visible(False)
    handles = [Rectangle((0, 0), 1, 1, color=COLORS[k]) for k in ("work", "pe", "mp")]
    figure.legend(handles, ["Work", "Practice expense", "Malpractice"], loc="upper left", ncols=3, frameon=False,
                  bbox_to_anchor=(80 / WIDTH_PT, 1.0), fontsize=10)  # fmt: skip
    return Chart(f"rvu-{top:g}", figure, axes, f"Axes: RVUs from 0 to {top:g}; rows non-facility and facility")


def rvu_layer(work: float, pe_nonfacility: float, pe_facility: float, mp: float) -> tuple[Chart, str]:
    """Stacked bars of one code's RVUs in both settings."""
    chart = rvu_chart(nice_top(max(work + pe_nonfacility + mp, work + pe_facility + mp)))
    marks, labels = [], []
    for row, (setting, pe) in enumerate((("facility", pe_facility), ("nonfacility", pe_nonfacility))):
        start = 0.0
        for part, value in (("work", work), ("pe", pe), ("mp", mp)):
            (x0, y0), (x1, y1) = chart.point(start, row - 0.3), chart.point(start + value, row + 0.3)
            if value > 0:
                marks.append(_rect(x0, y0, x1, y1, COLORS[part], f"rvu-{setting}-{part}"))
            start += value
        x, y = chart.point(start, row)
        labels.append(Label(x + 4, y, f"{start:g}", "value", baseline="middle"))
    return chart, chart.layer(marks, labels)


# --- the fee in every locality, sorted ----------------------------------------------------------------------


@shared
def locality_chart(count: int, top: float, setting: str) -> Chart:
    figure, axes = _figure(230, (62, 40, LOCALITY_PLOT_PT, 170))
    axes.set_xlim(0, count)
    axes.set_ylim(0, top)
    axes.set_xticks([0.5, count / 2, count - 0.5], ["lowest", f"{count} localities", "highest"])
    axes.tick_params(axis="x", length=0)
    axes.set_ylabel(f"{setting.capitalize()} fee (USD)")
    axes.yaxis.set_major_formatter("${x:,.0f}" if top >= 10 else "${x:,.2f}")
    alt = f"Axes: {setting} fee in US dollars from $0 to ${top:g}; {count} localities from lowest to highest fee"
    return Chart(f"localities-{count}-{top:g}-{setting}", figure, axes, alt)


LOCALITY_PLOT_PT = 320  # the right margin holds the national and median labels
LABEL_GAP_PT = 12


def locality_layer(fees: Sequence[float], national: float | None, median: float, setting: str) -> tuple[Chart, str]:
    """A bar per locality (one outline, lowest to highest), the national amount and the median as lines."""
    chart = locality_chart(len(fees), nice_top(max([*fees, national or 0])), setting)
    steps = []  # a run of localities with the same fee is one step
    for i, fee in enumerate(fees):
        if steps and steps[-1][1] == fee:
            steps[-1] = (i + 1, fee)
        else:
            steps += [(i, fee), (i + 1, fee)]
    outline = chart.points([(0, 0), *steps, (len(fees), 0)])
    marks: list[Artist] = [Polygon(outline, closed=True, facecolor=COLORS["fee"], edgecolor="none",
                                   transform=IdentityTransform(), gid="loc-bars", clip_on=False)]  # fmt: skip
    lines = [("median", median, "guide")]
    if national is not None:
        lines.insert(0, ("national", national, "mark"))
    labels = []
    for name, value, color in lines:
        (x0, y), (x1, _) = chart.point(0, value), chart.point(len(fees), value)
        marks.append(_line([x0, x1 + 2], [y, y], f"loc-{name}", color=COLORS[color], linewidth=1.2,
                           linestyle="--" if name == "median" else "-"))  # fmt: skip
        labels.append(Label(x1 + 5, y, f"{name} ${value:,.2f}", name, baseline="middle"))
    if len(labels) == 2 and abs(labels[0].y - labels[1].y) < LABEL_GAP_PT:  # close lines: labels pulled apart
        low, high = sorted(labels, key=lambda label: label.y)
        middle = (low.y + high.y) / 2
        labels = [replace(low, y=middle - LABEL_GAP_PT / 2), replace(high, y=middle + LABEL_GAP_PT / 2)]
    return chart, chart.layer(marks, labels)


# --- the category's distribution of work RVUs ---------------------------------------------------------------


def category_chart(slug: str, category: str, values: Sequence[float], median: float, top_code: str) -> Chart:
    """The share of the category's codes at or below each work RVU (what the percentile reads), log scale."""
    figure, axes = _figure(230, (62, 40, 400, 170))
    ordered = sorted(values)
    n = len(ordered)
    xs, ys = [], []
    for i, value in enumerate(ordered):  # cume_dist: ties take the share of the last of them
        if i + 1 < n and ordered[i + 1] == value:
            continue
        xs.append(value)
        ys.append(100 * (i + 1) / n)
    axes.step(xs, ys, where="post", color=COLORS["fee"], linewidth=1.5, gid="category-curve")
    axes.set_xscale("log")
    low, high = ordered[0], ordered[-1]
    axes.set_xlim(low / 1.3, high * 1.3)
    axes.set_ylim(0, 100)
    axes.set_xlabel("Work RVU (log scale)")
    axes.set_ylabel("Percentile")
    axes.axvline(median, color=COLORS["guide"], linestyle="--", linewidth=1, gid="category-median")
    axes.annotate(f"median {median:g}", (median, 4), xytext=(4, 0), textcoords="offset points", fontsize=10,
                  color=COLORS["guide"])  # fmt: skip
    axes.annotate(f"highest {high:g} ({top_code})", (high, 100), xytext=(-4, -14), textcoords="offset points",
                  fontsize=10, ha="right", color=COLORS["guide"])  # fmt: skip
    axes.set_title(f"{category}: work RVUs of {n:,} codes", fontsize=11, loc="left")
    return Chart(f"category-{slug}", figure, axes,
                 f"The share of {n:,} {category} codes at or below each work RVU, from {low:g} to {high:g} "
                 f"(log scale); median {median:g}")  # fmt: skip


def category_layer(chart: Chart, hcpcs: str, value: float, percentile: float) -> str:
    """This code on its category's curve: a point, guides to both axes, and its label."""
    x, y = chart.point(value, percentile)
    x0, y0 = chart.point(chart.axes.get_xlim()[0], 0)
    left = x > chart.width * 0.7
    return chart.layer([
        _line([x0, x, x], [y, y, y0], "category-guides", color=COLORS["mark"], linewidth=1, linestyle=":"),
        _line([x], [y], "category-point", color=COLORS["mark"], marker="o", markersize=9, markeredgecolor="white"),
    ], [Label(x + (-8 if left else 8), y - 4, f"{hcpcs}: {value:g}", "national", "end" if left else "start",
              "hanging")])  # fmt: skip


# --- history across the lake's releases ---------------------------------------------------------------------


@shared
def history_chart(releases: tuple[str, ...], top: float) -> Chart:
    figure, axes = _figure(180, (62, 40, 400, 120))
    axes.set_xlim(-0.5, len(releases) - 0.5)
    axes.set_ylim(0, top)
    axes.set_xticks(range(len(releases)), releases)
    axes.set_ylabel("National fee (USD)")
    axes.yaxis.set_major_formatter("${x:,.0f}" if top >= 10 else "${x:,.2f}")
    return Chart(f"history-{len(releases)}-{'-'.join(releases)}-{top:g}", figure, axes,
                 f"Axes: releases {', '.join(releases)}; national non-facility fee from $0 to ${top:g}")  # fmt: skip


def history_layer(releases: tuple[str, ...], fees: dict[str, float]) -> tuple[Chart, str]:
    """The national non-facility fee in each release that has one, joined in release order."""
    chart = history_chart(releases, nice_top(max(fees.values(), default=0)))
    points = [(r, chart.point(releases.index(r), fee), fee) for r, fee in fees.items()]
    labels = [Label(x, y + 8, f"${fee:,.2f}", "value", "middle") for _, (x, y), fee in points]
    line = _line([p[0] for _, p, _ in points], [p[1] for _, p, _ in points], "history-line", color=COLORS["fee"],
                 linewidth=1.5, marker="o", markersize=7)  # fmt: skip
    return chart, chart.layer([line], labels)
