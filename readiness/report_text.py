"""The report's plain-language sentences: summary, strong and weak points, evidence references.

Pure functions over a scored result; the wording lives here so that it can be read and tested
apart from layout. Returns plain strings: the templates escape them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from readiness.questionnaire import Questionnaire
from readiness.roadmap import Roadmap
from readiness.schema import Evidence
from readiness.scoring import ItemResult, Result

POINTS = 3


@dataclass(frozen=True)
class Point:
    """A strong or weak point for the summary: a headline and one sentence of detail."""

    title: str
    detail: str


def format_date(day: date) -> str:
    """A date as `7 March 2025`."""
    return f"{day.day} {day:%B %Y}"


def cite(q: Questionnaire, evidence: Iterable[Evidence]) -> str:
    """Evidence as `[1] lines 83-91; [2]`, numbered like the report's list of sources."""
    number = {s.id: n for n, s in enumerate(q.doc.sources, start=1)}
    parts = []
    for ev in evidence:
        ref = f"[{number[ev.source]}]" if ev.source in number else f"[{ev.source}]"
        if ev.lines is not None:
            first, last = ev.lines
            ref += f" line {first}" if first == last else f" lines {first}-{last}"
        if ev.locator:
            ref += f", {ev.locator}"
        parts.append(ref)
    return "; ".join(dict.fromkeys(parts))


def _score(value: float | None) -> str:
    return "not scored" if value is None else f"{value:.0f} of 100"


def strengths_and_weaknesses(q: Questionnaire,
                             result: Result) -> tuple[tuple[Point, ...], tuple[Point, ...]]:
    """The three strongest and three weakest points: findings first, then statements."""
    titles = {d.id: d.title for d in result.dimensions}
    scored = sorted((i for i in result.items.values() if i.score is not None and i.dimension),
                    key=lambda i: (i.score or 0.0, i.id))
    levels = sorted(q.doc.levels, key=lambda lv: lv.min)
    good_from = (levels[1].min if len(levels) > 1 else 50.0) / 100

    weak: list[Point] = []
    weak_dims: set[str] = set()
    ordered_barriers = sorted(
        result.barriers, key=lambda b: (_dim_score(result, b.dimension), b.id))
    for barrier in ordered_barriers[:POINTS]:
        detail = barrier.description
        if barrier.dimension:
            dim = result.dimension(barrier.dimension)
            detail = f"{dim.title}: {_score(dim.score)} ({dim.level_title.lower()})."
        weak.append(Point(barrier.title, detail))
        if barrier.dimension:
            weak_dims.add(barrier.dimension)
    used: set[str] = set()
    low_items = [i for i in scored if i.score is not None
                 and i.score < q.doc.settings.low_item_score]
    for item in [i for i in low_items if i.dimension not in weak_dims] + low_items:
        if len(weak) >= POINTS:
            break
        if item.id in used:
            continue
        used.add(item.id)
        weak.append(Point(f"{titles[item.dimension]}: {_score((item.score or 0) * 100)}",
                          f"\u201c{item.text}\u201d"))
    for dim in sorted((d for d in result.dimensions if d.score is None), key=lambda d: d.id):
        if len(weak) < POINTS:
            weak.append(Point(f"{dim.title}: too few answers",
                              "Too many practitioners could not answer; awareness of this "
                              "subject is itself a finding."))

    strong: list[Point] = [Point(f.title, f.description) for f in result.facilitators[:POINTS]]
    best = [i for i in reversed(scored) if (i.score or 0) >= good_from and i.id not in used]
    diverse: list[ItemResult] = []
    for item in best:
        if all(d.dimension != item.dimension for d in diverse):
            diverse.append(item)
    for item in diverse + best:  # one statement per dimension first, then the rest
        if len(strong) >= POINTS:
            break
        if item.id in used:
            continue
        used.add(item.id)
        strong.append(Point(f"{titles[item.dimension]}: {_score((item.score or 0) * 100)}",
                            f"\u201c{item.text}\u201d"))
    return tuple(strong), tuple(weak)


def _dim_score(result: Result, dimension: str | None) -> float:
    if dimension is None:
        return 101.0
    value = result.dimension(dimension).score
    return 100.0 if value is None else value


def summary_paragraphs(q: Questionnaire, result: Result, roadmap: Roadmap,
                       municipality: str) -> tuple[str, ...]:
    """Two or three short paragraphs an advisor would open the report with."""
    agencies = len(result.respondents_by_agency)
    stage = f"{municipality} is at the stage \u201c{result.stage_title}\u201d. "
    stage += result.stage_description.rstrip(".") + "."
    if result.overall is not None:
        stage += (f" Across the five dimensions, readiness is {result.overall:.0f} of 100, "
                  f"from the answers of {result.respondents} practitioners in {agencies} "
                  f"{'agency' if agencies == 1 else 'agencies'}, each agency counting equally.")
    paragraphs = [stage]
    scored = [d for d in result.dimensions if d.score is not None]
    if len(scored) >= 2:
        low = min(scored, key=lambda d: d.score or 0)
        high = max(scored, key=lambda d: d.score or 0)
        text = (f"The strongest dimension is {high.title.lower()} ({high.score:.0f}); the "
                f"weakest is {low.title.lower()} ({low.score:.0f})"
                + (", and the roadmap starts there." if roadmap.actions
                   and roadmap.actions[0].dimension == low.id else "."))
        gaps = [d.title.lower() for d in result.dimensions if d.divergent]
        if gaps:
            text += (" Agencies see " + _join(gaps) + " quite differently: talking about that "
                     "difference is part of building trust.")
        unsure = [d.title.lower() for d in result.dimensions if d.dont_know_flag]
        if unsure:
            text += (" Many practitioners answered \u201cdon't know\u201d on " + _join(unsure)
                     + ", which says that knowledge of this subject needs to spread.")
        paragraphs.append(text)
    if roadmap.sustaining:
        paragraphs.append("Every dimension is a strength, so the roadmap is short: keep the "
                          "cooperation alive, monitor it and re-assess.")
    else:
        first = len(roadmap.phase(1))
        paragraphs.append(
            f"The roadmap proposes {len(roadmap.actions)} actions, {first} of them in the first "
            f"three months, and suggests a {roadmap.model.title.lower()} as the way of working "
            "to aim for, built on what already exists here. Models inspire; they are not a "
            "blueprint.")
    return tuple(paragraphs)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def gap_meaning(dimension: str, title: str, high: str, low: str) -> str:
    """What a perception gap on a dimension means for trust, in one or two sentences."""
    if dimension == "trust":
        return (f"{high} trusts the cooperation more than {low} does. Trust that one side does "
                "not feel cannot carry case work yet: hear the more doubtful agency first.")
    if dimension == "legal_basis":
        return (f"{high} is surer about what may be shared than {low}. Until both read the "
                "rules the same way, one side will feel refused and the other pressed; a "
                "common legal summary closes the gap.")
    if dimension == "role_clarity":
        return (f"{high} finds the roles clearer than {low}. Unclear expectations are a common "
                "source of disappointment between agencies; agree who does what, in writing.")
    return (f"{high} rates {title.lower()} higher than {low}. Agencies that experience the "
            "cooperation differently should compare notes before trust erodes.")
