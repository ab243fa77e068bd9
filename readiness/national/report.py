"""The national summary PDF: the state of multi-agency working across the country, the recurring
barriers with the source paper's recommendations against them, and progress since the last round.

`national_context` is pure (aggregates in, plain values out); `national_report_pdf` renders
reports/national.html through `readiness.report.render`, the same machinery as the roadmap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from readiness.core.questionnaire import Questionnaire
from readiness.core.schema import Condition
from readiness.national import aggregate
from readiness.national.aggregate.cells import says_nothing
from readiness.national.aggregate.followthrough import FollowThrough
from readiness.national.charts import Chart, national_charts
from readiness.report.text import cite
from readiness.translate import format_date, format_number, upper_first
from readiness.translate import gettext as _

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
    generated_on: str  # ISO date, for the document's metadata
    generated_on_text: str  # written out in the report's language
    suppressed: str
    data: aggregate.Dashboard
    headline: tuple[str, ...]
    barriers: tuple[BarrierSection, ...]
    charts: dict[str, Chart]
    families: tuple[tuple[str, str], ...]
    sources: tuple[tuple[int, str], ...]
    follow_through: FollowThrough | None = None
    # the breakdowns that would print no figure ("stages", "distribution", "levels", "barriers",
    # "progress", "regions", "bands", "follow_through"), by why: "too_few", "no_data", or for
    # progress "not_comparable" (assessed twice, but no two rounds compare); said once
    empty: dict[str, str] = field(default_factory=dict)


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
        parts.append(_("municipalities of %(band)s",
                       band=BAND_TITLES.get(filters.band, filters.band)))
    if filters.round:
        parts.append(_("round %(round)s", round=filters.round))
    if filters.since or filters.until:
        since = format_date(filters.since) if filters.since else _("the start")
        until = format_date(filters.until) if filters.until else _("today")
        parts.append(_("assessed from %(since)s to %(until)s", since=since, until=until))
    return ", ".join(parts) or _("All municipalities")


def sentence(text: str) -> str:
    """`text` with its first letter a capital: a sentence may begin with a figure written out
    ("fewer than 5 municipalities..."), which would otherwise start it in lower case."""
    return upper_first(text)


def empty_breakdowns(data: aggregate.Dashboard,
                     ft: FollowThrough | None = None) -> dict[str, str]:
    """The breakdowns of `data` (and `ft`) that would print no figure, and why (see
    `NationalContext.empty`): the PDF and the dashboard say so once instead of a table."""
    dims, moves = data.dimensions, data.progress
    cells: dict[str, list[aggregate.Cell]] = {
        "stages": [cell for _id, _title, cell in data.overview.stages],
        "distribution": [v for d in dims for v in (d.scored, d.mean, d.q1, d.median, d.q3,
                                                   d.divergent)],
        "levels": [v for d in dims for lv in d.levels for v in (lv.count, lv.share)],
        "barriers": [b.count for b in data.barriers],
        "progress": [v for p in moves for v in (p.pairs, p.before, p.after, p.change,
                                                p.improved, p.stable, p.declined)],
        **{name: [v for r in rows for v in (r.municipalities, r.overall, *r.scores.values())]
           for name, rows in (("regions", data.regions), ("bands", data.bands))}}
    if ft is not None:
        cells["follow_through"] = [v for r in (*ft.by_family, *ft.by_dimension)
                                   for v in (r.municipalities, r.done, r.in_progress, r.overdue)]
    found = {name: why for name, values in cells.items()
             if (why := says_nothing(values)) is not None}
    if found.get("progress") == "no_data" and moves and moves[0].not_comparable:
        found["progress"] = "not_comparable"
    return found


def _headline(data: aggregate.Dashboard) -> tuple[str, ...]:
    ov = data.overview
    lines = [_("%(assessed)s of %(total)s municipalities have a closed assessment; %(none)s "
               "have none yet.", assessed=ov.assessed, total=ov.municipalities,
               none=ov.never_assessed)]
    if ov.outside_selection:
        lines.append(_("%(count)s more were assessed only outside the chosen round or period.",
                       count=ov.outside_selection))
    if isinstance(ov.overall_mean, float):
        lines.append(_("Mean overall readiness is %(mean)s of 100, over the latest rounds with a "
                       "score (%(scored)s of %(assessed)s).", mean=f"{ov.overall_mean:.0f}",
                       scored=ov.overall_scored, assessed=ov.assessed))
    elif ov.assessed and not ov.overall_scored:
        lines.append(_("No latest round had enough answers for an overall score."))
    means = [(d.mean, d.title) for d in data.dimensions if isinstance(d.mean, float)]
    if len(means) >= 2:
        low, high = min(means), max(means)
        lines.append(_("Weakest dimension: %(low)s (mean %(low_mean)s); strongest: %(high)s "
                       "(mean %(high_mean)s).", low=low[1], low_mean=f"{low[0]:.0f}",
                       high=high[1], high_mean=f"{high[0]:.0f}"))
    counted = [b for b in data.barriers if isinstance(b.count, int) and b.count > 0]
    if counted:
        lines.append(_("Most frequent barrier: %(title)s (%(count)s municipalities).",
                       title=counted[0].title, count=counted[0].count))
    moved = [(p.change, p.title) for p in data.progress if isinstance(p.change, float)]
    if moved:
        best = max(moved)
        lines.append(_("Since the previous round, the largest mean change is on %(title)s "
                       "(%(change)s points).", title=best[1],
                       change=("+" if best[0] >= 0 else "") + format_number(best[0], 1)))
    apart = data.progress[0].not_comparable if data.progress else 0
    if apart:
        lines.append(_("%(count)s municipalities are left out of the progress figures: their two "
                       "rounds cannot be compared (too few respondents in one of them, or not "
                       "the same agencies taking part and shown in both).", count=apart))
    return tuple(sentence(line) for line in lines)


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
        title=_("Multi-agency working against violent radicalisation: national summary"),
        scope=_scope(filters), generated_on=today.isoformat(),
        generated_on_text=format_date(today),
        suppressed=aggregate.suppressed_text(min_cell), data=data,
        headline=_headline(data), barriers=tuple(sections), charts=charts,
        families=tuple((f.title, cite(q, (f.evidence,))) for f in q.library.families),
        sources=tuple((n, s.reference) for n, s in enumerate(q.doc.sources, start=1)),
        follow_through=follow_through, empty=empty_breakdowns(data, follow_through))


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
