"""Score a municipality's answers: per respondent, per agency, per dimension, with findings.

Pure: plain values in, plain values out; no Flask, DB or pandas. Agencies weigh equally in a
municipality's score (the mean of agency means), so ten police respondents do not drown one
health respondent.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from statistics import fmean
from typing import Any

from readiness.core.questionnaire import Questionnaire
from readiness.core.rules import Facts, holds, satisfied_atoms
from readiness.core.schema import DONT_KNOW, Condition, Dimension, Evidence, Rule
from readiness.translate import gettext as _
from readiness.translate import in_sentence
from readiness.translate import lazy_gettext as _l

INSUFFICIENT = "insufficient_data"
# where a sentence ends and another follows (a full stop, question or exclamation mark)
_SENTENCE_END = re.compile(r"[.!?\u2026](?=\s+\S)")
INSUFFICIENT_TITLE = _l("Insufficient data")


@dataclass(frozen=True)
class Answer:
    """One answer: a respondent of an agency chose `value` for `item` (or don't know)."""

    respondent: str
    agency: str
    item: str
    value: str


@dataclass(frozen=True)
class ItemResult:
    """A statement's municipality mean (0..1, agencies weighted equally) and don't-know share."""

    id: str
    dimension: str
    text: str
    score: float | None
    answers: int
    dont_know_share: float
    by_agency: dict[str, float | None]
    # per agency, its answers and don't knows: what publishing reads to leave hidden agencies
    # out of the share (`readiness.core.published`); never stored (`result_to_dict`)
    given_by_agency: dict[str, int] = field(default_factory=dict)
    dont_know_by_agency: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DimensionResult:
    """A dimension's score (0..100 or None), level, coverage and the agencies' views."""

    id: str
    title: str
    score: float | None
    level: str
    level_title: str
    answered_share: float
    dont_know_share: float
    dont_know_flag: bool
    by_agency: dict[str, float | None]
    spread: float | None
    divergent: bool
    low_items: tuple[str, ...]
    # per agency, its share of statements answered and its don't-know share (of agencies that
    # answered): what publishing reads to leave hidden agencies out of the dimension's shares
    # (`readiness.core.published`); never stored (`result_to_dict`)
    answered_by_agency: dict[str, float] = field(default_factory=dict)
    dont_know_by_agency: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """A barrier or facilitator detected in the answers, with its evidence."""

    id: str
    title: str
    description: str
    dimension: str | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Result:
    """Everything the scoring finds for one municipality's assessment."""

    questionnaire_id: str
    questionnaire_version: str
    content_hash: str
    respondents: int
    respondents_by_agency: dict[str, int]
    dimensions: tuple[DimensionResult, ...]
    items: dict[str, ItemResult]
    overall: float | None
    stage: str
    stage_title: str
    stage_description: str
    barriers: tuple[Finding, ...]
    facilitators: tuple[Finding, ...]
    context: dict[str, tuple[str, ...]]

    def dimension(self, dimension_id: str) -> DimensionResult:
        """The result of one dimension."""
        return next(d for d in self.dimensions if d.id == dimension_id)

    def facts(self) -> Facts:
        """The figures the questionnaire's rules test, with the detected barriers."""
        return _facts(self, frozenset(b.id for b in self.barriers))


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return fmean(values) if values else None


def derive_context(q: Questionnaire, answers: Iterable[Answer]) -> dict[str, tuple[str, ...]]:
    """The municipality's factual context, each question from one accountable person: the
    first respondent in the file who answers it (put the organiser's rows first), never a
    majority of practitioners, so new staff cannot outvote those who know. An exclusive
    answer ("none") given with others is dropped in favour of the others."""
    context_ids = {item.id for item in q.doc.context}
    answerer: dict[str, str] = {}
    chosen: dict[str, set[str]] = defaultdict(set)
    for answer in answers:
        if answer.item not in context_ids:
            continue
        if answerer.setdefault(answer.item, answer.respondent) == answer.respondent \
                and answer.value != DONT_KNOW:
            chosen[answer.item].add(answer.value)
    context: dict[str, tuple[str, ...]] = {}
    for item in q.doc.context:
        values = chosen.get(item.id)
        if not values:
            continue
        order = [o.value for o in q.options(item)]
        if len(values) > 1:
            values -= set(q.exclusive(item))
        picked = tuple(v for v in order if v in values)
        context[item.id] = picked if item.multiple else picked[:1]
    return context


@dataclass
class _Tally:
    """The answers counted once: scores per dimension, agency and respondent, and per item."""

    agency_of: dict[str, str] = field(default_factory=dict)
    scores: dict[str, dict[str, dict[str, list[float]]]] = field(default_factory=lambda: (
        defaultdict(lambda: defaultdict(lambda: defaultdict(list)))))
    dont_knows: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    given: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    item_scores: dict[str, dict[str, list[float]]] = field(default_factory=lambda: (
        defaultdict(lambda: defaultdict(list))))
    item_dk: Counter[str] = field(default_factory=Counter)
    item_given: Counter[str] = field(default_factory=Counter)
    item_agency_dk: Counter[tuple[str, str]] = field(default_factory=Counter)
    item_agency_given: Counter[tuple[str, str]] = field(default_factory=Counter)


def _tally(q: Questionnaire, answers: Iterable[Answer]) -> _Tally:
    """Count every scored answer (context answers only register their respondent)."""
    tally = _Tally()
    for answer in answers:
        tally.agency_of.setdefault(answer.respondent, answer.agency)
        item = q.items_by_id[answer.item]
        if item.dimension is None:
            continue
        tally.given[item.dimension][answer.agency] += 1
        tally.item_given[item.id] += 1
        tally.item_agency_given[(item.id, answer.agency)] += 1
        value = q.option_score(item.id, answer.value)
        if value is None:
            tally.dont_knows[item.dimension][answer.agency] += 1
            tally.item_dk[item.id] += 1
            tally.item_agency_dk[(item.id, answer.agency)] += 1
            continue
        tally.scores[item.dimension][answer.agency][answer.respondent].append(value)
        tally.item_scores[item.id][answer.agency].append(value)
    return tally


def _item_results(q: Questionnaire, tally: _Tally, agencies: list[str]) -> dict[str, ItemResult]:
    """Each statement's mean of agency means, answers and don't-know share."""
    items: dict[str, ItemResult] = {}
    for item in q.doc.items:
        by_agency = {a: _mean(tally.item_scores[item.id][a]) for a in agencies}
        present = [v for v in by_agency.values() if v is not None]
        given = tally.item_given[item.id]
        items[item.id] = ItemResult(
            id=item.id, dimension=item.dimension or "", text=item.text, score=_mean(present),
            answers=given, dont_know_share=tally.item_dk[item.id] / given if given else 0.0,
            by_agency=by_agency,
            given_by_agency={a: tally.item_agency_given[(item.id, a)] for a in agencies
                             if tally.item_agency_given[(item.id, a)]},
            dont_know_by_agency={a: tally.item_agency_dk[(item.id, a)] for a in agencies
                                 if tally.item_agency_given[(item.id, a)]})
    return items


def _dimension_result(q: Questionnaire, dim: Dimension, tally: _Tally, agencies: list[str],
                      items: Mapping[str, ItemResult]) -> DimensionResult:
    """A dimension's score (mean of agency means), coverage, don't-know share, spread, level."""
    settings = q.doc.settings
    n_items = len(q.items_of(dim.id))
    respondents_by_agency = Counter(tally.agency_of.values())
    by_agency: dict[str, float | None] = {}
    coverage: dict[str, float] = {}
    dk_shares: dict[str, float] = {}
    for agency in agencies:
        per_respondent = tally.scores[dim.id][agency]
        agency_mean = _mean([fmean(v) for v in per_respondent.values() if v])
        by_agency[agency] = None if agency_mean is None else agency_mean * 100
        answered = sum(len(v) for v in per_respondent.values())
        coverage[agency] = (answered / (n_items * respondents_by_agency[agency])
                            if n_items else 0)
        if tally.given[dim.id][agency]:
            dk_shares[agency] = tally.dont_knows[dim.id][agency] / tally.given[dim.id][agency]
    answered_share = _mean(coverage.values()) or 0.0
    present = [v for v in by_agency.values() if v is not None]
    value = _mean(present)
    if value is None or answered_share < settings.min_answered_share:
        value = None
    spread = max(present) - min(present) if len(present) >= 2 else None
    dk_share = _mean(dk_shares.values()) or 0.0
    if value is None:
        level_id, level_title = INSUFFICIENT, str(INSUFFICIENT_TITLE)
    else:
        level = q.level_for(dim.id, value)
        level_id, level_title = level.id, level.title
    low = sorted((i for i in q.items_of(dim.id) if items[i.id].score is not None
                  and (items[i.id].score or 0) < settings.low_item_score),
                 key=lambda i: (items[i.id].score, i.id))
    return DimensionResult(
        id=dim.id, title=dim.title, score=value, level=level_id, level_title=level_title,
        answered_share=answered_share, dont_know_share=dk_share,
        dont_know_flag=dk_share >= settings.dont_know_flag, by_agency=by_agency,
        spread=spread, divergent=spread is not None and spread >= settings.gap_threshold,
        low_items=tuple(i.id for i in low), answered_by_agency=coverage,
        dont_know_by_agency=dk_shares)


def overall_and_stage(q: Questionnaire, dimensions: list[DimensionResult]
                       ) -> tuple[float | None, tuple[str, str, str]]:
    """The overall score (more than half the dimensions scored) and the readiness stage."""
    known = [d.score for d in dimensions if d.score is not None]
    overall = fmean(known) if len(known) * 2 > len(dimensions) else None
    if overall is None:
        return None, (INSUFFICIENT, str(INSUFFICIENT_TITLE),
                      _("Too few answers to place the municipality on a stage."))
    concerns = sum(1 for d in dimensions if d.level == q.doc.settings.concern_level)
    stage = next(s for s in q.doc.stages if overall >= s.min_overall
                 and (s.max_concerns is None or concerns <= s.max_concerns))
    return overall, (stage.id, stage.title, stage.description)


def score(q: Questionnaire, answers: Iterable[Answer],
          context: Mapping[str, Iterable[str]] | None = None) -> Result:
    """Score a municipality's answers; `context` overrides context derived from the answers."""
    answers = list(answers)
    tally = _tally(q, answers)
    respondents_by_agency = Counter(tally.agency_of.values())
    agencies = [a for a in q.agency_ids if a in respondents_by_agency]
    items = _item_results(q, tally, agencies)
    dimensions = [_dimension_result(q, dim, tally, agencies, items) for dim in q.doc.dimensions]
    overall, (stage_id, stage_title, stage_text) = overall_and_stage(q, dimensions)
    ctx = derive_context(q, answers)
    if context is not None:
        ctx.update({k: tuple(v) for k, v in context.items()})
    partial = Result(
        questionnaire_id=q.id, questionnaire_version=q.version, content_hash=q.content_hash,
        respondents=len(tally.agency_of), respondents_by_agency=dict(respondents_by_agency),
        dimensions=tuple(dimensions), items=items, overall=overall, stage=stage_id,
        stage_title=stage_title, stage_description=stage_text, barriers=(), facilitators=(),
        context=ctx)
    return with_findings(q, partial)


def _facts(result: Result, barriers: frozenset[str]) -> Facts:
    return Facts(
        items={k: v.score for k, v in result.items.items()},
        dimensions={d.id: d.score for d in result.dimensions},
        overall=result.overall,
        dont_know={d.id: d.dont_know_share for d in result.dimensions},
        gaps=frozenset(d.id for d in result.dimensions if d.divergent),
        insufficient=frozenset(d.id for d in result.dimensions if d.score is None),
        context=result.context,
        agencies=frozenset(result.respondents_by_agency),
        barriers=barriers)


def _finding(q: Questionnaire, rule: Rule, facts: Facts) -> Finding:
    """A rule that holds, as a finding. A rule that holds only because agencies took no part
    is titled with the agencies actually missing, not with every agency the rule watches."""
    title = rule.title
    atoms = satisfied_atoms(rule.detect, facts)
    if atoms and all(a.agency_missing for a in atoms):
        titles = {a.id: a.title for a in q.doc.agencies}
        missing = dict.fromkeys(a.agency_missing or "" for a in atoms)
        title = absent_title([titles.get(m, m) for m in missing])
    description = rule.description
    if _tests_dont_know(rule.detect) and not any(a.dont_know for a in atoms):
        description = without_last_sentence(description)
    return Finding(rule.id, title, description, rule.dimension, rule.evidence)


def _tests_dont_know(cond: Condition) -> bool:
    """Whether a rule tests a don't-know share anywhere in it."""
    children = [*(cond.all or ()), *(cond.any or ()), *([cond.not_] if cond.not_ else [])]
    return cond.dont_know is not None or any(_tests_dont_know(c) for c in children)


def without_last_sentence(text: str) -> str:
    """`text` without its last sentence. A barrier rule that tests don't-know shares closes its
    description, in every language, with a sentence on many "don't know" answers; it is true
    only when such a share is what raised the barrier, so it is left out otherwise."""
    ends = list(_SENTENCE_END.finditer(text.rstrip()))
    return text[:ends[-1].start() + 1] if ends else text


def absent_title(agencies: list[str]) -> str:
    """`Social services took no part in the assessment`, for one agency title or more."""
    names = [agencies[0], *(_lower_first(a) for a in agencies[1:])]
    if len(names) == 1:
        return _("%(agency)s took no part in the assessment", agency=names[0])
    if len(names) == 2:
        return _("Neither %(first)s nor %(second)s took part in the assessment",
                 first=_lower_first(names[0]), second=names[1])
    return _("%(agencies)s and %(last)s took no part in the assessment",
             agencies=", ".join(names[:-1]), last=names[-1])


def _lower_first(title: str) -> str:
    """`Social services` -> `social services`; an acronym such as `NGO` stays as it is (and a
    German title keeps its capital)."""
    return in_sentence(title, whole=False)


def with_findings(q: Questionnaire, result: Result) -> Result:
    """`result` with its barriers and facilitators found again from its own figures."""
    facts = _facts(result, frozenset())
    found: list[Finding] = []
    for rule in q.doc.barriers:  # a barrier rule may test barriers listed before it
        now = replace(facts, barriers=frozenset(f.id for f in found))
        if holds(rule.detect, now):
            found.append(_finding(q, rule, now))
    facts = replace(facts, barriers=frozenset(f.id for f in found))
    helping = [_finding(q, r, facts) for r in q.doc.facilitators if holds(r.detect, facts)]
    return replace(result, barriers=tuple(found), facilitators=tuple(helping))


def result_to_dict(result: Result) -> dict[str, Any]:
    """A JSON-ready form of a result (scores rounded to one decimal)."""
    data = asdict(result)
    for dim in data["dimensions"]:
        del dim["answered_by_agency"], dim["dont_know_by_agency"]  # working figures only
        for key in ("score", "spread"):
            dim[key] = None if dim[key] is None else round(dim[key], 1)
        dim["answered_share"] = round(dim["answered_share"], 3)
        dim["dont_know_share"] = round(dim["dont_know_share"], 3)
        dim["by_agency"] = {k: None if v is None else round(v, 1)
                            for k, v in dim["by_agency"].items()}
        dim["low_items"] = list(dim["low_items"])
    for item in data["items"].values():
        del item["given_by_agency"], item["dont_know_by_agency"]
        item["score"] = None if item["score"] is None else round(item["score"], 3)
        item["dont_know_share"] = round(item["dont_know_share"], 3)
        item["by_agency"] = {k: None if v is None else round(v, 3)
                             for k, v in item["by_agency"].items()}
    data["overall"] = None if result.overall is None else round(result.overall, 1)
    data["context"] = {k: list(v) for k, v in result.context.items()}
    for key in ("barriers", "facilitators"):
        for finding in data[key]:
            finding["evidence"] = [ev.model_dump(exclude_none=True) for ev in finding["evidence"]]
    return data
