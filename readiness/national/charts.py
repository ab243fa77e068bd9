"""SVG charts of the national dashboard and summary PDF: distributions, levels, barriers, progress.

Same rules as `readiness.report.charts`: hand-written SVG, every text escaped, a <title> and <desc>
on each chart, labels inside the viewBox, colour never the only carrier of meaning. A suppressed
cell is drawn as a written "fewer than 5", never as a bar. Each chart has a data table beside it on
the page. `national_charts` draws the four charts of a dashboard; a chart with nothing to draw
(every value suppressed, or no data) is not drawn at all, and the page says why instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from readiness.national.aggregate import (
    BarrierCount,
    Cell,
    Dashboard,
    DimensionProgress,
    DimensionSummary,
)
from readiness.report.charts import BAND_COLOURS, FILL, FONT, GAP, GRID, INK, MUTED, wrap_label
from readiness.translate import format_number
from readiness.translate import gettext as _

PREVIOUS = "#9aa5b1"
SIZE = 12.0
ROW = 34.0
LABEL_W = 230.0
BARRIERS_SHOWN = 10
# Why a chart is not drawn: every value it would show is suppressed, or there is none.
TOO_FEW = "too_few"
NO_DATA = "no_data"


@dataclass(frozen=True)
class Chart:
    """A drawn chart, or the reason none is drawn (`TOO_FEW` or `NO_DATA`), for the page to
    say in words instead of showing an empty frame."""

    svg: Markup | None = None
    missing: str | None = None


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _svg(kind: str, width: float, height: float, title: str, desc: str,
         body: Sequence[str]) -> Markup:
    ident = "nchart-" + hashlib.sha1(f"{kind}\x1f{title}\x1f{desc}".encode()).hexdigest()[:10]
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" role="img" '
        f'width="{_n(width)}" height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'aria-labelledby="{ident}-t {ident}-d" font-family="{FONT}">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = INK,
          size: float = SIZE, weight: str = "normal") -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" '
            f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>')


def _label(y: float, text: str, chars: int = 34) -> str:
    lines = wrap_label(text, chars)[:3]
    top = y - (len(lines) - 1) * SIZE * 0.6
    return "".join(_text(LABEL_W - 8, top + n * SIZE * 1.2, line, anchor="end")
                   for n, line in enumerate(lines))


def _axis(x0: float, width: float, top: float, bottom: float, suffix: str = "") -> list[str]:
    out = []
    for tick in (0, 25, 50, 75, 100):
        x = x0 + width * tick / 100
        out.append(f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(_text(x, top - 4, f"{tick}{suffix}", anchor="middle", fill=MUTED,
                         size=SIZE * 0.85))
    return out


def _is_number(value: Cell) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def distribution_svg(dims: Sequence[DimensionSummary], width: int = 640) -> Markup:
    """Per dimension: the middle half of the municipalities' scores (box), median and mean."""
    plot_w = width - LABEL_W - 90
    top = 26.0
    height = top + ROW * len(dims) + 10
    body = _axis(LABEL_W, plot_w, top, height - 10)
    described = []
    for n, d in enumerate(dims):
        y = top + ROW * n + ROW / 2
        body.append(_label(y + 4, d.title))
        if not all(_is_number(v) for v in (d.q1, d.q3, d.median, d.mean)):
            note = (_("%(count)s municipalities", count=d.median) if isinstance(d.median, str)
                    else _("no scores"))
            body.append(_text(LABEL_W + 4, y + 4, note, fill=MUTED))
            described.append(_("%(title)s: not shown (%(note)s)", title=d.title, note=note))
            continue
        q1, q3, med, mean = (float(v) for v in (d.q1, d.q3, d.median, d.mean))  # type: ignore[arg-type]
        x1, x3 = LABEL_W + plot_w * q1 / 100, LABEL_W + plot_w * q3 / 100
        body.append(f'<rect x="{_n(x1)}" y="{_n(y - 9)}" width="{_n(max(x3 - x1, 1))}" '
                    f'height="18" fill="{FILL}" fill-opacity="0.3" stroke="{FILL}"/>')
        xm = LABEL_W + plot_w * med / 100
        body.append(f'<line x1="{_n(xm)}" y1="{_n(y - 11)}" x2="{_n(xm)}" y2="{_n(y + 11)}" '
                    f'stroke="{INK}" stroke-width="2.5"/>')
        body.append(f'<circle cx="{_n(LABEL_W + plot_w * mean / 100)}" cy="{_n(y)}" r="3.5" '
                    f'fill="#ffffff" stroke="{INK}" stroke-width="1.5"/>')
        body.append(_text(LABEL_W + plot_w + 8, y + 4, _("median %(median)s",
                                                         median=f"{med:.0f}")))
        described.append(_("%(title)s: median %(median)s, middle half %(q1)s to %(q3)s, mean "
                           "%(mean)s", title=d.title, median=f"{med:.0f}", q1=f"{q1:.0f}",
                           q3=f"{q3:.0f}", mean=f"{mean:.0f}"))
    return _svg("distribution", width, height, _("Spread of dimension scores (0 to 100)"),
                "; ".join(described) + ".", body)


def _missing(cells: Sequence[Cell]) -> str:
    """Why nothing can be drawn from these cells: some suppressed, or none at all."""
    return TOO_FEW if any(isinstance(c, str) for c in cells) else NO_DATA


def national_charts(data: Dashboard) -> dict[str, Chart]:
    """The dashboard's distribution, levels, barriers and progress charts, each drawn only when
    at least one of its values may be shown."""
    dims, barriers, moves = data.dimensions, list(data.barriers)[:BARRIERS_SHOWN], data.progress
    charts: dict[str, Chart] = {}
    if any(all(_is_number(v) for v in (d.q1, d.q3, d.median, d.mean)) for d in dims):
        charts["distribution"] = Chart(distribution_svg(dims))
    else:
        charts["distribution"] = Chart(missing=_missing([d.median for d in dims]))
    shares = [lv.share for d in dims for lv in d.levels]
    if any(_is_number(v) and float(v) > 0 for v in shares):  # type: ignore[arg-type]
        charts["levels"] = Chart(levels_svg(dims))
    else:
        charts["levels"] = Chart(missing=_missing(shares))
    if barriers and (any(_is_number(b.share) and float(b.share) > 0  # type: ignore[arg-type]
                         for b in barriers) or all(_is_number(b.share) for b in barriers)):
        charts["barriers"] = Chart(barriers_svg(data.barriers, limit=BARRIERS_SHOWN))
    else:
        charts["barriers"] = Chart(missing=_missing([b.share for b in barriers]))
    if any(_is_number(p.before) and _is_number(p.after) for p in moves):
        charts["progress"] = Chart(progress_svg(moves))
    else:
        charts["progress"] = Chart(missing=_missing([p.pairs for p in moves]))
    return charts


def levels_svg(dims: Sequence[DimensionSummary], width: int = 640) -> Markup:
    """Per dimension: the share of municipalities at each level, as one 100% bar."""
    plot_w = width - LABEL_W - 20
    top = 26.0
    legend_h = 26.0
    height = top + ROW * len(dims) + legend_h
    body = _axis(LABEL_W, plot_w, top, height - legend_h, "%")
    described = []
    level_ids = [lv.id for lv in dims[0].levels] if dims else []
    colours = {lv: (BAND_COLOURS[min(i, len(BAND_COLOURS) - 1)] if lv != "insufficient_data"
                    else "#e4e7eb") for i, lv in enumerate(level_ids)}
    for n, d in enumerate(dims):
        y = top + ROW * n + ROW / 2
        body.append(_label(y + 4, d.title))
        x = LABEL_W
        parts = []
        for lv in d.levels:
            if not _is_number(lv.share):
                parts.append(f"{lv.title} {lv.share}")
                continue
            w = plot_w * float(lv.share)  # type: ignore[arg-type]
            body.append(f'<rect x="{_n(x)}" y="{_n(y - 10)}" width="{_n(w)}" height="20" '
                        f'fill="{colours.get(lv.id, GRID)}" stroke="#ffffff"/>')
            if w > 34:
                body.append(_text(x + w / 2, y + 4, f"{float(lv.share):.0%}",  # type: ignore[arg-type]
                                  anchor="middle", size=SIZE * 0.9))
            parts.append(f"{lv.title} {float(lv.share):.0%}")  # type: ignore[arg-type]
            x += w
        if x == LABEL_W:  # nothing drawn on this row: say why rather than leave it blank
            small = next((lv.share for lv in d.levels if isinstance(lv.share, str)), None)
            note = (_("not shown: %(count)s municipalities at a level", count=small) if small
                    else _("no scores"))
            body.append(_text(LABEL_W + 4, y + 4, note, fill=MUTED))
        described.append(f"{d.title}: " + ", ".join(parts))
    legend_x = LABEL_W
    for lv in dims[0].levels if dims else ():
        body.append(f'<rect x="{_n(legend_x)}" y="{_n(height - 16)}" width="12" height="12" '
                    f'fill="{colours.get(lv.id, GRID)}" stroke="{MUTED}" stroke-width="0.5"/>')
        body.append(_text(legend_x + 16, height - 6, lv.title, size=SIZE * 0.9))
        legend_x += 16 + len(lv.title) * SIZE * 0.6 + 14
    return _svg("levels", width, height, _("Share of municipalities at each level"),
                "; ".join(described) + ".", body)


def barriers_svg(barriers: Sequence[BarrierCount], width: int = 640,
                 limit: int = BARRIERS_SHOWN) -> Markup:
    """The most frequent barriers: the share of municipalities whose assessment found each."""
    shown = list(barriers)[:limit]
    plot_w = width - LABEL_W - 110
    top, row = 26.0, 46.0
    height = top + row * len(shown) + 10
    body = _axis(LABEL_W, plot_w, top, height - 10, "%")
    described = []
    for n, b in enumerate(shown):
        y = top + row * n + row / 2
        body.append(_label(y + 4, b.title))
        if _is_number(b.share):
            share = float(b.share)  # type: ignore[arg-type]
            body.append(f'<rect x="{_n(LABEL_W)}" y="{_n(y - 9)}" '
                        f'width="{_n(max(plot_w * share, 1))}" height="18" fill="{FILL}"/>')
            body.append(_text(LABEL_W + plot_w * share + 6, y + 4, f"{share:.0%} ({b.count})"))
            described.append(_("%(title)s: %(share)s of municipalities (%(count)s)",
                               title=b.title, share=f"{share:.0%}", count=b.count))
        else:
            many = _("%(count)s municipalities", count=b.count)
            body.append(_text(LABEL_W + 4, y + 4, many, fill=MUTED))
            described.append(f"{b.title}: {many}")
    return _svg("barriers", width, height, _("Most frequent barriers"),
                "; ".join(described) + ".", body)


def _change(p: DimensionProgress) -> float:
    """The dimension's change as the aggregate gives it (0 when it has none to give)."""
    return float(p.change) if _is_number(p.change) else 0.0  # type: ignore[arg-type]


def progress_svg(items: Sequence[DimensionProgress], width: int = 640) -> Markup:
    """Per dimension: the mean of the previous and of the latest round, same municipalities."""
    plot_w = width - LABEL_W - 110
    top = 26.0
    legend_h = 26.0
    height = top + ROW * 1.3 * len(items) + legend_h
    body = _axis(LABEL_W, plot_w, top, height - legend_h)
    described = []
    for n, p in enumerate(items):
        y = top + ROW * 1.3 * n + ROW * 0.65
        body.append(_label(y + 4, p.title))
        if not (_is_number(p.before) and _is_number(p.after)):
            note = p.pairs if isinstance(p.pairs, str) else "no"
            body.append(_text(LABEL_W + 4, y + 4,
                              f"{note} municipalities with two rounds", fill=MUTED))
            described.append(f"{p.title}: not shown ({note} municipalities with two rounds)")
            continue
        before, after = float(p.before), float(p.after)  # type: ignore[arg-type]
        for offset, value, colour in ((-8, before, PREVIOUS), (8, after, FILL)):
            body.append(f'<rect x="{_n(LABEL_W)}" y="{_n(y + offset - 7)}" '
                        f'width="{_n(max(plot_w * value / 100, 1))}" height="14" '
                        f'fill="{colour}"/>')
            body.append(_text(LABEL_W + plot_w * value / 100 + 6, y + offset + 4,
                              format_number(value), size=SIZE * 0.9))
        # the change as worked out once (the mean of each municipality's change, rounded
        # once), the figure the table, the PDF and the exports print: not the difference
        # of the two rounded means, which can be a tenth off
        change = _change(p)
        body.append(_text(width - 4, y + 4, format_number(change, 1, signed=True), anchor="end",
                          fill=GAP if change < 0 else INK, weight="bold"))
        described.append(_("%(title)s: %(before)s then %(after)s (%(change)s)", title=p.title,
                           before=format_number(before), after=format_number(after),
                           change=format_number(change, 1, signed=True)))
    legend = ((PREVIOUS, _("Previous round")), (FILL, _("Latest round")))
    x = LABEL_W
    for colour, label in legend:
        body.append(f'<rect x="{_n(x)}" y="{_n(height - 16)}" width="12" height="12" '
                    f'fill="{colour}"/>')
        body.append(_text(x + 16, height - 6, label, size=SIZE * 0.9))
        x += 16 + len(label) * SIZE * 0.6 + 14
    return _svg("progress", width, height, _("Mean score in the previous and the latest round"),
                "; ".join(described) + ".", body)
