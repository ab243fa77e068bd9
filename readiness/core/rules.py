"""Evaluate the questionnaire's conditions (barrier detection, action triggers, model fit).

A condition over missing data is false: a dimension with insufficient data is neither
"below" nor "at least" anything, so no barrier is claimed and no action is triggered on a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from readiness.core.schema import Condition


@dataclass(frozen=True)
class Facts:
    """What conditions can test: municipality-level figures, context and findings."""

    items: Mapping[str, float | None]
    dimensions: Mapping[str, float | None]
    overall: float | None
    dont_know: Mapping[str, float]
    gaps: frozenset[str]
    insufficient: frozenset[str]
    context: Mapping[str, tuple[str, ...]]
    agencies: frozenset[str]
    barriers: frozenset[str] = field(default_factory=frozenset)


def _compare(value: float | None, cond: Condition) -> bool:
    if value is None:
        return False
    if cond.below is not None:
        return value < cond.below
    if cond.at_least is not None:
        return value >= cond.at_least
    assert cond.above is not None
    return value > cond.above


def holds(cond: Condition, facts: Facts) -> bool:
    """True when the condition holds for these facts."""
    if cond.all is not None:
        return all(holds(child, facts) for child in cond.all)
    if cond.any is not None:
        return any(holds(child, facts) for child in cond.any)
    if cond.not_ is not None:
        return not holds(cond.not_, facts)
    if cond.item is not None:
        return _compare(facts.items.get(cond.item), cond)
    if cond.dimension is not None:
        return _compare(facts.dimensions.get(cond.dimension), cond)
    if cond.overall is not None:
        return _compare(facts.overall, cond)
    if cond.dont_know is not None:
        if cond.dont_know in facts.insufficient and cond.dont_know not in facts.dont_know:
            return False
        return _compare(facts.dont_know.get(cond.dont_know), cond)
    if cond.gap is not None:
        return cond.gap in facts.gaps
    if cond.insufficient is not None:
        return cond.insufficient in facts.insufficient
    if cond.barrier is not None:
        return cond.barrier in facts.barriers
    if cond.agency_missing is not None:
        return cond.agency_missing not in facts.agencies
    assert cond.context is not None
    assert cond.in_ is not None
    return bool(set(facts.context.get(cond.context, ())) & set(cond.in_))


def satisfied_atoms(cond: Condition, facts: Facts) -> list[Condition]:
    """The leaf conditions that make a holding condition true: the findings behind it."""
    if not holds(cond, facts):
        return []
    if cond.all is not None or cond.any is not None:
        children = cond.all if cond.all is not None else cond.any
        return [atom for child in children or () for atom in satisfied_atoms(child, facts)]
    if cond.not_ is not None:
        return []
    return [cond]
