"""Responses that look like padding, and how many distinct practitioners answered. Pure.

An agency's figures are shown only above a group threshold, so someone holding an agency's link
could add responses with known answers to a real practitioner's and subtract them again. Two
defences live here: a link counts at most as many practitioners as it was sent to, and responses
that are straight-lined (every statement the same answer) or near-identical to another of the
same agency are flagged, so that the organiser can exclude them before closing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

STRAIGHT_LINED = "straight_lined"
NEAR_IDENTICAL = "near_identical"
SAME_SHARE = 0.9  # at least this share of shared statements answered alike: near-identical
MIN_SHARED = 5  # ... over at least this many statements answered by both


@dataclass(frozen=True)
class Submitted:
    """One submitted response as screening sees it: anonymous, answers only."""

    id: str
    agency: str
    link: str
    answers: Mapping[str, str]


def straight_lined(answers: Mapping[str, str], statements: int) -> bool:
    """Every statement (at least 80% of them answered) given the same answer."""
    values = list(answers.values())
    return bool(values) and len(values) * 5 >= statements * 4 and len(set(values)) == 1


def near_identical(one: Mapping[str, str], other: Mapping[str, str]) -> bool:
    """Two responses that answer nearly every statement they share alike."""
    shared = one.keys() & other.keys()
    if len(shared) < MIN_SHARED:
        return False
    alike = sum(1 for item in shared if one[item] == other[item])
    return alike >= SAME_SHARE * len(shared)


def flags(responses: Sequence[Submitted], statements: int) -> dict[str, tuple[str, ...]]:
    """Per flagged response id, why it is flagged (near-identical only within an agency)."""
    found: dict[str, list[str]] = {}
    for r in responses:
        if straight_lined(r.answers, statements):
            found.setdefault(r.id, []).append(STRAIGHT_LINED)
    for i, one in enumerate(responses):
        for other in responses[i + 1:]:
            if one.agency == other.agency and near_identical(one.answers, other.answers):
                for r in (one, other):
                    if NEAR_IDENTICAL not in found.setdefault(r.id, []):
                        found[r.id].append(NEAR_IDENTICAL)
    return {k: tuple(v) for k, v in found.items()}


def distinct_practitioners(responses: Sequence[Submitted],
                           capacity: Mapping[str, int | None]) -> dict[str, int]:
    """Per agency, the practitioners its responses stand for: a link counts no more than the
    practitioners it was sent to (`capacity`; a link made before links had one counts all)."""
    per_link: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for r in responses:
        limit = capacity.get(r.link)
        if limit is not None and per_link[r.link] >= limit:
            continue
        per_link[r.link] += 1
        counts[r.agency] += 1
    return dict(counts)
