"""Turn a scored result and its context into a tailored, phased roadmap.

Pure: the action library, its triggers and dependencies are data; this module chooses, orders
and phases. Weakest dimensions and detected barriers come first, dependencies before
dependants, at most `phase_one_capacity` actions in the first three months and
`phase_two_capacity` in the rest of the first year. Actions suited to the municipality's stage
come earlier (Community Readiness Model: strategies matched to the stage). A municipality strong
everywhere gets the short sustaining plan, not filler.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from readiness.core.questionnaire import Questionnaire
from readiness.core.rules import Facts, holds, satisfied_atoms
from readiness.core.schema import Action, Condition, Evidence, Inspiration
from readiness.core.scoring import Result
from readiness.core.statements import statement_reading
from readiness.translate import gettext as _
from readiness.translate import in_sentence
from readiness.translate import lazy_gettext as _l

PHASE_TITLES = {1: _l("First 3 months"), 2: _l("3 to 12 months"), 3: _l("Beyond 12 months")}
# Urgency weights: a detected barrier behind an action, a perception gap on its dimension, the
# single weakest dimension ("tackle the lowest dimension first") and an action suited to the
# municipality's stage ("strategies matched to the stage"), both from the Community Readiness Model.
BARRIER_WEIGHT = 15.0
GAP_WEIGHT = 10.0
WEAKEST_WEIGHT = 10.0
STAGE_WEIGHT = 20.0
UNKNOWN_WEAKNESS = 50.0


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


@dataclass(frozen=True)
class ModelFit:
    """How well a MAW model fits this municipality, and why."""

    id: str
    title: str
    description: str
    score: float
    reasons: tuple[str, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Roadmap:
    """The ordered actions, grouped by phase, and the suggested MAW model."""

    actions: tuple[PlannedAction, ...]
    sustaining: bool
    model: ModelFit
    alternatives: tuple[ModelFit, ...]
    reassess_after_months: int

    def phase(self, number: int) -> tuple[PlannedAction, ...]:
        """The actions of one phase, in priority order."""
        return tuple(a for a in self.actions if a.phase == number)


def _describe(atom: Condition, q: Questionnaire, result: Result) -> str:
    """A plain-language finding for a condition that holds."""
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
        title = next(a.title for a in q.doc.agencies if a.id == atom.agency_missing)
        return _("%(agency)s took no part in the assessment.", agency=title)
    if atom.overall is not None and result.overall is not None:
        return _("Overall readiness is %(overall)s of 100.", overall=f"{result.overall:.0f}")
    if atom.context is not None:
        item = q.items_by_id[atom.context]
        labels = [o.label for o in q.options(item) if o.value in result.context.get(item.id, ())]
        return _("To \u201c%(question)s\u201d the answer was: %(answers)s.", question=item.text,
                 answers=", ".join(labels))
    return ""


def _urgency(action: Action, result: Result, facts: Facts, weakest: str | None) -> float:
    """How pressing an action is: its dimension's weakness (overall weakness for cross-cutting
    actions) plus weights for barriers, gaps, the weakest dimension and the stage."""
    score = facts.overall if action.dimension is None else facts.dimensions.get(action.dimension)
    urgency = UNKNOWN_WEAKNESS if score is None else 100.0 - score
    if action.when is not None:
        atoms = satisfied_atoms(action.when, facts)
        urgency += BARRIER_WEIGHT * len({a.barrier for a in atoms if a.barrier})
    if action.dimension in facts.gaps:
        urgency += GAP_WEIGHT
    if action.dimension is not None and action.dimension == weakest:
        urgency += WEAKEST_WEIGHT
    if result.stage in action.stages:
        urgency += STAGE_WEIGHT
    return urgency


def _order(chosen: dict[str, Action], phase: dict[str, int], urgency: dict[str, float],
           index: dict[str, int]) -> list[str]:
    """Dependencies first; otherwise earlier phase, then more urgent, then library order."""
    placed: list[str] = []
    remaining = set(chosen)
    while remaining:
        ready = [a for a in remaining
                 if all(d not in remaining for d in chosen[a].depends_on)]
        best = min(ready, key=lambda a: (phase[a], -urgency[a], index[a]))
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


def build_roadmap(q: Questionnaire, result: Result) -> Roadmap:
    """Choose, order and phase the actions for a scored municipality."""
    facts = result.facts()
    library = {a.id: a for a in q.library.actions}
    index = {a.id: i for i, a in enumerate(q.library.actions)}
    families = {f.id: f.title for f in q.library.families}
    top_level = q.doc.levels[-1].id
    sustaining = not result.barriers and all(d.level == top_level for d in result.dimensions)

    def already_done(action: Action) -> bool:
        return action.done_when is not None and holds(action.done_when, facts)

    if sustaining:
        chosen = {a.id: a for a in q.library.actions if a.sustain and not already_done(a)}
    else:
        chosen = {a.id: a for a in q.library.actions
                  if (a.when is None or holds(a.when, facts)) and not already_done(a)}
    needed_by: dict[str, list[str]] = {}
    stack = list(chosen)
    while stack:
        for dep in library[stack.pop()].depends_on:
            if dep not in chosen and not already_done(library[dep]):
                chosen[dep] = library[dep]
                stack.append(dep)
    for action in chosen.values():
        for dep in action.depends_on:
            needed_by.setdefault(dep, []).append(action.title)

    scored = [d for d in result.dimensions if d.score is not None]
    weakest = min(scored, key=lambda d: d.score or 0).id if scored else None
    urgency = {a: _urgency(chosen[a], result, facts, weakest) for a in chosen}
    phase: dict[str, int] = {a: chosen[a].phase for a in chosen}
    order = _order(chosen, phase, urgency, index)
    for ident in order:  # a dependant never comes in an earlier phase than what it needs
        phase[ident] = max([phase[ident], *(phase[d] for d in chosen[ident].depends_on
                                            if d in chosen)])
    settings = q.doc.settings
    for number, capacity in ((1, settings.phase_one_capacity), (2, settings.phase_two_capacity)):
        in_phase = [a for a in order if phase[a] == number]
        for ident in in_phase[capacity:]:  # later in the order: less urgent, or dependants
            phase[ident] = number + 1
        order = _order(chosen, phase, urgency, index)

    planned = []
    for priority, ident in enumerate(order, start=1):
        action = chosen[ident]
        atoms = satisfied_atoms(action.when, facts) if action.when and not sustaining else []
        findings = [text for text in dict.fromkeys(_describe(a, q, result) for a in atoms) if text]
        if ident in needed_by and not findings:
            findings.append(_("Needed before: %(actions)s.", actions="; ".join(needed_by[ident])))
        planned.append(PlannedAction(
            id=action.id, title=action.title, family=action.family,
            family_title=families[action.family], dimension=action.dimension,
            what=action.what, why=action.why, findings=tuple(findings), lead=action.lead,
            partners=action.partners, phase=phase[ident],
            phase_title=str(PHASE_TITLES[phase[ident]]),
            effort=action.effort, indicator=action.indicator,
            depends_on=tuple(d for d in action.depends_on if d in chosen), priority=priority,
            urgency=round(urgency[ident], 1),
            notes=tuple(n.text for n in action.notes if holds(n.when, facts)),
            inspiration=action.inspiration, evidence=action.evidence))
    models = suggest_models(q, facts)
    return Roadmap(actions=tuple(planned), sustaining=sustaining, model=models[0],
                   alternatives=tuple(models[1:]),
                   reassess_after_months=q.doc.settings.reassess_after_months)


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
