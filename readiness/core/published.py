"""What may be published of one closed assessment, computed once. Pure.

`publish(q, result, ...)` turns a scored `Result` into the one `Published` view that the results
page, the PDF, the API and every export read, so no figure is worked out twice or differently:

- agencies: shown only above the group threshold, with complementary suppression
  (`readiness.core.privacy`);
- per dimension: agency scores of shown agencies only; when exactly one hidden agency has a
  score on a dimension, the smallest shown agency's score is left out too (else the hidden score
  follows from the municipal score); when no shown agency has one, the dimension's score is
  withheld; spread and perception-gap flag over the published agency scores only;
- statements: no agency breakdown; a statement only one hidden agency scored has no score;
- don't-know and answered shares (per dimension and statement) of the shown agencies alone: a
  share that mixed in a hidden agency's answers would give them away beside the shown
  agencies' (the respondent export), and at 0% or 100% even without them;
- barriers, facilitators and the roadmap are found again from these published figures, so an
  action's reason quotes exactly the figure printed beside it;
- the roadmap leaves out what the municipality's plan already holds open or done
  (`readiness.core.plans.from_plan`), and its due dates count from the closing date;
- a survey round below `min_respondents` respondents or `min_agencies` agencies publishes no
  score at all (`withheld` says why);
- comments only from shown agencies with at least `min_comment_group` respondents.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from readiness.core import privacy
from readiness.core.consensus import NO_CONSENSUS, Consensus, Ratings, consensus
from readiness.core.legal import Profile
from readiness.core.legal_roadmap import apply_legal
from readiness.core.plans import FromPlan, Held, due_on, follow_plan
from readiness.core.questionnaire import Questionnaire
from readiness.core.roadmap import PlannedAction, Roadmap, build_roadmap
from readiness.core.schema import Settings
from readiness.core.scoring import (
    INSUFFICIENT,
    INSUFFICIENT_TITLE,
    DimensionResult,
    ItemResult,
    Result,
    overall_and_stage,
    with_findings,
)
from readiness.translate import gettext as _
from readiness.translate import ngettext

TOO_FEW_PEOPLE = "too_few_respondents"
TOO_FEW_AGENCIES = "too_few_agencies"


@dataclass(frozen=True)
class Published:
    """Everything that may be published of one assessment; every view reads only this."""

    result: Result  # the published figures: safe agency scores, spreads, gaps, findings
    roadmap: Roadmap | None  # None when scores are withheld
    shown: tuple[str, ...]
    hidden: tuple[str, ...]
    respondents_by_agency: dict[str, int]
    workshop: bool
    withheld: str | None  # TOO_FEW_PEOPLE, TOO_FEW_AGENCIES or None
    min_respondents: int
    min_agencies: int
    comment_agencies: tuple[str, ...]
    reassess_on: date | None
    agreed: tuple[str, ...] = ()  # a mixed round's agencies recorded in a workshop
    consensus: Consensus = NO_CONSENSUS  # how hard the workshop's consensus was
    # per agency, how many practitioners the organiser said its links went to (None: a link
    # without a stated size); printed beside the respondents, so readers can judge the sizes
    sent_to: Mapping[str, int | None] = field(default_factory=dict)
    # why the hidden agencies are hidden (`privacy.hidden_reasons`): too few respondents, or
    # hidden with those so that their figures cannot be worked out from it
    too_few: tuple[str, ...] = ()
    protecting: tuple[str, ...] = ()
    # the date the roadmap's due months count from: the round's closing date
    planned_from: date | None = None
    # what the roadmap took from the municipality's plan of earlier rounds (left out, carried)
    from_plan: FromPlan = field(default_factory=FromPlan)
    # the fewest respondents an agency needs for its comments to be quoted (0: not known)
    min_comment_group: int = 0

    def hidden_texts(self, titles: Mapping[str, str], min_group_size: int) -> tuple[str, ...]:
        """Which agencies are not shown separately and why, one sentence per reason; in a mixed
        round also that the agencies recorded in the workshop are shown, however small their
        count (the group-size rule leaves agreed answers out, see `group_counts`)."""
        if self.withheld:
            return ()
        few = ", ".join(titles.get(a, a) for a in self.too_few)
        out = [_("Agencies with fewer than %(count)d respondents count in the municipality's "
                 "figures but are not shown separately: %(agencies)s.", count=min_group_size,
                 agencies=few)] if few else []
        agreed = ", ".join(titles.get(a, a) for a in self.agreed if a in self.shown)
        if self.mixed and agreed:  # the rule is about few people; an agreed answer is an agency's
            out.append(_("Agencies recorded in the workshop count as 1, their agreed answer, "
                         "and are shown separately: %(agencies)s.", agencies=agreed))
        out += [_("%(agency)s is not shown separately so that the figures of %(agencies)s "
                  "cannot be worked out from it.", agency=titles.get(a, a), agencies=few)
                for a in self.protecting]
        return tuple(out)

    def comment_texts(self, titles: Mapping[str, str]) -> tuple[str, ...]:
        """The rule for quoting comments and, when it held any back, whose, in the reader's
        language: read by the results page and the report alike."""
        if self.withheld or self.workshop or not self.min_comment_group:
            return ()  # nothing published, or a workshop round: every agency is quoted
        count = self.min_comment_group
        out = [ngettext("Comments are shown only from agencies with at least %(num)d respondent "
                        "or recorded in the workshop, so that a comment cannot be traced to a "
                        "person.",
                        "Comments are shown only from agencies with at least %(num)d respondents "
                        "or recorded in the workshop, so that a comment cannot be traced to a "
                        "person.", count) if self.mixed else
               ngettext("Comments are shown only from agencies with at least %(num)d respondent, "
                        "so that a comment cannot be traced to a person.",
                        "Comments are shown only from agencies with at least %(num)d "
                        "respondents, so that a comment cannot be traced to a person.", count)]
        held = [titles.get(a, a) for a in (*self.shown, *self.hidden)
                if a not in self.comment_agencies]
        if held:
            out.append(ngettext("The comments of %(agencies)s are not shown.",
                                "The comments of these %(num)d agencies are not shown: "
                                "%(agencies)s.", len(held), agencies=", ".join(held)))
        return tuple(out)

    def due_on(self, action: PlannedAction) -> date | None:
        """An action's one due date (None: undated, or no date to count from)."""
        return None if self.planned_from is None else due_on(self.planned_from, action.due_month)

    @property
    def mixed(self) -> bool:
        """Some agencies answered by survey link, others agreed answers in a workshop."""
        return not self.workshop and any(self.respondents_by_agency.get(a, 0) for a in self.agreed)

    @property
    def group_counts(self) -> dict[str, int]:
        """The counts the group-size rule reads: a mixed round's agreed answers are left out,
        since each is a whole agency's, never a small group of people."""
        return {a: n for a, n in self.respondents_by_agency.items() if a not in self.agreed}

    @property
    def practitioners(self) -> int:
        """Practitioners counted, of the agencies that answered by survey link."""
        return 0 if self.workshop else sum(n for a, n in self.respondents_by_agency.items()
                                           if a not in self.agreed)

    @property
    def sizes_stated(self) -> bool:
        """Whether any link of the round had a stated size (else one sentence says so)."""
        return any(size is not None for size in self.sent_to.values())

    def sent_to_text(self, agency: str) -> str:
        """`of 3 the link went to`, or nothing in a workshop or for an agency without links."""
        if self.workshop or agency not in self.sent_to:
            return ""
        sent = self.sent_to[agency]
        if sent is None:
            return _("link size not stated")
        return ngettext("of %(num)d practitioner the link went to",
                        "of %(num)d practitioners the links went to", sent)

    @property
    def respondents(self) -> int:
        """Responses counted: practitioners in a survey, agreed answers in a workshop."""
        return sum(self.respondents_by_agency.values())

    @property
    def agencies(self) -> int:
        """Agencies that took part."""
        return sum(1 for n in self.respondents_by_agency.values() if n > 0)

    def counts_text(self) -> str:
        """`12 practitioners in 4 agencies`, or `agreed answers of 7 agencies` in a workshop."""
        agencies = ngettext("%(num)d agency", "%(num)d agencies", self.agencies)
        if self.workshop:
            return _("agreed answers of %(agencies)s", agencies=agencies)
        if self.mixed:
            return self._mixed_text()
        return ngettext("%(num)d practitioner in %(agencies)s",
                        "%(num)d practitioners in %(agencies)s", self.respondents,
                        agencies=agencies)

    def _mixed_text(self) -> str:
        """`8 practitioners in 2 agencies and agreed answers of 3 agencies`."""
        counts = self.respondents_by_agency
        surveyed = sum(1 for a, n in counts.items() if n > 0 and a not in self.agreed)
        agreed = sum(1 for a in self.agreed if counts.get(a, 0) > 0)
        people = ngettext("%(num)d practitioner in %(agencies)s",
                          "%(num)d practitioners in %(agencies)s", self.practitioners,
                          agencies=ngettext("%(num)d agency", "%(num)d agencies", surveyed))
        return _("%(practitioners)s and agreed answers of %(agencies)s", practitioners=people,
                 agencies=ngettext("%(num)d agency", "%(num)d agencies", agreed))


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter; date.max past 9999)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year > date.max.year:
        return date.max
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def withheld_reason(counts: Mapping[str, int], *, workshop: bool, min_respondents: int,
                    min_agencies: int) -> str | None:
    """Why a survey round's municipal scores may not be published, or None when they may."""
    if workshop:
        return None
    if sum(counts.values()) < min_respondents:
        return TOO_FEW_PEOPLE
    if sum(1 for n in counts.values() if n > 0) < min_agencies:
        return TOO_FEW_AGENCIES
    return None


def _dimension(dim: DimensionResult, shown: tuple[str, ...], counts: Mapping[str, int],
               order: list[str], gap_threshold: float,
               agreed: Collection[str] = ()) -> DimensionResult:
    """One dimension's published figures (see the module docstring); an agreed answer of a
    mixed round is known to the room, so only a surveyed agency can hide a hidden one."""
    valued = {a: v for a, v in dim.by_agency.items() if v is not None}
    shown_valued = [a for a in shown if a in valued]
    hidden_valued = [a for a in valued if a not in shown]
    score, level, level_title = dim.score, dim.level, dim.level_title
    if len(hidden_valued) == 1:
        surveyed = [a for a in shown_valued if a not in agreed]
        if surveyed:
            smallest = min(surveyed, key=lambda a: (counts.get(a, 0), order.index(a)
                                                    if a in order else len(order)))
            shown_valued.remove(smallest)
        else:
            score, level, level_title = None, INSUFFICIENT, str(INSUFFICIENT_TITLE)
    published = {a: (valued[a] if a in shown_valued else None) for a in dim.by_agency}
    values = [valued[a] for a in shown_valued]
    spread = max(values) - min(values) if len(values) >= 2 else None
    return replace(dim, score=score, level=level, level_title=level_title, by_agency=published,
                   spread=spread, divergent=spread is not None and spread >= gap_threshold,
                   low_items=dim.low_items if score is not None else ())


def _item(item: ItemResult, shown: tuple[str, ...], agreed: Collection[str] = ()) -> ItemResult:
    """A statement's published figures: no agency breakdown, no score that only one hidden
    agency gave (beside agreed answers, which the room knows), a don't-know share of the shown
    agencies' answers only."""
    valued = [a for a, v in item.by_agency.items() if v is not None]
    hidden = [a for a in valued if a not in shown]
    alone_hidden = len(hidden) == 1 and all(a in agreed for a in valued if a not in hidden)
    share = item.dont_know_share
    if item.given_by_agency:  # a result scored here (one built by hand keeps its share)
        given = sum(n for a, n in item.given_by_agency.items() if a in shown)
        unsure = sum(n for a, n in item.dont_know_by_agency.items() if a in shown)
        share = unsure / given if given else 0.0
    return replace(item, score=None if alone_hidden else item.score, by_agency={},
                   dont_know_share=share, given_by_agency={}, dont_know_by_agency={})


def _shown_shares(dim: DimensionResult, shown: tuple[str, ...], flag_at: float
                  ) -> DimensionResult:
    """A dimension's answered and don't-know shares over the shown agencies only (means of
    their own shares, as the scores are), and no per-agency shares."""
    if not dim.answered_by_agency:  # a result built by hand keeps its shares
        return dim
    answered = [v for a, v in dim.answered_by_agency.items() if a in shown]
    unsure = [v for a, v in dim.dont_know_by_agency.items() if a in shown]
    share = sum(unsure) / len(unsure) if unsure else 0.0
    return replace(dim, answered_share=sum(answered) / len(answered) if answered else 0.0,
                   dont_know_share=share, dont_know_flag=share >= flag_at,
                   answered_by_agency={}, dont_know_by_agency={})


def _withheld(dim: DimensionResult) -> DimensionResult:
    return replace(dim, score=None, level=INSUFFICIENT, level_title=str(INSUFFICIENT_TITLE),
                   by_agency={a: None for a in dim.by_agency}, spread=None, divergent=False,
                   answered_share=0.0, dont_know_share=0.0, dont_know_flag=False, low_items=(),
                   answered_by_agency={}, dont_know_by_agency={})


def publish(q: Questionnaire, result: Result, *, workshop: bool = False,
            respondents_by_agency: Mapping[str, int] | None = None,
            assessed_on: date | None = None, profile: Profile | None = None,
            run_by: str | None = None, agreed: Collection[str] = (),
            ratings: Mapping[str, Ratings] | None = None,
            sent_to: Mapping[str, int | None] | None = None, planned_from: date | None = None,
            held: Sequence[Held] = (), before: Mapping[str, float | None] | None = None,
            before_facts: RoundFacts | None = None) -> Published:
    """The published view of a scored assessment (`respondents_by_agency` overrides the result's
    counts, e.g. distinct practitioners after flagged responses are left out); its roadmap is
    built from the published figures (for a round run by `run_by`), with the legal actions of
    `profile` where one is given.

    `agreed`: in a mixed round, the agencies recorded in a workshop; with their agreed answers
    the round publishes as a workshop does, its surveyed agencies under the group rules.
    `ratings`: {agency: {item: {value: participants}}} rated before agreeing (consensus mode).
    `planned_from`: the date due months count from (the closing date; default `assessed_on`).
    `held`: the municipality's plan from earlier rounds, whose open and done actions the roadmap
    does not propose as new (`readiness.core.plans.from_plan`; `before`: the previous round's
    scores, to see a dimension fall back; `before_facts`: that round's comparison facts: when
    the two rounds cannot be compared (`differences`), no fall-back is read from its scores).
    """
    settings = q.doc.settings
    counts = dict(respondents_by_agency if respondents_by_agency is not None
                  else result.respondents_by_agency)
    order = [a for a in q.agency_ids if a in counts] + [a for a in counts if a not in q.agency_ids]
    agreed = tuple(a for a in order if a in set(agreed)) if not workshop else ()
    withheld = withheld_reason(counts, workshop=workshop or any(counts.get(a) for a in agreed),
                               min_respondents=settings.min_respondents,
                               min_agencies=settings.min_agencies)
    shown = () if withheld else privacy.shown_agencies(
        counts, settings.min_group_size, workshop=workshop, order=order, agreed=agreed)
    if withheld:
        safe = replace(result, dimensions=tuple(_withheld(d) for d in result.dimensions),
                       items={k: replace(i, score=None, by_agency={}, dont_know_share=0.0,
                                         given_by_agency={}, dont_know_by_agency={})
                              for k, i in result.items.items()},
                       overall=None, stage=INSUFFICIENT, stage_title=str(INSUFFICIENT_TITLE),
                       stage_description=_("Too few practitioners answered to publish a score."),
                       barriers=(), facilitators=())
        roadmap, found = None, FromPlan()
    else:
        dims = tuple(_shown_shares(_dimension(d, shown, counts, order, settings.gap_threshold,
                                              agreed), shown, settings.dont_know_flag)
                     for d in result.dimensions)
        safe = with_findings(q, _rescored(q, replace(
            result, dimensions=dims,
            items={k: _item(i, shown, agreed) for k, i in result.items.items()},
            barriers=(), facilitators=())))
        roadmap = build_roadmap(q, safe, run_by=run_by)
        if profile is not None:
            roadmap = apply_legal(roadmap, q, safe, profile)
        if before_facts is not None and differences(before_facts, round_facts(
                before_facts.round + 1, counts, shown=shown, withheld=None,
                min_group_size=settings.min_group_size, workshop=workshop), q.agency_ids):
            before = {}  # not comparable: no score fell back (the results page's rule)
        roadmap, found = follow_plan(roadmap, held, before or {},
                                     {d.id: d.score for d in safe.dimensions}, renewed(q))
    planned_from = planned_from or assessed_on
    too_few, protecting = privacy.hidden_reasons(
        {a: counts[a] for a in order}, shown, settings.min_group_size,
        workshop=workshop) if not withheld else ((), ())
    comment_group = max(settings.min_comment_group, settings.min_group_size)
    comments = tuple(a for a in shown
                     if workshop or a in agreed or counts.get(a, 0) >= comment_group)
    return Published(
        result=safe, roadmap=roadmap, shown=tuple(shown),
        hidden=tuple(a for a in order if counts.get(a, 0) > 0 and a not in shown),
        respondents_by_agency=counts, workshop=workshop, withheld=withheld,
        min_respondents=settings.min_respondents, min_agencies=settings.min_agencies,
        comment_agencies=comments,
        reassess_on=None if planned_from is None or roadmap is None
        else add_months(planned_from, roadmap.reassess_after_months),
        agreed=agreed, consensus=consensus(q, ratings, shown) if ratings else NO_CONSENSUS,
        sent_to=dict(sent_to or {}), too_few=too_few, protecting=protecting,
        planned_from=planned_from, from_plan=found, min_comment_group=comment_group)


def renewed(q: Questionnaire) -> frozenset[str]:
    """Actions each round proposes anew (the re-assessment: a round is the earlier one's)."""
    return frozenset(a.id for a in q.library.actions if a.at_reassessment)


def _rescored(q: Questionnaire, result: Result) -> Result:
    """Overall score and stage again from the published dimension scores (a dimension withheld
    to protect a hidden agency leaves the overall, as an insufficient one does)."""
    overall, (stage, title, description) = overall_and_stage(q, list(result.dimensions))
    if overall == result.overall or (overall is not None and result.overall is not None
                                     and abs(overall - result.overall) < 1e-9):
        return result
    return replace(result, overall=overall, stage=stage, stage_title=title,
                   stage_description=description)


def published_to_dict(published: Published) -> dict[str, object]:
    """What a later round needs to know of this one to compare with it, JSON-ready."""
    return {"shown_agencies": list(published.shown), "withheld": published.withheld,
            "workshop": published.workshop, "agreed_agencies": list(published.agreed),
            "consensus_hard": published.consensus.hard, "sent_to": dict(published.sent_to)}


@dataclass(frozen=True)
class RoundFacts:
    """What decides whether two rounds' scores may be compared."""

    round: int
    taking_part: frozenset[str]
    shown: frozenset[str]
    withheld: str | None
    too_few: frozenset[str] = frozenset()  # hidden for too few respondents
    protecting: frozenset[str] = frozenset()  # hidden so that those cannot be worked out


@dataclass(frozen=True)
class Difference:
    """Why two rounds cannot be compared: `kind` is `withheld` (that round published no score),
    `took_part` (the agency took part in that round only) or `shown` (the agency's own figures
    were shown in that round only); `round` is the round concerned. For `shown`, `hidden_in`
    is the round it was hidden in and `why` why: `too_few` respondents, `protects` (hidden
    so that the figures of `protects` cannot be worked out from it) or "" (not known)."""

    kind: str
    round: int
    agency: str = ""
    why: str = ""
    hidden_in: int = 0
    protects: tuple[str, ...] = ()


def round_facts(number: int, counts: Mapping[str, int], *, shown: Collection[str] | None,
                withheld: str | None, min_group_size: int | None = None,
                workshop: bool = False) -> RoundFacts:
    """The comparison facts of a round from its counts and what it published; with
    `min_group_size`, also why each hidden agency was hidden (`privacy.hidden_reasons`)."""
    taking_part = frozenset(a for a, n in counts.items() if n > 0)
    kept = frozenset(taking_part if shown is None else shown)
    too_few: tuple[str, ...] = ()
    protecting: tuple[str, ...] = ()
    if min_group_size is not None and not withheld:
        too_few, protecting = privacy.hidden_reasons(counts, kept, min_group_size,
                                                     workshop=workshop)
    return RoundFacts(number, taking_part, kept, withheld, frozenset(too_few),
                      frozenset(protecting))


def published_facts(number: int, published: Published) -> RoundFacts:
    """The comparison facts of a round from its published view."""
    return RoundFacts(number, frozenset(a for a, n in published.respondents_by_agency.items()
                                        if n > 0),
                      frozenset(published.shown), published.withheld,
                      frozenset(published.too_few), frozenset(published.protecting))


def _hidden(agency: str, shown_in: RoundFacts, hidden_in: RoundFacts,
            sort: Callable[[Collection[str]], list[str]]) -> Difference:
    """An agency shown in one round and hidden in the other, with why it was hidden."""
    if agency in hidden_in.too_few:
        return Difference("shown", shown_in.round, agency, "too_few", hidden_in.round)
    if agency in hidden_in.protecting and hidden_in.too_few:
        return Difference("shown", shown_in.round, agency, "protects", hidden_in.round,
                          tuple(sort(hidden_in.too_few)))
    return Difference("shown", shown_in.round, agency, "", hidden_in.round)


def differences(before: RoundFacts, now: RoundFacts,
                order: Sequence[str] = ()) -> tuple[Difference, ...]:
    """What keeps two rounds from being compared; empty when both published scores and the same
    agencies took part with the same agencies shown."""
    rank = {a: i for i, a in enumerate(order)}

    def sort(agencies: Collection[str]) -> list[str]:
        return sorted(agencies, key=lambda a: (rank.get(a, len(rank)), a))

    found = [Difference("withheld", r.round) for r in (before, now) if r.withheld]
    for one, other in ((before, now), (now, before)):
        found += [Difference("took_part", one.round, a)
                  for a in sort(one.taking_part - other.taking_part)]
    for one, other in ((before, now), (now, before)):
        if not other.withheld:  # a round without scores: the reason above says it all
            found += [_hidden(a, one, other, sort)
                      for a in sort((one.shown - other.shown) & other.taking_part)]
    return tuple(found)


def stored_round_facts(number: int, counts: Mapping[str, int], *,
                       shown: Collection[str] | None, withheld: str | None, workshop: bool,
                       settings: Settings | None = None,
                       order: Sequence[str] = ()) -> RoundFacts:
    """A stored round's comparison facts. A round stored before the published view kept its
    shown agencies (`shown` None) is judged by today's rules (`settings`) from its counts;
    without `settings`, by its counts alone (every agency that took part counts as shown)."""
    if settings is None:
        return round_facts(number, counts, shown=shown, withheld=withheld)
    if shown is not None:
        return round_facts(number, counts, shown=shown, withheld=withheld,
                           min_group_size=settings.min_group_size, workshop=workshop)
    withheld = withheld_reason(counts, workshop=workshop, min_respondents=settings.min_respondents,
                               min_agencies=settings.min_agencies)
    kept = () if withheld else privacy.shown_agencies(counts, settings.min_group_size,
                                                      workshop=workshop,
                                                      order=order or sorted(counts))
    return round_facts(number, counts, shown=kept, withheld=withheld,
                       min_group_size=settings.min_group_size, workshop=workshop)


def stored_facts(q: Questionnaire, number: int, stored: Mapping[str, Any], *,
                 workshop: bool) -> RoundFacts:
    """A closed round's comparison facts from its stored result (`result_to_dict` and
    `published_to_dict`), judged by `q`'s rules where it predates its shown agencies."""
    counts = {str(a): int(n) for a, n in (stored.get("respondents_by_agency") or {}).items()}
    return stored_round_facts(number, counts, shown=stored.get("shown_agencies"),
                              withheld=stored.get("withheld"), workshop=workshop,
                              settings=q.doc.settings, order=q.agency_ids)


def difference_text(found: Difference, titles: Mapping[str, str]) -> str:
    """One reason two rounds cannot be compared, in words."""
    agency = titles.get(found.agency, found.agency)
    if found.kind == "withheld":
        return _("Round %(round)d had too few respondents to publish scores.", round=found.round)
    if found.kind == "took_part":
        return _("%(agency)s took part in round %(round)d only.", agency=agency,
                 round=found.round)
    if found.why == "too_few":
        return _("%(agency)s was shown separately in round %(round)d only: in round %(other)d "
                 "it had too few respondents.", agency=agency, round=found.round,
                 other=found.hidden_in)
    if found.why == "protects":
        return _("%(agency)s was shown separately in round %(round)d only: in round %(other)d "
                 "it was not, so that the figures of %(agencies)s cannot be worked out from it.",
                 agency=agency, round=found.round, other=found.hidden_in,
                 agencies=", ".join(titles.get(a, a) for a in found.protects))
    return _("%(agency)s was shown separately in round %(round)d only.", agency=agency,
             round=found.round)


def differences_text(found: Iterable[Difference], q: Questionnaire) -> tuple[str, ...]:
    """The reasons two rounds cannot be compared, in `q`'s language with its agency titles (the
    reader's: stored reasons are data, worded only when shown)."""
    titles = {a.id: a.title for a in q.doc.agencies}
    return tuple(difference_text(d, titles) for d in found)


@dataclass(frozen=True)
class Disclosure:
    """Which of one closed assessment's individual answers a respondent export may show, so that
    no published figure can be set against them to solve a hidden agency's: only shown agencies'
    responses; of each, only the dimensions whose agency score was published for it; and no
    statement that exactly one agency whose answers to it are not exported scored (its
    municipal score less the exported answers would give that agency's)."""

    shown: frozenset[str]
    dimensions: Mapping[str, frozenset[str]]  # per shown agency, the dimensions that may go out
    blank_items: frozenset[str]

    def answers(self, q: Questionnaire, agency: str,
                answers: Mapping[str, Any]) -> dict[str, Any] | None:
        """The answers of one response that may be exported; None when none of it may."""
        if agency not in self.shown:
            return None
        allowed = self.dimensions.get(agency, frozenset())
        out = {}
        for ident, value in answers.items():
            item = q.items_by_id.get(ident)
            if item is None or ident in self.blank_items or (
                    item.dimension is not None and item.dimension not in allowed):
                continue
            out[ident] = value
        return out


def disclosure(q: Questionnaire, stored: Mapping[str, Any], *, workshop: bool,
               answers: Sequence[tuple[str, Mapping[str, Any]]]) -> Disclosure:
    """What of an assessment's responses (`answers`: agency and answers of each counted one) may
    be exported, from its stored published result (`result_to_dict` + `published_to_dict`)."""
    counts = {str(a): int(n) for a, n in (stored.get("respondents_by_agency") or {}).items()}
    facts = stored_round_facts(0, counts, shown=stored.get("shown_agencies"),
                               withheld=stored.get("withheld"), workshop=workshop,
                               settings=q.doc.settings, order=q.agency_ids)
    shown = frozenset() if facts.withheld else facts.shown
    dimensions = {a: frozenset(str(d["id"]) for d in stored.get("dimensions") or ()
                               if (d.get("by_agency") or {}).get(a) is not None)
                  for a in shown}
    scorers: dict[str, set[str]] = {}
    for agency, given in answers:
        for ident, value in given.items():
            if ident in q.items_by_id and q.option_score(ident, str(value)) is not None:
                scorers.setdefault(ident, set()).add(agency)
    blank = frozenset(
        ident for ident, agencies in scorers.items()
        if sum(1 for a in agencies
               if q.items_by_id[ident].dimension not in dimensions.get(a, frozenset())) == 1)
    return Disclosure(shown, dimensions, blank)
