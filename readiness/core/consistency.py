"""Quality of answers: internal consistency of each dimension (Cronbach's alpha) and how
closely the respondents of one agency agree. Pure: no Flask, DB or pandas.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import fmean, variance

from readiness.core.questionnaire import Questionnaire
from readiness.core.schema import DONT_KNOW
from readiness.core.scoring import Answer

# Variance of one answer spread evenly over five steps of 0, 0.25, .., 1: (5^2 - 1) / 12 steps^2.
UNIFORM_VARIANCE = (5 ** 2 - 1) / 12 * 0.25 ** 2
# r_wg of 0.7 or more is the customary cut-off for "agree closely" (James, Demaree & Wolf, 1984).
CLOSE_AGREEMENT = 0.7
SOME_AGREEMENT = 0.4
MIN_AGREEMENT_RESPONDENTS = 3


@dataclass(frozen=True)
class Alpha:
    """A dimension's Cronbach's alpha over respondents who answered all of its statements."""

    dimension: str
    alpha: float | None
    respondents: int
    items: int


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's alpha of complete rows (respondents x items); None when it is undefined."""
    if len(rows) < 3 or len(rows[0]) < 2:
        return None
    k = len(rows[0])
    item_variances = [variance(column) for column in zip(*rows, strict=True)]
    total_variance = variance([sum(row) for row in rows])
    if total_variance == 0:
        return None
    return k / (k - 1) * (1 - sum(item_variances) / total_variance)


def _scored_by_respondent(q: Questionnaire,
                          answers: Iterable[Answer]) -> dict[tuple[str, str], dict[str, float]]:
    """{(agency, respondent): {item: score}} for scored, answered (not don't know) items."""
    out: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for answer in answers:
        item = q.items_by_id.get(answer.item)
        if item is None or item.dimension is None or answer.value == DONT_KNOW:
            continue
        score = q.option_score(answer.item, answer.value)
        if score is not None:
            out[(answer.agency, answer.respondent)][answer.item] = score
    return out


def dimension_alphas(q: Questionnaire, answers: Iterable[Answer]) -> list[Alpha]:
    """Cronbach's alpha per dimension, listwise: respondents who answered every statement."""
    by_respondent = _scored_by_respondent(q, answers)
    result = []
    for dimension in q.dimension_ids:
        items = [item.id for item in q.items_of(dimension)]
        rows = [[scores[i] for i in items] for scores in by_respondent.values()
                if all(i in scores for i in items)]
        result.append(Alpha(dimension, cronbach_alpha(rows), len(rows), len(items)))
    return result


def agreement_band(values: Sequence[float]) -> str | None:
    """How closely respondents agree: "close", "some" or "little" (r_wg bands); None if < 3."""
    if len(values) < MIN_AGREEMENT_RESPONDENTS:
        return None
    r_wg = max(0.0, 1 - variance(values) / UNIFORM_VARIANCE)
    if r_wg >= CLOSE_AGREEMENT:
        return "close"
    return "some" if r_wg >= SOME_AGREEMENT else "little"


def agency_agreement(q: Questionnaire, answers: Iterable[Answer],
                     agencies: Iterable[str]) -> dict[str, dict[str, str | None]]:
    """{agency: {dimension: band}} for the given agencies (those whose figures may be shown).

    A band, never a figure: a variance next to a mean of three answers would let one of the
    three work out the other two answers.
    """
    by_respondent = _scored_by_respondent(q, answers)
    wanted = set(agencies)
    out: dict[str, dict[str, str | None]] = {}
    for agency in (a for a in q.agency_ids if a in wanted):
        per_dimension: dict[str, str | None] = {}
        for dimension in q.dimension_ids:
            items = {item.id for item in q.items_of(dimension)}
            means = [fmean(v for i, v in scores.items() if i in items)
                     for (a, _), scores in by_respondent.items()
                     if a == agency and items & scores.keys()]
            per_dimension[dimension] = agreement_band(means)
        out[agency] = per_dimension
    return out
