"""Responses that look like padding, and how many distinct practitioners answered. Pure.

An agency's figures are shown only above a group threshold, so someone holding an agency's link
could add responses with known answers to a real practitioner's and subtract them again. Two
defences live here: a link counts at most as many practitioners as it was sent to, and responses
that are straight-lined (every statement the same answer) or near-identical to another of the
same agency are flagged, so that the organiser can exclude them before closing.

A third flag looks at bursts: responses keep only the day they were sent, so a burst is read
from one link and one day. The responses a link took on one day are all flagged as a burst when
they are more than the practitioners the link was sent to, or when at least `BURST_MIN` came
that day and at least half of them are straight-lined or similar (`SIMILAR_SHARE` of the
statements they share answered alike) to another of that day's responses through that link.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

STRAIGHT_LINED = "straight_lined"
NEAR_IDENTICAL = "near_identical"
BURST = "burst"
SAME_SHARE = 0.9  # at least this share of shared statements answered alike: near-identical
MIN_SHARED = 5  # ... over at least this many statements answered by both
SIMILAR_SHARE = 0.75  # alike enough to count towards a burst (a looser test than near-identical)
BURST_MIN = 3  # responses through one link on one day before their likeness makes a burst


@dataclass(frozen=True)
class Submitted:
    """One submitted response as screening sees it: anonymous, answers only."""

    id: str
    agency: str
    link: str
    answers: Mapping[str, str]
    day: date | None = None  # the day it was sent (responses keep no finer time)


def straight_lined(answers: Mapping[str, str], statements: int) -> bool:
    """Every statement (at least 80% of them answered) given the same answer."""
    values = list(answers.values())
    return bool(values) and len(values) * 5 >= statements * 4 and len(set(values)) == 1


def near_identical(one: Mapping[str, str], other: Mapping[str, str],
                   share: float = SAME_SHARE) -> bool:
    """Two responses that answer nearly every statement they share alike (`share` of them)."""
    shared = one.keys() & other.keys()
    if len(shared) < MIN_SHARED:
        return False
    alike = sum(1 for item in shared if one[item] == other[item])
    return alike >= share * len(shared)


def bursts(responses: Sequence[Submitted], statements: int,
           capacity: Mapping[str, int | None]) -> set[str]:
    """The ids of responses sent in a burst (see the module docstring): by link and day."""
    groups: dict[tuple[str, date], list[Submitted]] = {}
    for r in responses:
        if r.link and r.day is not None:
            groups.setdefault((r.link, r.day), []).append(r)
    found: set[str] = set()
    for (link, _day), members in groups.items():
        limit = capacity.get(link)
        alike = [r for r in members if straight_lined(r.answers, statements) or any(
            near_identical(r.answers, o.answers, SIMILAR_SHARE) for o in members if o is not r)]
        if (limit is not None and len(members) > limit) or (
                len(members) >= BURST_MIN and 2 * len(alike) >= len(members)):
            found.update(r.id for r in members)
    return found


def flags(responses: Sequence[Submitted], statements: int,
          capacity: Mapping[str, int | None] | None = None) -> dict[str, tuple[str, ...]]:
    """Per flagged response id, why it is flagged (near-identical only within an agency; a burst
    within a link and a day, `capacity` giving each link's stated size)."""
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
    for ident in bursts(responses, statements, capacity or {}):
        found.setdefault(ident, []).append(BURST)
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
