"""Which agencies' own figures may be shown without singling out a person. Pure.

An agency is shown when at least `min_group_size` of its practitioners answered (a facilitated
workshop records one agreed answer per agency, so every agency counts as a group). Because the
municipality's score is the mean of agency means, hiding exactly one agency is not enough: its
score would follow from the municipality's score and the others'. So when exactly one agency is
hidden, the smallest shown agency is hidden with it (complementary suppression). For the same
reason the spread between agencies (a perception gap) is printed only over the shown agencies:
the spread over all of them plus one shown agency's score gives a hidden agency's score.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence


def group_size(min_group_size: int, *, workshop: bool = False) -> int:
    """The respondents an agency needs for its own figures: one agreed answer in a workshop."""
    return 1 if workshop else min_group_size


def shown_agencies(respondents_by_agency: Mapping[str, int], min_group_size: int, *,
                   workshop: bool = False, order: Sequence[str] = (),
                   agreed: Collection[str] = ()) -> tuple[str, ...]:
    """The agencies whose own figures may be shown, in `order` (else in mapping order).

    `agreed`: the agencies of a mixed round recorded in a workshop; their agreed answers are
    always shown and known to the room, so only a surveyed agency can hide a hidden one."""
    ordered = [a for a in order if a in respondents_by_agency] or list(respondents_by_agency)
    taking_part = [a for a in ordered if respondents_by_agency[a] > 0]
    if workshop:
        return tuple(taking_part)
    shown = [a for a in taking_part
             if a in agreed or respondents_by_agency[a] >= min_group_size]
    surveyed = [a for a in shown if a not in agreed]
    if len(taking_part) - len(shown) == 1 and surveyed:
        smallest = min(surveyed, key=lambda a: (respondents_by_agency[a], ordered.index(a)))
        shown.remove(smallest)
    return tuple(shown)


def hidden_reasons(respondents_by_agency: Mapping[str, int], shown: Collection[str],
                   min_group_size: int, *, workshop: bool = False
                   ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Why each agency that took part is not shown: (too few respondents, hidden with them so
    that their figures cannot be worked out from it), in mapping order. `shown` is what
    `shown_agencies` gave, then or for a stored round."""
    need = group_size(min_group_size, workshop=workshop)
    hidden = [a for a, n in respondents_by_agency.items() if n > 0 and a not in shown]
    too_few = tuple(a for a in hidden if respondents_by_agency[a] < need)
    protecting = tuple(a for a in hidden if respondents_by_agency[a] >= need) if too_few else ()
    return too_few, protecting


def shown_spread(by_agency: Mapping[str, float | None], shown: Collection[str], *,
                 divergent: bool, gap_threshold: float) -> float | None:
    """The spread of agency scores that may be printed: over the shown agencies only, and for a
    dimension flagged as a perception gap only when the shown agencies are themselves that far
    apart (a smaller figure would not explain the flag). None when there is nothing to print."""
    values = [v for a, v in by_agency.items() if a in shown and v is not None]
    if len(values) < 2:
        return None
    spread = max(values) - min(values)
    return None if divergent and spread < gap_threshold else spread
