"""SVG charts shared by the web results pages and the PDF roadmap.

Hand-written SVG strings: no plotting library, no scripts, no external references. Every piece
of text is escaped; every chart carries a <title> and a <desc> (its text alternative, which also
becomes the PDF's alt text) and keeps its labels inside its viewBox. Colour is never the only
carrier of meaning: levels and gaps are also written out.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from readiness.core.schema import Level
from readiness.core.scoring import DimensionResult, Result
from readiness.translate import gettext as _
from readiness.translate import in_sentence

FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"
CHAR_WIDTH = 0.6  # mean advance of a character in em (DejaVu Sans is wide: err on the safe side)
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#cbd2d9"
FILL = "#2f6f9f"
GAP = "#b4450f"
# Level bands from weakest to strongest; more levels than colours reuse the last.
BAND_COLOURS = ("#f4d6cc", "#f6e8b8", "#cfe6d3", "#b9dcc2")


def _num(value: float) -> str:
    """A coordinate with at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def wrap_label(text: str, max_chars: int) -> list[str]:
    """Split a label into lines of at most `max_chars` characters, at spaces where possible."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > max_chars:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: max_chars - 1] + "-")
            word = word[max_chars - 1:]
        candidate = f"{current} {word}".strip()
        if len(candidate) <= max_chars:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def _ident(*parts: str) -> str:
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"chart-{digest[:10]}"


def _svg(width: float, height: float, title: str, desc: str, body: list[str],
         css_class: str) -> Markup:
    ident = _ident(css_class, title, desc)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" '
        f'width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="{FONT}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _text(x: float, y: float, lines: Sequence[str], *, size: float, anchor: str = "start",
          fill: str = INK, weight: str = "normal", line_height: float = 1.2) -> str:
    """A text element; several lines become tspans, the first one on the baseline `y`."""
    spans = "".join(
        f'<tspan x="{_num(x)}" dy="{0 if n == 0 else _num(size * line_height)}">'
        f"{escape(line)}</tspan>"
        for n, line in enumerate(lines))
    return (f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}" '
            f'text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">{spans}</text>')


def _score_text(score: float | None) -> str:
    return _("insufficient data") if score is None else _("%(score)s of 100",
                                                           score=f"{score:.0f}")


# --- radar -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Label:
    lines: list[str]
    anchor: str
    x: float
    y: float  # baseline of the first line
    box: tuple[float, float, float, float]  # left, top, right, bottom


def _radar_label(angle: float, radius: float, cx: float, cy: float, lines: list[str],
                 size: float) -> _Label:
    dx, dy = math.cos(angle), math.sin(angle)
    x, y = cx + dx * (radius + 10), cy + dy * (radius + 10)
    widest = max(_text_width(line, size) for line in lines)
    height = size * 1.2 * len(lines)
    anchor = "middle" if abs(dx) < 0.25 else ("start" if dx > 0 else "end")
    left = {"middle": x - widest / 2, "start": x, "end": x - widest}[anchor]
    if dy < -0.5:  # above the chart: grow upwards
        top = y - height
    elif dy > 0.5:  # below: grow downwards
        top = y + 2
    else:
        top = y - height / 2
    return _Label(lines, anchor, x, top + size * 0.95, (left, top, left + widest, top + height))


@dataclass(frozen=True)
class _Radar:
    """Where a radar's axes, rings and labels lie: fitted so every label stays inside."""

    cx: float
    cy: float
    radius: float
    angles: tuple[float, ...]
    count: int
    size: float
    height: float
    labels: tuple[_Label, ...]

    def point(self, n: int, value: float) -> tuple[float, float]:
        """Where `value` lies on axis `n`."""
        return (self.cx + math.cos(self.angles[n]) * self.radius * value / 100,
                self.cy + math.sin(self.angles[n]) * self.radius * value / 100)


def _radar_geometry(dims: Sequence[DimensionResult], width: int) -> _Radar:
    """Shrink the radar until every label fits across the width, then size the height."""
    size = max(9.0, width / 38)
    count = max(len(dims), 3)
    angles = tuple(-math.pi / 2 + 2 * math.pi * n / count for n in range(len(dims)))
    texts = [wrap_label(d.title, 16) + [_score_text(d.score)] for d in dims]
    pad, cx, radius = 4.0, width / 2, width * 0.36
    labels: list[_Label] = []
    while radius > 20:
        labels = [_radar_label(a, radius, cx, 0, t, size)
                  for a, t in zip(angles, texts, strict=True)]
        if all(lb.box[0] >= pad and lb.box[2] <= width - pad for lb in labels):
            break
        radius -= 4
    top = min([-radius, *(lb.box[1] for lb in labels)]) - pad
    bottom = max([radius, *(lb.box[3] for lb in labels)]) + pad
    return _Radar(cx, -top, radius, angles, count, size, bottom - top, tuple(labels))


def _radar_grid(g: _Radar, dims: Sequence[DimensionResult], levels: Sequence[Level]) -> list[str]:
    """Rings at 25, 50, 75 and 100 (level thresholds dashed), axes, and the scale's labels."""
    body: list[str] = []
    thresholds = sorted({lv.min for lv in levels if lv.min > 0})
    for ring in (25.0, 50.0, 75.0, 100.0):
        pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in (g.point(n, ring)
                                                          for n in range(g.count)
                                                          if n < len(dims)))
        dashed = ' stroke-dasharray="4 3"' if ring in thresholds else ""
        body.append(f'<polygon points="{pts}" fill="none" stroke="{GRID}" '
                    f'stroke-width="1"{dashed}/>')
    for n, dim in enumerate(dims):
        x, y = g.point(n, 100)
        style = ' stroke-dasharray="2 3"' if dim.score is None else ""
        body.append(f'<line x1="{_num(g.cx)}" y1="{_num(g.cy)}" x2="{_num(x)}" y2="{_num(y)}" '
                    f'stroke="{GRID}" stroke-width="1"{style}/>')
    body.append(_text(g.cx + 3, g.cy - g.radius * 0.5 - 2, ["50"], size=g.size * 0.75,
                      fill=MUTED))
    body.append(_text(g.cx + 3, g.cy - g.radius - 2, ["100"], size=g.size * 0.75, fill=MUTED))
    return body


def _radar_shape(g: _Radar, dims: Sequence[DimensionResult]) -> list[str]:
    """The scores' outline (broken where a dimension has no score) and a mark on each axis."""
    body: list[str] = []
    if dims and all(d.score is not None for d in dims):
        pts = " ".join(f"{_num(x)},{_num(y)}"
                       for x, y in (g.point(n, d.score or 0) for n, d in enumerate(dims)))
        body.append(f'<polygon points="{pts}" fill="{FILL}" fill-opacity="0.25" '
                    f'stroke="{FILL}" stroke-width="2"/>')
    else:  # broken outline: only neighbours that both have a score are joined
        for n, dim in enumerate(dims):
            nxt = (n + 1) % len(dims)
            if dim.score is not None and dims[nxt].score is not None and nxt != n:
                (x1, y1), (x2, y2) = g.point(n, dim.score), g.point(nxt, dims[nxt].score or 0)
                body.append(f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" '
                            f'y2="{_num(y2)}" stroke="{FILL}" stroke-width="2"/>')
    for n, dim in enumerate(dims):
        if dim.score is None:
            x, y = g.point(n, 50)
            body.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="5" fill="#ffffff" '
                        f'stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="2 2"/>')
            body.append(_text(x, y + g.size * 0.35, ["?"], size=g.size * 0.8, anchor="middle",
                              fill=MUTED))
        else:
            x, y = g.point(n, dim.score)
            body.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3.5" fill="{FILL}"/>')
    return body


def _radar_labels(g: _Radar, dims: Sequence[DimensionResult]) -> list[str]:
    """Each dimension's name in bold and its score beneath."""
    body: list[str] = []
    for n, label in enumerate(g.labels):
        *name, value = label.lines
        body.append(_text(label.x, g.cy + label.y, name, size=g.size, anchor=label.anchor,
                          weight="bold"))
        body.append(_text(label.x, g.cy + label.y + g.size * 1.2 * len(name), [value],
                          size=g.size, anchor=label.anchor,
                          fill=GAP if dims[n].score is None else MUTED))
    return body


def radar_svg(result: Result, *, title: str | None = None, width: int = 420,
              levels: Sequence[Level] = (), describe_in_title: bool = False) -> Markup:
    """A radar of the dimension scores; dimensions without enough data are marked, not drawn."""
    title = title or _("Readiness by dimension")
    dims = result.dimensions
    g = _radar_geometry(dims, width)
    body = _radar_grid(g, dims, levels) + _radar_shape(g, dims) + _radar_labels(g, dims)
    desc = "; ".join(
        f"{d.title}: {_score_text(d.score)}" + ("" if d.score is None else f" ({d.level_title})")
        for d in dims) + "."
    title = title or _("Readiness by dimension")
    if describe_in_title:
        title = f"{title}. {desc}"
    return _svg(width, g.height, title, desc, body, "radar")


# --- bars per agency -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bars:
    """Where an agency-bars chart puts its labels, bars and scale."""

    size: float
    label_w: float
    bar_x: float
    bar_w: float
    top: float
    heights: tuple[float, ...]
    wrapped: Mapping[str, list[str]]

    @property
    def bars_end(self) -> float:
        """The y below the last bar."""
        return self.top + sum(self.heights)

    def x(self, value: float) -> float:
        """Where `value` (0..100) lies on the scale."""
        return self.bar_x + self.bar_w * value / 100


def _bars_geometry(rows: list[tuple[str, float | None]], agency_titles: Mapping[str, str],
                   width: int) -> _Bars:
    """Fit the agencies' names on the left and the bars in what is left of the width."""
    size = max(9.0, width / 40)
    wrapped = {a: wrap_label(agency_titles.get(a, a), 28) for a, _ in rows}
    label_w = min(width * 0.42, max([_text_width(line, size) for lines in wrapped.values()
                                     for line in lines] or [0]) + 6)
    bar_x = label_w + 4
    bar_w = max(width - bar_x - _text_width("100", size * 0.9) - 8, 40)
    heights = tuple(max(size * 2.1, size * 1.25 * len(wrapped[a]) + size * 0.8) for a, _ in rows)
    return _Bars(size, label_w, bar_x, bar_w, size * 1.6, heights, wrapped)


def _bar_row(g: _Bars, mid: float, value: float, line_x: float | None) -> list[str]:
    """One agency's bar and its value label (after the dashed line if it would cross it)."""
    size = g.size
    bar = max(g.bar_w * value / 100, 1)
    label = f"{value:.0f}"
    label_x = g.bar_x + bar + 4
    if line_x is not None and label_x - 3 <= line_x <= (
            label_x + _text_width(label, size * 0.9) + 3):
        label_x = line_x + 4
    return [f'<rect x="{_num(g.bar_x)}" y="{_num(mid - size * 0.6)}" '
            f'width="{_num(bar)}" height="{_num(size * 1.2)}" fill="{FILL}"/>',
            _text(label_x, mid + size * 0.35, [label], size=size * 0.9)]


def _bar_rows(g: _Bars, dimension: DimensionResult, agency_titles: Mapping[str, str],
              counts: Mapping[str, int], min_group_size: int, hidden: Collection[str],
              line_x: float | None) -> tuple[list[str], list[str], list[float]]:
    """Every agency's name and bar, or why it is not shown; the description; values shown."""
    body: list[str] = []
    described: list[str] = []
    shown: list[float] = []
    y = g.top
    for (agency, value), h in zip(dimension.by_agency.items(), g.heights, strict=True):
        name, lines, mid = agency_titles.get(agency, agency), g.wrapped[agency], y + h / 2
        first = mid - g.size * 1.2 * (len(lines) - 1) / 2 + g.size * 0.35
        body.append(_text(g.label_w, first, lines, size=g.size, anchor="end"))
        n = counts.get(agency)
        small = n is not None and n < min_group_size
        if small or agency in hidden or value is None:
            note = (_("fewer than %(count)d respondents: not shown", count=min_group_size)
                    if small else _("not shown, to protect a smaller group")
                    if agency in hidden else _("no scored answers"))
            described.append(f"{name}: {note}")
            body.append(_text(g.bar_x + 4, mid + g.size * 0.35, [note], size=g.size * 0.85,
                              fill=MUTED))
        else:
            shown.append(value)
            body += _bar_row(g, mid, value, line_x)
            described.append(f"{name}: {_score_text(value)}")
        y += h
    return body, described, shown


def _bars_legend(g: _Bars, dimension: DimensionResult, width: int,
                 shown: list[float]) -> tuple[list[str], list[str]]:
    """The dashed all-agencies line with its legend, and the perception gap if flagged."""
    body: list[str] = []
    described: list[str] = []
    below = g.bars_end
    if dimension.score is not None:
        x = g.x(dimension.score)
        body.append(f'<line x1="{_num(x)}" y1="{_num(g.top - 2)}" x2="{_num(x)}" '
                    f'y2="{_num(g.bars_end + 2)}" stroke="{INK}" stroke-width="1.5" '
                    f'stroke-dasharray="4 2"/>')
        legend = _("dashed line: all agencies, %(score)s", score=f"{dimension.score:.0f}")
        body.append(_text(width - 2, g.bars_end + g.size * 1.2, [legend], size=g.size * 0.8,
                          anchor="end", fill=INK))
        below += g.size * 1.6
    if dimension.divergent and dimension.spread is not None:
        gap_text = _("Perception gap: agencies differ by %(spread)s points",
                     spread=f"{dimension.spread:.0f}")
        body.append(_text(width - 2, below + g.size * 1.2, [gap_text], size=g.size * 0.9,
                          anchor="end", fill=GAP, weight="bold"))
        if len(shown) >= 2:
            x1, x2, yb = g.x(min(shown)), g.x(max(shown)), g.bars_end + g.size * 0.5
            body.append(f'<path d="M{_num(x1)} {_num(yb - 3)} V{_num(yb)} H{_num(x2)} '
                        f'V{_num(yb - 3)}" fill="none" stroke="{GAP}" stroke-width="1.5"/>')
        described.append(in_sentence(gap_text, whole=True))
    return body, described


def agency_bars_svg(dimension: DimensionResult, agency_titles: Mapping[str, str], *,
                    respondents_by_agency: Mapping[str, int] | None = None,
                    min_group_size: int = 1, hidden: Collection[str] = (),
                    title: str | None = None, width: int = 420,
                    describe_in_title: bool = False) -> Markup:
    """Each agency's score on one dimension; agencies below the group size (or in `hidden`,
    e.g. complementary suppression) are listed as not shown."""
    g = _bars_geometry(list(dimension.by_agency.items()), agency_titles, width)
    size, bars_end = g.size, g.bars_end
    gap = dimension.divergent and dimension.spread is not None
    height = bars_end + size * (1.6 if dimension.score is not None else 0.4) + (
        size * 1.9 if gap else 0)
    body: list[str] = []
    for tick in (0, 50, 100):
        x = g.x(tick)
        body.append(f'<line x1="{_num(x)}" y1="{_num(g.top - 3)}" x2="{_num(x)}" '
                    f'y2="{_num(bars_end)}" stroke="{GRID}" stroke-width="1"/>')
        body.append(_text(x, g.top - 6, [str(tick)], size=size * 0.8, anchor="middle",
                          fill=MUTED))
    # the dashed line of all agencies' score: a value label that would cross it goes after it
    line_x = None if dimension.score is None else g.x(dimension.score)
    rows, described, shown = _bar_rows(g, dimension, agency_titles, respondents_by_agency or {},
                                       min_group_size, hidden, line_x)
    legend, gap_described = _bars_legend(g, dimension, width, shown)
    body += rows + legend
    described += gap_described
    chart_title = title or _("%(title)s: score by agency", title=dimension.title)
    desc = "; ".join(described) + "."
    if describe_in_title:
        chart_title = f"{chart_title}. {desc}"
    return _svg(width, height, chart_title, desc, body, "agency-bars")


# --- level bar -------------------------------------------------------------------------------


def level_bar(score: float | None, levels: Sequence[Level], *, title: str | None = None,
              width: int = 240, describe_in_title: bool = False) -> Markup:
    """A 0..100 bar with the level bands and a marker at the score (or a no-data note)."""
    size = max(8.0, width / 26)
    bar_y, bar_h = 2.0, size * 1.3
    height = bar_y + bar_h + size * 1.6
    ordered = sorted(levels, key=lambda lv: lv.min)
    body: list[str] = []
    for n, level in enumerate(ordered):
        end = ordered[n + 1].min if n + 1 < len(ordered) else 100.0
        x = width * level.min / 100
        w = width * (end - level.min) / 100
        colour = BAND_COLOURS[min(n, len(BAND_COLOURS) - 1)]
        body.append(f'<rect x="{_num(x)}" y="{_num(bar_y)}" width="{_num(w)}" '
                    f'height="{_num(bar_h)}" fill="{colour}"/>')
        if _text_width(level.title, size * 0.8) < w - 4:
            body.append(_text(x + w / 2, bar_y + bar_h + size * 1.1, [level.title],
                              size=size * 0.8, anchor="middle", fill=MUTED))
    body.append(f'<rect x="0.5" y="{_num(bar_y)}" width="{_num(width - 1)}" '
                f'height="{_num(bar_h)}" fill="none" stroke="{GRID}"/>')
    if score is None:
        body.append(_text(width / 2, bar_y + bar_h * 0.72, [_("insufficient data")],
                          size=size * 0.9, anchor="middle", fill=INK, weight="bold"))
        desc = _("Insufficient data: no score.")
    else:
        x = min(max(width * score / 100, 2), width - 2)
        body.append(f'<rect x="{_num(x - 1.5)}" y="0" width="3" height="{_num(bar_h + 4)}" '
                    f'fill="{INK}"/>')
        reached = next((lv for lv in reversed(ordered) if score >= lv.min), None)
        desc = (_("%(score)s of 100, level %(level)s.", score=f"{score:.0f}", level=reached.title)
                if reached else _("%(score)s of 100.", score=f"{score:.0f}"))
    title = title or _("Score and level")
    if describe_in_title:
        title = f"{title}: {desc}"
    return _svg(width, height, title, desc, body, "level-bar")
