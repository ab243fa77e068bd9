"""What the PDF roadmap says, prepared as plain values: the pure half of the report.

`build_report_context(q, result, roadmap, meta)` turns a scored assessment into everything the
templates in reports/ print, in reading order; `readiness.report.render` renders it. Nothing here
imports WeasyPrint, Flask or the database, so the web side can build a context from stored
values and the tests can read it directly. Free text (names, comments) stays plain `str`:
the templates escape it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from markupsafe import Markup

from readiness.core.consensus import describe
from readiness.core.legal import Profile
from readiness.core.legal_roadmap import action_title, held_titles
from readiness.core.names import shown_text
from readiness.core.plans import STATUS_TITLES, FromPlan, first_work, is_overdue
from readiness.core.privacy import group_size
from readiness.core.published import Published, add_months
from readiness.core.questionnaire import Questionnaire
from readiness.core.roadmap import (
    PHASE_TITLES,
    PlannedAction,
    Roadmap,
    absent_finding,
    build_roadmap,
)
from readiness.core.schema import Level
from readiness.core.scoring import INSUFFICIENT, DimensionResult, Finding, Result
from readiness.core.statements import average_answer
from readiness.report.charts import agency_bars_svg, level_bar, radar_svg
from readiness.report.legal import LegalSection, legal_section
from readiness.report.text import (
    Point,
    cite,
    first_carried_line,
    format_date,
    found_detail,
    gap_meaning,
    no_strength_text,
    strengths_and_weaknesses,
    summary_paragraphs,
)
from readiness.translate import current_language, ngettext
from readiness.translate import gettext as _
from readiness.translate import lazy_gettext as _l

MAX_NAME = 200
EFFORTS = {"low": _l("low"), "medium": _l("medium"), "high": _l("high")}
MAX_COMMENT = 1200
PHASE_MONTHS = {1: 3, 2: 12}
MAX_FINDINGS = 3
# The action that is the re-assessment itself: due on the monitoring plan's re-assessment date.
REASSESS_ACTION = "reassess_readiness"


@dataclass(frozen=True)
class ReportMeta:
    """Who and what the report is about: set by the web app from the DB, or by the CLI."""

    municipality: str
    assessed_on: date
    country: str = ""
    region: str = ""
    round: int = 1
    facilitator: str = ""
    respondents_by_agency: Mapping[str, int] | None = None
    workshop: bool = False
    comments: Mapping[str, Sequence[tuple[str, str]]] = field(default_factory=dict)
    generated_on: date | None = None
    legal: Profile | None = None  # the jurisdiction profile: the "Legal position" section
    # the agencies invited to this round (None: not known, as from a CSV), and for each agency
    # the latest earlier round it answered in: how an absent agency is worded
    invited: tuple[str, ...] | None = None
    took_part_in: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AgencyView:
    """One agency's view of one dimension (or why it is not shown)."""

    title: str
    score: float | None
    shown: bool


@dataclass(frozen=True)
class Statement:
    """A scored statement that pulled its dimension down."""

    text: str
    score: float | None
    answer: str  # the answer practitioners gave on average, e.g. "Agree"
    dont_know_share: float
    evidence: str


@dataclass(frozen=True)
class FindingView:
    """A barrier or facilitator found, with its evidence formatted."""

    title: str
    description: str
    evidence: str


@dataclass(frozen=True)
class DimensionSection:
    """Everything the report says about one dimension."""

    id: str
    title: str
    description: str
    score: float | None
    level_title: str
    level_description: str
    level_chart: Markup
    agency_chart: Markup
    agencies: tuple[AgencyView, ...]
    hidden_agencies: int
    statements: tuple[Statement, ...]
    low_item_threshold: float
    answered_share: float
    dont_know_share: float
    dont_know_flag: bool
    barriers: tuple[FindingView, ...]
    facilitators: tuple[FindingView, ...]
    comments: tuple[tuple[str, str], ...]
    divergent: bool
    spread: float | None
    evidence: str


@dataclass(frozen=True)
class GapView:
    """A perception gap: the most and least positive agencies on a dimension."""

    dimension: str
    spread: float
    highest: str
    lowest: str
    meaning: str


@dataclass(frozen=True)
class ActionView:
    """A planned action ready to print."""

    priority: int
    title: str
    phase: int
    findings: tuple[str, ...]
    why: str
    what: str
    lead: str
    partners: str
    effort: str
    depends_on: tuple[str, ...]
    indicator: str
    notes: tuple[str, ...]
    inspiration: tuple[tuple[str, str, str], ...]
    evidence: str
    check_by: str
    lead_note: str = ""  # why the lead is not the agency that would usually lead


@dataclass(frozen=True)
class ConsensusSection:
    """Where a workshop's consensus was hard, as the results page and the PDF print it:
    how many statements, and the counts only of those that may be shown."""

    summary: str
    rows: tuple[tuple[str, str, str], ...]  # (statement, agency, the ratings' spread)
    note: str  # why some statements are given without their counts


def consensus_section(q: Questionnaire, published: Published) -> ConsensusSection | None:
    """The consensus section of a round whose workshop rated statements first, else None."""
    found = published.consensus
    if not found.rated:
        return None
    points = round(q.doc.settings.consensus_hard_spread * 4)
    summary = ngettext(
        "Consensus was hard on %(num)d of %(rated)d statements rated: participants' own "
        "ratings were %(points)d or more points apart on a five-point scale before their "
        "agency agreed an answer.",
        "Consensus was hard on %(num)d of %(rated)d statements rated: participants' own "
        "ratings were %(points)d or more points apart on a five-point scale before their "
        "agency agreed an answer.", found.hard, rated=found.rated, points=points)
    summary += " " + _("The scores use the answers each agency agreed.")
    titles = {a.id: a.title for a in q.doc.agencies}
    rows = tuple((q.items_by_id[s.item].text, titles.get(s.agency, s.agency),
                  describe(q, s)) for s in found.details if s.item in q.items_by_id)
    note = "" if len(rows) == found.hard else ngettext(
        "A statement's ratings are shown only when at least %(num)d participants of an agency "
        "whose figures are shown rated it, so that no one's rating can be told.",
        "A statement's ratings are shown only when at least %(num)d participants of an agency "
        "whose figures are shown rated it, so that no one's rating can be told.",
        q.doc.settings.min_group_size)
    return ConsensusSection(summary=summary, rows=rows, note=note)


@dataclass(frozen=True)
class ReportContext:
    """Everything the roadmap templates print, in reading order."""

    lang: str
    title: str
    meta: ReportMeta
    municipality: str
    place: str
    assessed_on: str
    facilitator: str
    agencies: tuple[tuple[str, int], ...]
    sent_to: tuple[str, ...]  # per agency of `agencies`: what its links were stated to go to
    absent_agencies: tuple[str, ...]
    respondents: int
    counts: str
    withheld: str | None
    min_respondents: int
    min_agencies: int
    stage_title: str
    stage_description: str
    overall: float | None
    summary: tuple[str, ...]
    strengths: tuple[Point, ...]
    weaknesses: tuple[Point, ...]
    # the first three actions (`readiness.core.plans.first_work`, the list the summary counts):
    # the plan's open actions carried over (`first_carried`, worded), then new dated ones
    first_actions: tuple[ActionView, ...]
    radar: Markup
    levels: tuple[Level, ...]
    dimensions: tuple[DimensionSection, ...]
    general_barriers: tuple[FindingView, ...]
    general_facilitators: tuple[FindingView, ...]
    gaps: tuple[GapView, ...]
    gap_threshold: float
    heatmap_agencies: tuple[str, ...]
    heatmap: tuple[tuple[str, tuple[float | None, ...]], ...]
    model: tuple[str, str, tuple[str, ...], str]
    alternatives: tuple[tuple[str, str], ...]
    starting_point: tuple[tuple[str, str], ...]
    unanswered_context: int
    build_on: tuple[FindingView, ...]
    phases: tuple[tuple[int, str, tuple[ActionView, ...]], ...]
    sustaining: bool
    reassess_on: str
    targets: tuple[tuple[str, str, str], ...]
    glossary: tuple[tuple[str, str, str], ...]
    method: Mapping[str, object]
    sources: tuple[tuple[int, str], ...]
    legal: LegalSection | None = None
    consensus: ConsensusSection | None = None
    # from the municipality's plan of earlier rounds: open actions carried over (worded with the
    # plan's status and due date), done ones not proposed again, dropped ones proposed again
    carried: tuple[str, ...] = ()
    done_before: tuple[str, ...] = ()
    proposed_again: tuple[str, ...] = ()
    dropped_before: tuple[str, ...] = ()  # dropped, dimension held: left out as decided
    # what the due dates count from (the closing day when the round was closed after its date)
    dates_from: str = ""
    # what the strongest points box says when it lists nothing
    no_strength: str = ""
    first_carried: tuple[str, ...] = ()


def _cap(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters at most; never between a letter and its
    combining marks (a cut there would leave the letter bare or a mark on the ellipsis)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = limit - 1
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + "\u2026"


def _percent(share: float | None) -> float | None:
    return None if share is None else share * 100


def _levels_for(q: Questionnaire, dimension: str) -> tuple[Level, ...]:
    overrides = next((d.thresholds or {} for d in q.doc.dimensions if d.id == dimension), {})
    return tuple(lv.model_copy(update={"min": overrides.get(lv.id, lv.min)})
                 for lv in q.doc.levels)


def _finding(q: Questionnaire, result: Result, found: Finding) -> FindingView:
    return FindingView(found.title, found_detail(q, result, found), cite(q, found.evidence))


class _Builder:
    """Shared lookups while building one context."""

    def __init__(self, q: Questionnaire, published: Published, roadmap: Roadmap,
                 meta: ReportMeta):
        self.q, self.result, self.roadmap, self.meta = q, published.result, roadmap, meta
        self.published = published
        self.agency_titles = {a.id: a.title for a in q.doc.agencies}
        self.counts = dict(published.respondents_by_agency)
        self.min_group = group_size(q.doc.settings.min_group_size, workshop=published.workshop)
        self.visible = frozenset(published.shown)
        # the one re-assessment date: the published view's, for the report's own date if unset
        self.reassess_on = published.reassess_on or add_months(meta.assessed_on,
                                                               roadmap.reassess_after_months)
        self.priority = {a.id: a.priority for a in roadmap.actions}
        # the date due months count from: the round's closing date (the published view's)
        self.planned_from = published.planned_from or meta.assessed_on

    def dates_from(self, actions: tuple[ActionView, ...]) -> str:
        """What the actions' due dates count from, so no date reads as a slip: the closing day
        when the round closed after its assessment date, the assessment date otherwise."""
        if not any(a.check_by for a in actions):
            return ""
        if self.planned_from == self.meta.assessed_on:
            return _("Due dates count from %(date)s, the date of this assessment.",
                     date=format_date(self.planned_from))
        return _("Due dates count from %(date)s, when this round was closed and its results "
                 "published, not from the assessment date (%(assessed)s).",
                 date=format_date(self.planned_from), assessed=format_date(self.meta.assessed_on))

    def agency(self, ident: str) -> str:
        """An agency's title (its id made readable when unknown)."""
        return self.agency_titles.get(ident, ident.replace("_", " ").capitalize())

    def shown(self, agency: str) -> bool:
        """Whether an agency has enough respondents to show its own figures."""
        return agency in self.visible

    def spread(self, dim: DimensionResult) -> float | None:
        """The spread between agencies that may be printed: the published view's."""
        return dim.spread

    def dimension(self, dim_id: str) -> DimensionSection:
        """Everything the report says about one dimension."""
        q, result = self.q, self.result
        dim = result.dimension(dim_id)
        spread = self.spread(dim)
        doc = next(d for d in q.doc.dimensions if d.id == dim_id)
        levels = _levels_for(q, dim_id)
        level_doc = next((lv for lv in levels if lv.id == dim.level), None)
        items = {i.id: i for i in q.items_of(dim_id)}
        statements = tuple(Statement(
            text=items[i].text, score=_percent(result.items[i].score),
            answer=average_answer(q, result.items[i]) or "",
            dont_know_share=result.items[i].dont_know_share,
            evidence=cite(q, items[i].evidence)) for i in dim.low_items if i in items)
        agencies = tuple(AgencyView(self.agency(a), v, self.shown(a))
                         for a, v in dim.by_agency.items())
        comments = tuple(  # as on the results page: only agencies large enough for comments
            (self.agency(agency), _cap(shown_text(str(text)), MAX_COMMENT))
            for agency, text in self.meta.comments.get(dim_id, ())
            if agency in self.published.comment_agencies and str(text).strip())
        return DimensionSection(
            id=dim.id, title=dim.title, description=doc.description, score=dim.score,
            level_title=dim.level_title,
            level_description=(level_doc.description if level_doc else
                               _("Too few answers to give a score without guessing.")),
            level_chart=level_bar(dim.score, levels,
                                  title=_("%(title)s: score and level", title=dim.title),
                                  describe_in_title=True),
            agency_chart=agency_bars_svg(replace(dim, spread=spread), self.agency_titles,
                                         respondents_by_agency=self.published.group_counts,
                                         min_group_size=self.min_group, width=400,
                                         hidden=frozenset(dim.by_agency) - self.visible,
                                         describe_in_title=True),
            agencies=agencies, hidden_agencies=sum(1 for a in agencies if not a.shown),
            statements=statements, low_item_threshold=q.doc.settings.low_item_score * 100,
            answered_share=dim.answered_share,
            dont_know_share=dim.dont_know_share, dont_know_flag=dim.dont_know_flag,
            barriers=tuple(_finding(q, result, b) for b in result.barriers
                           if b.dimension == dim_id),
            facilitators=tuple(_finding(q, result, f) for f in result.facilitators
                               if f.dimension == dim_id),
            comments=comments, divergent=dim.divergent, spread=spread,
            evidence=cite(q, doc.evidence))

    def action(self, action: PlannedAction) -> ActionView:
        """A planned action with titles, dependencies and a check-by date."""
        deps = tuple(f"{self.priority[d]}. {self._title(d)}" for d in action.depends_on
                     if d in self.priority)
        months = action.due_month
        if months is None and action.phase in (1, 2, 3):  # a roadmap stored before due months
            months = PHASE_MONTHS.get(action.phase, max(24, self.roadmap.reassess_after_months))
        due = None if months is None else add_months(self.planned_from, months)
        if action.id == REASSESS_ACTION and due is not None:
            due = self.reassess_on
        lead, lead_note = self._lead(action)
        return ActionView(
            priority=action.priority, title=action.title, phase=action.phase,
            findings=self._findings(action), why=action.why, what=action.what,
            lead=lead, lead_note=lead_note,
            partners=", ".join(self.agency(p) if p in self.counts
                               else _("%(agency)s (%(absence)s)", agency=self.agency(p),
                                      absence=self.absence(p))
                               for p in action.partners),
            effort=str(EFFORTS[action.effort]), depends_on=deps, indicator=action.indicator,
            notes=action.notes,
            inspiration=tuple((i.country, i.text, cite(self.q, (i.evidence,)))
                              for i in action.inspiration),
            evidence=cite(self.q, action.evidence),
            check_by="" if due is None else format_date(due))

    def absence(self, agency: str) -> str:
        """Why an agency has no answers here, as far as the data shows: invited or not, and
        the earlier round it took part in."""
        before = self.meta.took_part_in.get(agency)
        invited = self.meta.invited
        if invited is None:
            return (_("no answers; took part in round %(round)d", round=before) if before
                    else _("no answers"))
        if agency in invited:
            return (_("invited, no answers; took part in round %(round)d", round=before)
                    if before else _("invited, no answers"))
        return (_("not invited; took part in round %(round)d", round=before) if before
                else _("not invited"))

    def _findings(self, action: PlannedAction) -> tuple[str, ...]:
        """The findings behind an action, the agencies taking no part named in one sentence
        that says of each what the data shows (all of those an action bringing them in names
        as its lead or partners)."""
        named = {absent_finding(self.q, a): a for a in self.agency_titles
                 if a not in self.counts}
        absent = [named[f] for f in action.findings if f in named]
        brings = next((a.brings_in for a in self.q.library.actions if a.id == action.id), ())
        absent += [a for a in (action.natural_lead or action.lead, *action.partners)
                   if a in brings and a not in self.counts and a not in absent]
        found = [f for f in action.findings if f not in named]
        if absent:
            found.insert(0, _("Taking no part in this round: %(agencies)s.", agencies=", ".join(
                _("%(agency)s (%(absence)s)", agency=self.agency(a), absence=self.absence(a))
                for a in absent)))
        return tuple(found[:MAX_FINDINGS])

    def _lead(self, action: PlannedAction) -> tuple[str, str]:
        """The lead as a name to print after "Lead:" or "led by", and a sentence on why it is
        not the agency that would usually lead, when that one took no part."""
        note = action.lead_note or ""
        if note.startswith("bring:") and note[6:] in self.priority:
            return _("%(agency)s (once brought in by action %(number)d)",
                     agency=self.agency(action.lead), number=self.priority[note[6:]]), ""
        if note.startswith("agree:"):
            absent = note[6:]
            return (_("%(agency)s (convening until the partners agree who leads)",
                      agency=self.agency(action.lead)),
                    _("%(absent)s would usually lead (%(absence)s).",
                      absent=self.agency(absent), absence=self.absence(absent)))
        return self.agency(action.lead), ""

    def _title(self, action_id: str) -> str:
        return next(a.title for a in self.roadmap.actions if a.id == action_id)

    def gaps(self) -> tuple[GapView, ...]:
        """Perception gaps between agencies that may be shown."""
        views = []
        for dim in self.result.dimensions:
            shown = {a: v for a, v in dim.by_agency.items() if v is not None and self.shown(a)}
            spread = self.spread(dim)
            if not dim.divergent or spread is None:
                continue
            high = max(shown, key=lambda a: shown[a])
            low = min(shown, key=lambda a: shown[a])
            views.append(GapView(
                dimension=dim.title, spread=spread,
                highest=f"{self.agency(high)} ({shown[high]:.0f})",
                lowest=f"{self.agency(low)} ({shown[low]:.0f})",
                meaning=gap_meaning(dim.id, dim.title, self.agency(high), self.agency(low))))
        return tuple(views)

    def heatmap(self) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[float | None, ...]], ...]]:
        """Shown agencies and each dimension's score per agency."""
        agencies = [a for a in self.q.agency_ids if a in self.counts and self.shown(a)]
        rows = tuple((d.title, tuple(d.by_agency.get(a) for a in agencies))
                     for d in self.result.dimensions)
        return tuple(self.agency(a) for a in agencies), rows

    def starting_point(self) -> tuple[tuple[str, str], ...]:
        """The answered context questions with their answers."""
        rows: list[tuple[str, str]] = []
        for item in self.q.doc.context:
            chosen = self.result.context.get(item.id, ())
            labels = [o.label for o in self.q.options(item) if o.value in chosen]
            if labels:
                rows.append((item.text, ", ".join(labels)))
        return tuple(rows)

    def targets(self) -> tuple[tuple[str, str, str], ...]:
        """Per dimension: the score now and the aim for the re-assessment."""
        rows = []
        for dim in self.result.dimensions:
            levels = sorted(_levels_for(self.q, dim.id), key=lambda lv: lv.min)
            planned = any(a.dimension == dim.id and a.due_month is not None
                          and a.due_month <= self.roadmap.reassess_after_months
                          for a in self.roadmap.actions)
            if dim.score is None:
                now, goal = _("Insufficient data"), _("Enough answers to score it")
            elif not planned and self.q.library.plan is not None:
                now = f"{dim.score:.0f} ({dim.level_title})"
                goal = _("Hold at %(score)s: no action on it is due before the re-assessment",
                         score=f"{dim.score:.0f}")
            else:
                now = f"{dim.score:.0f} ({dim.level_title})"
                nxt = next((lv for lv in levels if lv.min > dim.score), None)
                goal = (_("%(min)s or more (%(level)s)", min=f"{nxt.min:.0f}", level=nxt.title)
                        if nxt else _("Stay at %(min)s or more", min=f"{levels[-1].min:.0f}"))
            rows.append((dim.title, now, goal))
        return tuple(rows)


def carried_texts(found: FromPlan, today: date, q: Questionnaire | None = None
                  ) -> tuple[str, ...]:
    """The plan's open actions a roadmap carries over, each with the plan's status and due date
    (the page and the PDF print these same lines), titled in `q`'s language where it knows the
    action."""
    lines = []
    for kept in found.still_open:
        held = replace(kept, title=action_title(q, kept.action, kept.title)) if q else kept
        status = str(STATUS_TITLES.get(held.status, held.status))
        if held.due_on is None:
            lines.append(_("%(title)s: %(status)s, no due date", title=held.title,
                           status=status))
        elif is_overdue(held.status, held.due_on, today):
            lines.append(_("%(title)s: %(status)s, overdue since %(date)s", title=held.title,
                           status=status, date=format_date(held.due_on)))
        else:
            lines.append(_("%(title)s: %(status)s, due %(date)s", title=held.title,
                           status=status, date=format_date(held.due_on)))
    return tuple(lines)


def build_report_context(q: Questionnaire, published: Published,
                         meta: ReportMeta) -> ReportContext:
    """Prepare everything the roadmap report prints, from an assessment's published view and
    its metadata (a round whose scores are withheld gets an empty roadmap)."""
    result = published.result
    roadmap = published.roadmap or replace(build_roadmap(q, result), actions=())
    b = _Builder(q, published, roadmap, meta)
    municipality = _cap(meta.municipality, MAX_NAME) or _("Unnamed municipality")
    place = ", ".join(_cap(p, MAX_NAME) for p in (meta.region, meta.country) if p.strip())
    actions = tuple(b.action(a) for a in roadmap.actions)
    today = meta.generated_on or date.today()
    work = first_work(roadmap, published.from_plan, today)
    first_carried, first_dated = work.first()
    strengths, weaknesses = strengths_and_weaknesses(q, result)
    heat_agencies, heat_rows = b.heatmap()
    present = [a for a in q.agency_ids if b.counts.get(a)]
    method = {
        "questionnaire": _("%(title)s (%(id)s, version %(version)s)", title=q.doc.title,
                           id=q.id, version=q.version),
        "hash": q.content_hash, "respondents": sum(b.counts.values()),
        "by_agency": tuple((b.agency(a), b.counts[a]) for a in present),
        "settings": q.doc.settings, "levels": q.doc.levels, "min_group": b.min_group,
        "workshop": published.workshop, "insufficient": INSUFFICIENT,
        "generated_on": format_date(meta.generated_on or date.today()),
        "hidden_why": published.hidden_texts({a.id: a.title for a in q.doc.agencies},
                                             q.doc.settings.min_group_size),
        "comments_rule": published.comment_texts({a.id: a.title for a in q.doc.agencies}),
    }
    return ReportContext(
        lang=current_language(), meta=meta,
        title=_("Multi-agency working roadmap: %(name)s", name=municipality),
        municipality=municipality, place=place, assessed_on=format_date(meta.assessed_on),
        facilitator=_cap(meta.facilitator, MAX_NAME),
        agencies=tuple((b.agency(a), b.counts[a]) for a in present),
        sent_to=tuple(published.sent_to_text(a) for a in present),
        absent_agencies=tuple(b.agency(a) for a in q.agency_ids
                              if a not in b.counts and a != "other"),
        respondents=sum(b.counts.values()), counts=published.counts_text(),
        withheld=published.withheld, min_respondents=published.min_respondents,
        min_agencies=published.min_agencies, stage_title=result.stage_title,
        stage_description=result.stage_description, overall=result.overall,
        summary=summary_paragraphs(q, result, roadmap, municipality, published.counts_text(),
                                   work, today),
        strengths=strengths, weaknesses=weaknesses,
        first_actions=tuple(b.action(a) for a in first_dated),
        first_carried=tuple(first_carried_line(h, today, q) for h in first_carried),
        radar=radar_svg(result, width=440,
                        title=_("Readiness of %(name)s by dimension", name=municipality),
                        levels=q.doc.levels, describe_in_title=True),
        levels=q.doc.levels,
        dimensions=tuple(b.dimension(d) for d in q.dimension_ids),
        general_barriers=tuple(_finding(q, result, f) for f in result.barriers
                               if f.dimension is None),
        general_facilitators=tuple(_finding(q, result, f) for f in result.facilitators
                                   if f.dimension is None),
        gaps=b.gaps(), gap_threshold=q.doc.settings.gap_threshold,
        heatmap_agencies=heat_agencies, heatmap=heat_rows,
        model=(roadmap.model.title, roadmap.model.description, roadmap.model.reasons,
               cite(q, roadmap.model.evidence)),
        alternatives=tuple((m.title, m.description) for m in roadmap.alternatives),
        starting_point=b.starting_point(),
        unanswered_context=len(q.doc.context) - len(b.starting_point()),
        build_on=tuple(_finding(q, result, f) for f in result.facilitators),
        phases=tuple((n, str(PHASE_TITLES[n]), tuple(a for a in actions if a.phase == n))
                     for n in sorted(PHASE_TITLES) if any(a.phase == n for a in actions)),
        sustaining=roadmap.sustaining,
        reassess_on=format_date(b.reassess_on),
        targets=b.targets(),
        glossary=tuple(sorted(((t.term, t.definition, cite(q, (t.evidence,)) if t.evidence
                                else "") for t in q.doc.glossary), key=lambda t: t[0].lower())),
        method=method,
        sources=tuple((n, s.reference) for n, s in enumerate(q.doc.sources, start=1)),
        legal=legal_section(meta.legal, q) if meta.legal is not None else None,
        consensus=consensus_section(q, published),
        carried=carried_texts(published.from_plan, today, q),
        done_before=held_titles(q, published.from_plan.done),
        proposed_again=held_titles(q, published.from_plan.again),
        dropped_before=held_titles(q, published.from_plan.dropped),
        dates_from=b.dates_from(actions), no_strength=no_strength_text(result),
    )
