"""Turn a scored result and its context into a tailored, phased roadmap.

Pure: the action library, its triggers and ordering rules are data; this module chooses,
orders and phases. Weakest dimensions and detected barriers come first, what an action needs
before it. Actions suited to the municipality's stage come earlier (Community Readiness Model:
strategies matched to the stage). A municipality strong everywhere gets the short sustaining
plan, not filler. A library with a `plan` (1.1 on) sizes the roadmap to the municipality's
capacity, with an undated "later, if needed" list, resolves each action's lead against the
agencies that took part, and keeps the first phase stable within a tolerance (see
`roadmap_plan.py`); without one (1.0), at most `phase_one_capacity` actions come in the first
three months and `phase_two_capacity` in the rest of the first year.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from readiness.core.questionnaire import Questionnaire
from readiness.core.roadmap_plan import (
    LATER,
    Size,
    clear_facts,
    due_months,
    edges,
    plan_size,
    planning_facts,
    resolve_lead,
    stage_band,
)
from readiness.core.rules import Facts, holds, satisfied_atoms
from readiness.core.schema import Action, Condition, Evidence, Inspiration, Plan
from readiness.core.scoring import Result
from readiness.core.statements import statement_reading
from readiness.translate import gettext as _
from readiness.translate import in_sentence, join_words, ngettext
from readiness.translate import lazy_gettext as _l

PHASE_TITLES = {1: _l("First 3 months"), 2: _l("3 to 12 months"), 3: _l("Beyond 12 months"),
                LATER: _l("Later, if needed")}
# Urgency weights: a detected barrier behind an action, a perception gap on its dimension, the
# single weakest dimension ("tackle the lowest dimension first") and an action suited to the
# municipality's stage ("strategies matched to the stage"), both from the Community Readiness Model.
BARRIER_WEIGHT = 15.0
GAP_WEIGHT = 10.0
WEAKEST_WEIGHT = 10.0
STAGE_WEIGHT = 20.0
UNKNOWN_WEAKNESS = 50.0
TIER_WEIGHT = 25.0  # per level a dimension lies clearly below the top (with a plan)
PIN_WEIGHT = 1000.0  # a pinned action whose own trigger holds clearly goes first and stays dated


@dataclass(frozen=True)
class PlannedAction:
    """An action chosen for this municipality, with the findings that call for it."""

    id: str
    title: str
    family: str
    family_title: str
    dimension: str | None
    what: str
    why: str
    findings: tuple[str, ...]
    lead: str
    partners: tuple[str, ...]
    phase: int
    phase_title: str
    effort: str
    indicator: str
    depends_on: tuple[str, ...]
    priority: int
    urgency: float
    notes: tuple[str, ...]
    inspiration: tuple[Inspiration, ...]
    evidence: tuple[Evidence, ...]
    natural_lead: str = ""
    lead_note: str | None = None  # "bring:<action id>" or "agree:<natural lead>"
    aimed_at: tuple[str, ...] = ()
    due_month: int | None = None  # months after the assessment; None for "later, if needed"


@dataclass(frozen=True)
class ModelFit:
    """How well a MAW model fits this municipality, and why."""

    id: str
    title: str
    description: str
    score: float
    reasons: tuple[str, ...]
    evidence: tuple[Evidence, ...]


FIRST_PHASE = 1  # the first three months: what the roadmap calls its first actions


def is_first_action(phase: object) -> bool:
    """Whether an action of this phase (as stored, any type) is one of the roadmap's first
    actions, as its summary counts them; never one of the undated "later, if needed" list."""
    return phase == FIRST_PHASE


@dataclass(frozen=True)
class Roadmap:
    """The ordered actions, grouped by phase, and the suggested MAW model."""

    actions: tuple[PlannedAction, ...]
    sustaining: bool
    model: ModelFit
    alternatives: tuple[ModelFit, ...]
    reassess_after_months: int
    size_label: str = ""
    run_by: str | None = None
    # the plan's size: at most this many actions in the first phase, and dated in all (None:
    # the questionnaire's phase capacities, as version 1.0 plans)
    phase_one_capacity: int | None = None
    dated_capacity: int | None = None
    # False when no dimension could be scored: only the steps that need no score are proposed
    # (`without_scores`), and the summary says so (`UNTAILORED`)
    tailored: bool = True

    def phase(self, number: int) -> tuple[PlannedAction, ...]:
        """The actions of one phase, in priority order."""
        return tuple(a for a in self.actions if a.phase == number)

    @property
    def dated(self) -> tuple[PlannedAction, ...]:
        """The actions with a due date (not on the "later, if needed" list)."""
        return tuple(a for a in self.actions if a.phase != LATER)

    @property
    def later(self) -> tuple[PlannedAction, ...]:
        """The undated "later, if needed" list."""
        return self.phase(LATER)


def absent_finding(q: Questionnaire, agency: str) -> str:
    """The finding that an agency took no part (the report words it by what is known)."""
    title = next((a.title for a in q.doc.agencies if a.id == agency), agency)
    return _("%(agency)s took no part in the assessment.", agency=title)


def _describe(atom: Condition, q: Questionnaire, result: Result, facts: Facts) -> str:
    """A plain-language finding for a condition that holds."""
    if atom.outlier is not None:
        by_agency: dict[str, list[str]] = {}
        for ident, agencies in facts.outliers.items():
            if atom.outlier in (ident, "any"):
                for agency in agencies:
                    by_agency.setdefault(agency, []).append(ident)
        return " ".join(_outlier_text(q, result, agency, found)
                        for agency, found in by_agency.items())
    if atom.barrier is not None:
        barrier = next(b for b in result.barriers if b.id == atom.barrier)
        return _("Barrier found: %(title)s.", title=barrier.title.rstrip("."))
    if atom.dimension is not None:
        dim = result.dimension(atom.dimension)
        return _("%(title)s scored %(score)s of 100 (%(level)s).", title=dim.title,
                 score=f"{dim.score:.0f}", level=in_sentence(dim.level_title))
    if atom.gap is not None:
        dim = result.dimension(atom.gap)
        return _("Agencies see %(title)s differently (spread %(spread)s points).",
                 title=in_sentence(dim.title), spread=f"{dim.spread:.0f}")
    if atom.dont_know is not None:
        dim = result.dimension(atom.dont_know)
        return _("%(share)s%% of answers on %(title)s were \"don't know\".",
                 share=f"{dim.dont_know_share * 100:.0f}", title=in_sentence(dim.title))
    if atom.item is not None:
        statement = result.items[atom.item]
        return _("A statement scored %(score)s of 100: %(reading)s.",
                 score=f"{(statement.score or 0.0) * 100:.0f}",
                 reading=statement_reading(q, statement))
    if atom.insufficient is not None:
        return _("Too few answers on %(title)s.",
                 title=in_sentence(result.dimension(atom.insufficient).title))
    if atom.agency_missing is not None:
        return absent_finding(q, atom.agency_missing)
    if atom.overall is not None and result.overall is not None:
        return _("Overall readiness is %(overall)s of 100.", overall=f"{result.overall:.0f}")
    if atom.context is not None:
        item = q.items_by_id[atom.context]
        labels = [o.label for o in q.options(item) if o.value in result.context.get(item.id, ())]
        return _("To \u201c%(question)s\u201d the answer was: %(answers)s.", question=item.text,
                 answers=", ".join(labels))
    return ""


def _outlier_text(q: Questionnaire, result: Result, agency: str, dims: list[str]) -> str:
    """One sentence on an agency far below the others, on one or more dimensions."""
    title = next((a.title for a in q.doc.agencies if a.id == agency), agency)
    gaps, values = [], []
    for ident in dims:
        dim = result.dimension(ident)
        value = dim.by_agency.get(agency) or 0.0
        others = [v for a, v in dim.by_agency.items() if a != agency and v is not None]
        gaps.append((sum(others) / len(others) if others else value) - value)
        values.append(value)
    low, high = min(values), max(values)
    scores = (f"{low:.0f}" if round(low) == round(high)
              else _("%(low)s to %(high)s", low=f"{low:.0f}", high=f"{high:.0f}"))
    where = join_words([result.dimension(d).title for d in dims])
    return ngettext("%(agency)s scored %(scores)s on %(dimensions)s, %(gap)s points below the "
                    "other agencies' average.",
                    "%(agency)s scored %(scores)s on %(dimensions)s, %(gap)s points or more below "
                    "the other agencies' average.", len(dims), agency=title, scores=scores,
                    dimensions=where, gap=f"{min(gaps):.0f}")


def _tiers(score: float | None, q: Questionnaire, margin: float) -> int:
    """How many level thresholds a score lies clearly (by `margin`) below: 0 at the top."""
    if score is None:
        return 1
    return sum(1 for lv in q.doc.levels if lv.min > 0 and score < lv.min - margin)


def _clearly_weakest(result: Result, margin: float) -> str | None:
    """The dimension that scores clearly lowest (by `margin` below every other), if any."""
    scored = sorted((d for d in result.dimensions if d.score is not None),
                    key=lambda d: (d.score, d.id))
    if not scored:
        return None
    if len(scored) > 1 and (scored[1].score or 0) - (scored[0].score or 0) <= margin:
        return None
    return scored[0].id


def _urgency(action: Action, result: Result, facts: Facts, weakest: str | None,
             plan: Plan | None = None, stages: frozenset[str] = frozenset(),
             q: Questionnaire | None = None) -> float:
    """How pressing an action is: its dimension's weakness (overall weakness for cross-cutting
    actions) plus weights for barriers, gaps, the weakest dimension and the stage. With a plan,
    weakness counts whole levels cleared by the tolerance and one barrier is enough, so a point
    more or less does not reorder the plan."""
    score = facts.overall if action.dimension is None else facts.dimensions.get(action.dimension)
    atoms = satisfied_atoms(action.when, facts) if action.when is not None else []
    barriers = len({a.barrier for a in atoms if a.barrier})
    if plan is not None and q is not None:
        urgency = TIER_WEIGHT * _tiers(score, q, plan.tolerance)
        barriers = min(barriers, 1)
    else:
        urgency = UNKNOWN_WEAKNESS if score is None else 100.0 - score
    urgency += BARRIER_WEIGHT * barriers
    if action.dimension in facts.gaps:
        urgency += GAP_WEIGHT
    if action.dimension is not None and action.dimension == weakest:
        urgency += WEAKEST_WEIGHT
    if (stages or {result.stage}) & set(action.stages):
        urgency += STAGE_WEIGHT
    return urgency


def _order(chosen: dict[str, Action], before: dict[str, list[str]], phase: dict[str, int],
           urgency: dict[str, float], index: dict[str, int]) -> list[str]:
    """Dependencies first; otherwise earlier phase, then more urgent, then library order."""
    placed: list[str] = []
    remaining = set(chosen)
    while remaining:
        ready = [a for a in remaining if all(d not in remaining for d in before[a])]
        best = min(ready or remaining, key=lambda a: (phase[a], -urgency[a], index[a]))
        placed.append(best)
        remaining.remove(best)
    return placed


def suggest_models(q: Questionnaire, facts: Facts) -> list[ModelFit]:
    """Every MAW model with its fit score and reasons, best first."""
    fits = []
    for model in q.library.models:
        matched = [rule for rule in model.fit if holds(rule.when, facts)]
        fits.append(ModelFit(model.id, model.title, model.description,
                             sum(rule.weight for rule in matched),
                             tuple(rule.reason for rule in matched if rule.weight > 0),
                             model.evidence))
    order = {m.id: i for i, m in enumerate(q.library.models)}
    return sorted(fits, key=lambda f: (-f.score, order[f.id]))


def _choose(q: Questionnaire, facts: Facts, sustaining: bool) -> dict[str, Action]:
    """The actions the findings call for, with what must come before them pulled in."""
    library = {a.id: a for a in q.library.actions}

    def already_done(action: Action) -> bool:
        return action.done_when is not None and holds(action.done_when, facts)

    if sustaining:
        chosen = {a.id: a for a in q.library.actions if a.sustain and not already_done(a)}
    else:
        chosen = {a.id: a for a in q.library.actions
                  if (a.when is None or holds(a.when, facts)) and not already_done(a)}
    stack = list(chosen)
    while stack:
        for dep in edges(library[stack.pop()], library, facts, q.library.plan):
            if dep not in chosen and not already_done(library[dep]):
                chosen[dep] = library[dep]
                stack.append(dep)
    return {a.id: a for a in q.library.actions if a.id in chosen}  # library order


def _first_phase_ok(chosen: dict[str, Action], before: dict[str, list[str]],
                    clear: Facts, margin: float, sustaining: bool) -> set[str]:
    """Actions whose trigger holds clearly (or that one of them needs): only these may come in
    the first phase, so a score a point either side of a threshold does not flip it."""
    if margin <= 0 or sustaining:
        return set(chosen)
    ok = {a for a, act in chosen.items() if act.when is None or holds(act.when, clear, margin)}
    stack = list(ok)
    while stack:
        for dep in before[stack.pop()]:
            if dep not in ok:
                ok.add(dep)
                stack.append(dep)
    return ok


def _with_needs(ident: str, before: dict[str, list[str]]) -> list[str]:
    """An action and everything it needs, directly or not."""
    found = [ident]
    for needed in found:
        found += [d for d in before[needed] if d not in found]
    return found


def _dated(order: list[str], chosen: dict[str, Action], before: dict[str, list[str]],
           urgency: dict[str, float], kept: set[str], total: int) -> list[str]:
    """The dated actions: pinned and re-assessment ones, then those kept dated here (with what
    they need, while that fits), then the rest in order up to `total`."""
    dated = [a for a in order if chosen[a].at_reassessment or urgency[a] >= PIN_WEIGHT]
    for ident in (a for a in order if a in kept):
        missing = [a for a in _with_needs(ident, before) if a not in dated]
        if len(dated) + len(missing) <= total:
            dated += missing
    for ident in order:
        if ident not in dated and len(dated) < total:
            dated.append(ident)
    return dated


def _phases(chosen: dict[str, Action], before: dict[str, list[str]], urgency: dict[str, float],
            index: dict[str, int], first_ok: set[str], size: Size,
            settings_phase_two: int, later_max: int,
            kept: set[str]) -> tuple[dict[str, int], list[str]]:
    """Phase every action within capacity; the rest goes to the undated "later" list."""
    phase: dict[str, int] = {a: chosen[a].phase if a in first_ok else max(2, chosen[a].phase)
                             for a in chosen}
    order = _order(chosen, before, phase, urgency, index)
    for ident in order:  # a dependant never comes in an earlier phase than what it needs
        phase[ident] = max([phase[ident], *(phase[d] for d in before[ident])])
    caps = ((1, size.phase_one),) if size.total is not None else (
        (1, size.phase_one), (2, settings_phase_two))
    for number, capacity in caps:
        in_phase = [a for a in order if phase[a] == number]
        for ident in in_phase[capacity:]:  # later in the order: less urgent, or dependants
            phase[ident] = number + 1
        order = _order(chosen, before, phase, urgency, index)
        for ident in order:
            phase[ident] = max([phase[ident], *(phase[d] for d in before[ident])])
    if size.total is not None:
        dated = _dated(order, chosen, before, urgency, kept, size.total)
        for ident in order:
            if ident not in dated or any(phase[d] == LATER for d in before[ident]):
                phase[ident] = LATER
        order = _order(chosen, before, phase, urgency, index)
        later = [a for a in order if phase[a] == LATER]
        order = [a for a in order if a not in later[later_max:]]  # a suffix: no dependency lost
    return phase, order


def build_roadmap(q: Questionnaire, result: Result, *, run_by: str | None = None) -> Roadmap:
    """Choose, order, size and phase the actions for a scored municipality; `run_by` says who
    ran the round (a mobile team's report plans its follow-up visit instead of calling one)."""
    plan = q.library.plan
    facts = planning_facts(q, result, run_by)
    library = {a.id: a for a in q.library.actions}
    index = {a.id: i for i, a in enumerate(q.library.actions)}
    top_level = q.doc.levels[-1].id
    sustaining = not result.barriers and all(d.level == top_level for d in result.dimensions)
    tailored = any(d.score is not None for d in result.dimensions)
    chosen = _choose(q, facts, sustaining) if tailored else without_scores(
        _choose(q, facts, sustaining))
    before = {a: [d for d in edges(chosen[a], library, facts, plan) if d in chosen]
              for a in chosen}
    margin = plan.tolerance if plan else 0.0
    clear = clear_facts(q, facts, margin)
    scored = [d for d in result.dimensions if d.score is not None]
    weakest = (_clearly_weakest(result, margin) if plan else
               min(scored, key=lambda d: d.score or 0).id if scored else None)
    band = stage_band(q, result, plan.stage_margin if plan else 0.0)
    gapped = replace(clear, gaps=frozenset(d for d in clear.gaps if holds(Condition(gap=d),
                                                                        clear, margin)))
    urgency = {a: _urgency(chosen[a], result, gapped, weakest, plan, band, q) for a in chosen}
    for ident, action in chosen.items():
        if action.pinned and (action.when is None or holds(action.when, clear, margin)):
            urgency[ident] += PIN_WEIGHT
    size = plan_size(q, facts, band)
    first_ok = _first_phase_ok(chosen, before, clear, margin, sustaining)
    kept = {a for a, act in chosen.items()
            if act.dated_when is not None and holds(act.dated_when, facts)}
    phase, order = _phases(chosen, before, urgency, index, first_ok, size,
                           q.doc.settings.phase_two_capacity, plan.later_max if plan else 0,
                           kept)
    reassess = q.doc.settings.reassess_after_months
    due = due_months(phase, order, plan, {a for a in chosen if chosen[a].at_reassessment},
                     reassess)
    planned = [_planned(q, result, facts, chosen, before, order, ident, phase[ident],
                        priority, due.get(ident), urgency[ident], sustaining)
               for priority, ident in enumerate(order, start=1)]
    models = suggest_models(q, facts)
    return Roadmap(actions=tuple(planned), sustaining=sustaining, model=models[0],
                   alternatives=tuple(models[1:]), reassess_after_months=reassess,
                   size_label=size.label, run_by=run_by, phase_one_capacity=size.phase_one,
                   dated_capacity=size.total, tailored=tailored)


UNTAILORED = _l("No dimension could be scored: there is too little to tailor a roadmap. It "
                "proposes only the first steps that need no score: bring in the agencies that did "
                "not take part, and assess again with more answers.")


def without_scores(chosen: dict[str, Action]) -> dict[str, Action]:
    """Of the chosen actions, those that need no score, for a round where no dimension could be
    scored (every finding would be a guess): bringing absent agencies in (`brings_in`, chosen
    on who took part), a mobile team's follow-up (chosen on who ran the round) and the
    re-assessment (always)."""
    return {ident: action for ident, action in chosen.items()
            if action.at_reassessment or action.brings_in
            or (action.when is not None and action.when.run_by)}


def _planned(q: Questionnaire, result: Result, facts: Facts, chosen: dict[str, Action],
             before: dict[str, list[str]], order: list[str], ident: str, phase: int,
             priority: int, due: int | None, urgency: float, sustaining: bool) -> PlannedAction:
    """One chosen action as planned: findings behind it, resolved lead, due month."""
    action = chosen[ident]
    library = {a.id: a for a in q.library.actions}
    atoms = satisfied_atoms(action.when, facts) if action.when and not sustaining else []
    atoms.sort(key=lambda a: -(result.dimension(a.gap).spread or 0.0) if a.gap else 0.0)
    aimed_at: tuple[str, ...] = ()
    if action.aimed_at_outlier:
        dims = {a.outlier for a in atoms if a.outlier}
        aimed_at = tuple(dict.fromkeys(ag for d, ags in facts.outliers.items()
                                       if d in dims or "any" in dims for ag in ags))
    findings = [text for text in dict.fromkeys(_describe(a, q, result, facts) for a in atoms)
                if text]
    needed_by = [chosen[o].title for o in order if ident in before[o]]
    if action.brings_in:
        findings += [_describe(Condition(agency_missing=ag), q, result, facts)
                     for ag in action.brings_in if ag not in facts.agencies
                     and any(ag in (chosen[o].lead, *chosen[o].needs) for o in order)
                     and _describe(Condition(agency_missing=ag), q, result, facts)
                     not in findings]
    if needed_by and not findings:
        findings.append(_("Needed before: %(actions)s.", actions="; ".join(needed_by)))
    lead, lead_note = resolve_lead(action, facts, q.library.plan, chosen, library, aimed_at)
    partners = tuple(dict.fromkeys(p for p in (*aimed_at, *action.partners) if p != lead))
    return PlannedAction(
        id=action.id, title=action.title, family=action.family,
        family_title=next(f.title for f in q.library.families if f.id == action.family),
        dimension=action.dimension, what=action.what, why=action.why,
        findings=tuple(findings), lead=lead, partners=partners, phase=phase,
        phase_title=str(PHASE_TITLES[phase]), effort=action.effort, indicator=action.indicator,
        depends_on=tuple(before[ident]), priority=priority, urgency=round(urgency, 1),
        notes=tuple(n.text for n in action.notes if holds(n.when, facts)),
        inspiration=action.inspiration, evidence=action.evidence,
        natural_lead=action.lead, lead_note=lead_note, aimed_at=aimed_at, due_month=due)


def roadmap_to_dict(roadmap: Roadmap) -> dict[str, Any]:
    """A JSON-ready form of a roadmap."""
    data = asdict(roadmap)

    def clean(value: Any) -> Any:
        if hasattr(value, "model_dump"):
            return value.model_dump(exclude_none=True)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value

    return dict(clean(data))
