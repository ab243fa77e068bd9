"""The planning rules behind the roadmap, each read from the action library's data.

Pure helpers for `roadmap.py`: which agencies lie far below the others (outliers), how many
dated actions the municipality can carry (capacity), which ordering edges hold here (fixed
dependencies, conditional `after` rules, bringing in an agency an action needs), who leads
when the natural lead took no part, and when each dated action is due.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from readiness.core.questionnaire import Questionnaire
from readiness.core.rules import Facts, holds
from readiness.core.schema import Action, Capacity, Plan
from readiness.core.scoring import Result

LATER = 4  # the phase number of the undated "later, if needed" list


@dataclass(frozen=True)
class Size:
    """The plan size: at most `phase_one` actions in the first phase, `total` dated ones."""

    phase_one: int
    total: int | None
    label: str


def outliers(result: Result, points: float, min_group: int) -> dict[str, tuple[str, ...]]:
    """Per dimension: the agencies scoring more than `points` below the mean of the others
    (only with three or more agencies scored, where the average can hide one). Only an agency
    with at least `min_group` respondents can be named: its figures may be shown."""
    found: dict[str, tuple[str, ...]] = {}
    for dim in result.dimensions:
        scored = {a: v for a, v in dim.by_agency.items() if v is not None}
        if len(scored) < 3:
            continue
        low = tuple(a for a, v in sorted(scored.items(), key=lambda kv: (kv[1], kv[0]))
                    if result.respondents_by_agency.get(a, 0) >= min_group
                    and sum(w for b, w in scored.items() if b != a) / (len(scored) - 1) - v
                    > points)
        if low:
            found[dim.id] = low
    return found


def planning_facts(q: Questionnaire, result: Result, run_by: str | None) -> Facts:
    """The facts the roadmap tests: the result's, with spreads, outliers and who ran the round."""
    plan = q.library.plan
    facts = result.facts()
    return replace(
        facts, spreads={d.id: d.spread for d in result.dimensions},
        gap_threshold=q.doc.settings.gap_threshold, run_by=run_by,
        outliers=(outliers(result, plan.outlier_points, q.doc.settings.min_group_size)
                  if plan else {}))


def clear_facts(q: Questionnaire, facts: Facts, margin: float) -> Facts:
    """The facts with only the barriers whose detection holds clearly (by `margin` points)."""
    if margin <= 0:
        return facts
    clear = frozenset(b.id for b in q.doc.barriers
                      if b.id in facts.barriers and holds(b.detect, facts, margin))
    return replace(facts, barriers=clear)


def stage_band(q: Questionnaire, result: Result, margin: float) -> frozenset[str]:
    """The stages the municipality is at or within `margin` points of overall: near a stage's
    edge it counts as both, so a point more or less does not change the plan."""
    if result.overall is None or margin <= 0:
        return frozenset({result.stage})
    concerns = sum(1 for d in result.dimensions if d.level == q.doc.settings.concern_level)
    band = {result.stage}
    for overall in (max(0.0, result.overall - margin), min(100.0, result.overall + margin)):
        band.add(next(s.id for s in q.doc.stages if overall >= s.min_overall
                      and (s.max_concerns is None or concerns <= s.max_concerns)))
    return frozenset(band)


def plan_size(q: Questionnaire, facts: Facts, stages: frozenset[str] | str) -> Size:
    """How many actions this municipality can carry (the first capacity rule that holds)."""
    plan = q.library.plan
    if plan is None:
        return Size(q.doc.settings.phase_one_capacity, None, "")
    band = frozenset({stages}) if isinstance(stages, str) else stages
    rule: Capacity = next(c for c in plan.capacity
                          if (c.when is None or holds(c.when, facts))
                          and (not c.stages or band & set(c.stages)))
    return Size(rule.phase_one, rule.total, rule.label)


def bringer(library: Iterable[Action], agency: str) -> Action | None:
    """The first library action that brings `agency` into the cooperation."""
    return next((a for a in library if agency in a.brings_in), None)


def edges(action: Action, library: Mapping[str, Action], facts: Facts,
          plan: Plan | None) -> list[str]:
    """What must come before `action` here: its dependencies, the `after` rules that hold, and
    (with a plan) the action bringing in each needed agency that took no part."""
    before = list(action.depends_on)
    before += [rule.action for rule in action.after
               if rule.when is None or holds(rule.when, facts)]
    if plan is not None:
        for agency in (action.lead, *action.needs):
            if agency in facts.agencies:
                continue
            found = bringer(library.values(), agency)
            if found is not None and found.id != action.id:
                before.append(found.id)
    return list(dict.fromkeys(before))


def resolve_lead(action: Action, facts: Facts, plan: Plan | None,
                 chosen: Iterable[str], library: Mapping[str, Action],
                 aimed_at: tuple[str, ...]) -> tuple[str, str | None]:
    """(lead, note): the natural lead when it took part or is being brought in; otherwise
    the convenor (or a partner that took part), with a note that the lead must be agreed."""
    natural = action.lead
    if plan is None or natural in facts.agencies:
        return natural, None
    found = bringer(library.values(), natural)
    if found is not None and found.id in set(chosen) and found.id != action.id:
        return natural, f"bring:{found.id}"
    present = [a for a in (plan.convenor, *action.partners, *aimed_at) if a in facts.agencies]
    present += sorted(facts.agencies)  # someone who took part convenes the agreement
    lead = present[0] if present else natural
    return lead, f"agree:{natural}"


def due_months(phases: Mapping[str, int], order: list[str], plan: Plan | None,
               at_reassessment: set[str], reassess: int) -> dict[str, int]:
    """The month each dated action is due, spread evenly over its phase's window."""
    windows = plan.phase_months if plan else (3, 12, max(24, reassess))
    due: dict[str, int] = {}
    for number in (1, 2, 3):
        start = 0 if number == 1 else windows[number - 2]
        end = windows[number - 1]
        members = [a for a in order if phases[a] == number and a not in at_reassessment]
        for k, ident in enumerate(members, start=1):
            due[ident] = (end if plan is None else
                          max(start + 1, math.ceil(start + (end - start) * k / len(members))))
    for ident in at_reassessment:
        if phases.get(ident, LATER) != LATER:
            due[ident] = reassess
    return due
