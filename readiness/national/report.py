"""The national summary PDF: the state of multi-agency working across the country, the recurring
barriers with the source paper's recommendations against them, and progress since the last round.

`national_context` is pure (aggregates in, plain values out); `national_report_pdf` renders
reports/national.html through `readiness.report.render`, the same machinery as the roadmap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from readiness.core.questionnaire import Questionnaire
from readiness.core.schema import Condition
from readiness.national import aggregate
from readiness.national.aggregate.followthrough import FollowThrough
from readiness.national.charts import Chart, national_charts
from readiness.report.text import cite

TOP_BARRIERS = 6
ACTIONS_PER_BARRIER = 4
BAND_TITLES = {"under_10k": "under 10,000 inhabitants", "10k_50k": "10,000 to 50,000",
               "50k_100k": "50,000 to 100,000", "100k_250k": "100,000 to 250,000",
               "over_250k": "over 250,000"}


class NationalReportError(RuntimeError):
    """The national PDF could not be made; the message can be shown."""


@dataclass(frozen=True)
class Recommendation:
    """An action of the library that answers a barrier, with its family and evidence."""

    title: str
    family: str
    what: str
    evidence: str


@dataclass(frozen=True)
class BarrierSection:
    """A recurring barrier: how often it was found, what it is, what the paper recommends."""

    title: str
    description: str
    count: aggregate.Cell
    share: aggregate.Cell
    evidence: str
    recommendations: tuple[Recommendation, ...]


@dataclass(frozen=True)
class NationalContext:
    """Everything reports/national.html prints."""

    title: str
    scope: str
    generated_on: str
    suppressed: str
    data: aggregate.Dashboard
    headline: tuple[str, ...]
    barriers: tuple[BarrierSection, ...]
    charts: dict[str, Chart]
    families: tuple[tuple[str, str], ...]
    sources: tuple[tuple[int, str], ...]
    follow_through: FollowThrough | None = None


def _atoms(cond: Condition | None, key: str) -> Iterator[str]:
    """The values of `key` (barrier, context...) in a condition, not following `not`."""
    if cond is None:
        return
    value = getattr(cond, key)
    if value is not None:
        yield value
    for child in (*(cond.all or ()), *(cond.any or ())):
        yield from _atoms(child, key)


def recommendations_for(q: Questionnaire, barrier_id: str) -> list[Recommendation]:
    """The library's actions triggered by a barrier, in library order; for a barrier no action
    names, the actions triggered by the context answers that detect it."""
    families = {f.id: f.title for f in q.library.families}
    chosen = [a for a in q.library.actions if barrier_id in set(_atoms(a.when, "barrier"))]
    if not chosen:
        rule = next(b for b in q.doc.barriers if b.id == barrier_id)
        context = set(_atoms(rule.detect, "context"))
        chosen = [a for a in q.library.actions if context & set(_atoms(a.when, "context"))]
    return [Recommendation(a.title, families[a.family], a.what, cite(q, a.evidence))
            for a in chosen]


def _scope(filters: aggregate.Filters) -> str:
    parts = []
    if filters.country:
        parts.append(filters.country)
    if filters.region:
        parts.append(filters.region)
    if filters.band:
        parts.append(f"municipalities of {BAND_TITLES.get(filters.band, filters.band)}")
    if filters.round:
        parts.append(f"round {filters.round}")
    if filters.since or filters.until:
        since = filters.since.isoformat() if filters.since else "the start"
        until = filters.until.isoformat() if filters.until else "today"
        parts.append(f"assessed from {since} to {until}")
    return ", ".join(parts) or "All municipalities"


def _headline(data: aggregate.Dashboard) -> tuple[str, ...]:
    ov = data.overview
    lines = [f"{ov.assessed} of {ov.municipalities} municipalities have a closed assessment; "
             f"{ov.never_assessed} have none yet."]
    if isinstance(ov.overall_mean, float):
        lines.append(f"Mean overall readiness is {ov.overall_mean:.0f} of 100.")
    means = [(d.mean, d.title) for d in data.dimensions if isinstance(d.mean, float)]
    if len(means) >= 2:
        low, high = min(means), max(means)
        lines.append(f"Weakest dimension: {low[1]} (mean {low[0]:.0f}); strongest: {high[1]} "
                     f"(mean {high[0]:.0f}).")
    counted = [b for b in data.barriers if isinstance(b.count, int) and b.count > 0]
    if counted:
        lines.append(f"Most frequent barrier: {counted[0].title} ({counted[0].count} "
                     "municipalities).")
    moved = [(p.change, p.title) for p in data.progress if isinstance(p.change, float)]
    if moved:
        best = max(moved)
        lines.append(f"Since the previous round, the largest mean change is on {best[1]} "
                     f"({best[0]:+.1f} points).")
    return tuple(lines)


def national_context(t: aggregate.Tables, q: Questionnaire, filters: aggregate.Filters, *,
                     today: date, min_cell: int = aggregate.MIN_CELL,
                     follow_through: FollowThrough | None = None) -> NationalContext:
    """The national summary's content for the filters."""
    data = aggregate.dashboard(t, q, filters, today=today, min_cell=min_cell, per_page=1,
                               need_limit=15)
    by_id = {b.id: b for b in q.doc.barriers}
    sections = []
    for counted in data.barriers[:TOP_BARRIERS]:
        if counted.count == 0:
            continue
        rule = by_id[counted.id]
        sections.append(BarrierSection(
            title=counted.title, description=rule.description, count=counted.count,
            share=counted.share, evidence=cite(q, rule.evidence),
            recommendations=tuple(recommendations_for(q, counted.id)[:ACTIONS_PER_BARRIER])))
    charts = national_charts(data)
    return NationalContext(
        title="Multi-agency working against violent radicalisation: national summary",
        scope=_scope(filters), generated_on=today.isoformat(),
        suppressed=aggregate.suppressed_text(min_cell), data=data,
        headline=_headline(data), barriers=tuple(sections), charts=charts,
        families=tuple((f.title, cite(q, (f.evidence,))) for f in q.library.families),
        sources=tuple((n, s.citation) for n, s in enumerate(q.doc.sources, start=1)),
        follow_through=follow_through)


def national_report_html(ctx: NationalContext) -> str:
    """The national summary as one self-contained HTML document."""
    from readiness.report.render import render_document_html

    return render_document_html("national.html", ctx=ctx)


def national_report_pdf(t: aggregate.Tables, q: Questionnaire, filters: aggregate.Filters, *,
                        today: date, min_cell: int = aggregate.MIN_CELL,
                        isolate: bool = True,
                        follow_through: FollowThrough | None = None) -> bytes:
    """The national summary as PDF bytes."""
    from readiness.report.render import ReportError, render_pdf

    html = national_report_html(national_context(t, q, filters, today=today,
                                                 min_cell=min_cell,
                                                 follow_through=follow_through))
    try:
        return render_pdf(html, isolate=isolate)
    except ReportError as exc:
        raise NationalReportError(str(exc)) from None
