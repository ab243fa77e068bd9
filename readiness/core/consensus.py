"""How far workshop participants' own ratings were apart before their agency agreed. Pure.

In consensus mode (after SCIROCCO) each participant first rates a statement; the facilitator
records only how many gave each answer, never who, then the agency agrees one answer, which is
what is scored. A statement whose ratings span `consensus_hard_spread` of the option scores
(3 points of a five-point scale) is one where consensus was hard. What may be published: the
number of such statements always; a statement's counts only for an agency whose figures are
shown and when at least `min_group_size` participants rated it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from readiness.core.questionnaire import Questionnaire
from readiness.core.schema import DONT_KNOW
from readiness.translate import gettext as _
from readiness.translate import ngettext
from readiness.vocabulary import Mode

Ratings = Mapping[str, Mapping[str, int]]  # {item id: {option value: participants}}


def is_agreed(mode: str, workshop_agencies: Collection[str], agency: str) -> bool:
    """Whether an agency's answers in a round are agreed in a workshop (one agency's, no
    individual's, so never withheld as a small group and never screened as padding): every
    agency's in a workshop round, a mixed round's workshop agencies'. The one rule for it:
    whether a response came through a link says nothing (the demo's survey answers have none)."""
    return mode == Mode.WORKSHOP or agency in workshop_agencies


def agreed_agencies(mode: str, workshop_agencies: Collection[str],
                    agencies: Iterable[str]) -> list[str]:
    """Of `agencies` (kept in their order), those whose answers are agreed (`is_agreed`)."""
    chosen = frozenset(workshop_agencies or ())
    return [a for a in agencies if is_agreed(mode, chosen, a)]


@dataclass(frozen=True)
class Spread:
    """One agency's participants' ratings of one statement."""

    agency: str
    item: str
    counts: tuple[tuple[str, int], ...]  # (option value, participants), in option order
    participants: int
    lowest: str | None  # option value of the least ready rating given, None if none scored
    highest: str | None
    points: int  # scale steps between the lowest and the highest rating
    hard: bool


@dataclass(frozen=True)
class Consensus:
    """What may be published of a workshop's consensus ratings."""

    rated: int  # statements (per agency) rated by participants before agreeing
    hard: int  # of which the ratings were far apart
    details: tuple[Spread, ...]  # the hard ones that may be shown with their counts


NO_CONSENSUS = Consensus(rated=0, hard=0, details=())


def spread(q: Questionnaire, agency: str, item_id: str, counts: Mapping[str, int]) -> Spread:
    """The spread of one statement's ratings (unknown values and zero counts ignored)."""
    options = list(q.options(item_id))
    ordered = [(o.value, int(counts.get(o.value, 0))) for o in options]
    ordered.append((DONT_KNOW, int(counts.get(DONT_KNOW, 0))))
    ordered = [(v, n) for v, n in ordered if n > 0]
    scores = {o.value: o.score for o in options if o.score is not None}
    rated = sorted((v for v in scores if counts.get(v, 0) > 0), key=lambda v: scores[v])
    steps = sorted(set(scores.values()))
    low, high = (rated[0], rated[-1]) if rated else (None, None)
    width = scores[high] - scores[low] if low and high else 0.0
    points = steps.index(scores[high]) - steps.index(scores[low]) if low and high else 0
    return Spread(agency=agency, item=item_id, counts=tuple(ordered),
                  participants=sum(n for _, n in ordered),
                  lowest=low, highest=high,
                  points=points,
                  hard=width >= q.doc.settings.consensus_hard_spread - 1e-9)


def spreads(q: Questionnaire, agency: str, ratings: Ratings) -> dict[str, Spread]:
    """{item id: spread} of the statements an agency's participants rated."""
    return {item: spread(q, agency, item, counts) for item, counts in ratings.items()
            if item in q.items_by_id and any(int(n) > 0 for n in counts.values())}


def consensus(q: Questionnaire, ratings_by_agency: Mapping[str, Ratings],
              shown: Collection[str]) -> Consensus:
    """The publishable summary: how many statements were rated and how many were hard; the
    counts of a hard one only for a shown agency with enough participants."""
    minimum = q.doc.settings.min_group_size
    found = [s for agency, ratings in ratings_by_agency.items()
             for s in spreads(q, agency, ratings).values()]
    hard = [s for s in found if s.hard]
    order = {item.id: n for n, item in enumerate(q.doc.items)}
    details = sorted((s for s in hard if s.agency in shown and s.participants >= minimum),
                     key=lambda s: (order.get(s.item, len(order)), s.agency))
    return Consensus(rated=len(found), hard=len(hard), details=tuple(details))


def describe(q: Questionnaire, found: Spread) -> str:
    """`Strongly disagree 1, Agree 3: from Strongly disagree to Agree, 3 points apart.`"""
    labels = {o.value: o.label for o in q.options(found.item)}
    labels[DONT_KNOW] = _("Don't know")
    counts = ", ".join(f"{labels.get(v, v)} {n}" for v, n in found.counts)
    if found.lowest is None or found.highest is None:
        return counts
    if found.lowest == found.highest:
        return _("%(counts)s: all ratings alike.", counts=counts)
    return ngettext("%(counts)s: from %(low)s to %(high)s, %(num)d point apart.",
                    "%(counts)s: from %(low)s to %(high)s, %(num)d points apart.", found.points,
                    counts=counts, low=labels[found.lowest], high=labels[found.highest])
