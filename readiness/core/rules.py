"""Evaluate the questionnaire's conditions (barrier detection, action triggers, model fit).

A condition over missing data is false: a dimension with insufficient data is neither
"below" nor "at least" anything, so no barrier is claimed and no action is triggered on a guess.

A `margin` (in points of 0..100) asks whether a condition holds *clearly*: every threshold must
be cleared by that margin (a perception gap too), and under `not` the margin works the other
way. The roadmap uses it so that a score a point either side of a threshold cannot flip what
comes first.
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
    spreads: Mapping[str, float | None] = field(default_factory=dict)
    gap_threshold: float | None = None
    outliers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    run_by: str | None = None


def _compare(value: float | None, cond: Condition, margin: float = 0.0) -> bool:
    if value is None:
        return False
    if cond.below is not None:
        return value < cond.below - margin
    if cond.at_least is not None:
        return value >= cond.at_least + margin
    assert cond.above is not None
    return value > cond.above + margin


def _gap(dimension: str, facts: Facts, margin: float) -> bool:
    spread = facts.spreads.get(dimension)
    if margin == 0 or spread is None or facts.gap_threshold is None:
        return dimension in facts.gaps
    return spread >= facts.gap_threshold + margin


def holds(cond: Condition, facts: Facts, margin: float = 0.0) -> bool:
    """True when the condition holds for these facts (clearly, by `margin` points)."""
    if cond.all is not None:
        return all(holds(child, facts, margin) for child in cond.all)
    if cond.any is not None:
        return any(holds(child, facts, margin) for child in cond.any)
    if cond.not_ is not None:
        return not holds(cond.not_, facts, -margin)
    if cond.item is not None:
        return _compare(facts.items.get(cond.item), cond, margin / 100)
    if cond.dimension is not None:
        return _compare(facts.dimensions.get(cond.dimension), cond, margin)
    if cond.overall is not None:
        return _compare(facts.overall, cond, margin)
    if cond.dont_know is not None:
        if cond.dont_know in facts.insufficient and cond.dont_know not in facts.dont_know:
            return False
        return _compare(facts.dont_know.get(cond.dont_know), cond, margin / 100)
    if cond.gap is not None:
        return _gap(cond.gap, facts, margin)
    return _holds_as_found(cond, facts)


def _holds_as_found(cond: Condition, facts: Facts) -> bool:
    """A condition on what was found or said, with no figure to clear by a margin."""
    if cond.outlier is not None:
        if cond.outlier == "any":
            return any(facts.outliers.values())
        return bool(facts.outliers.get(cond.outlier))
    if cond.run_by is not None:
        return facts.run_by in cond.run_by
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
    if cond.run_by is not None:
        return []
    if cond.not_ is not None:
        return []
    return [cond]
