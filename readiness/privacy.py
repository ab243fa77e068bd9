"""Which agencies' own figures may be shown without singling out a person. Pure.

An agency is shown when at least `min_group_size` of its practitioners answered (a facilitated
workshop records one agreed answer per agency, so every agency counts as a group). Because the
municipality's score is the mean of agency means, hiding exactly one agency is not enough: its
score would follow from the municipality's score and the others'. So when exactly one agency is
hidden, the smallest shown agency is hidden with it (complementary suppression).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def shown_agencies(respondents_by_agency: Mapping[str, int], min_group_size: int, *,
                   workshop: bool = False, order: Sequence[str] = ()) -> tuple[str, ...]:
    """The agencies whose own figures may be shown, in `order` (else in mapping order)."""
    ordered = [a for a in order if a in respondents_by_agency] or list(respondents_by_agency)
    taking_part = [a for a in ordered if respondents_by_agency[a] > 0]
    if workshop:
        return tuple(taking_part)
    shown = [a for a in taking_part if respondents_by_agency[a] >= min_group_size]
    if len(taking_part) - len(shown) == 1 and shown:
        smallest = min(shown, key=lambda a: (respondents_by_agency[a], ordered.index(a)))
        shown.remove(smallest)
    return tuple(shown)
