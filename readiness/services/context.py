"""A round's context answers: setting and checking them, what the municipality's size says,
and who took part in earlier rounds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.core.schema import Item
from readiness.models import (
    POPULATION_BANDS,
    Assessment,
    AssessmentResult,
    Municipality,
    Status,
)
from readiness.services.base import ServiceError, lock, questionnaire_of, require_open
from readiness.services.municipalities import EditConflict
from readiness.translate import lazy_gettext as _l


def set_context(assessment: Assessment, answers: Mapping[str, Iterable[str]]) -> str | None:
    """Record the organisers' answers to the context questions (unknown values refused); a
    changed size changes the municipality's record too, and the band it had is returned."""
    require_open(assessment)
    q = questionnaire_of(assessment)
    context: dict[str, list[str]] = {}
    for item in q.doc.context:
        values = [v for v in answers.get(item.id, ()) if v]
        allowed = [o.value for o in q.options(item)]
        if any(v not in allowed for v in values):
            raise ServiceError(_l("Unknown answer to %(item)s", item=repr(item.id)))
        if len(values) > 1 and not item.multiple:
            raise ServiceError(_l("%(item)s takes one answer", item=repr(item.id)))
        if len(values) > 1 and set(values) & set(exclusive_values(q, item)):
            raise ServiceError(_l("%(item)s: an answer like 'none' excludes the others",
                                    item=repr(item.id)))
        if values:
            context[item.id] = [v for v in allowed if v in values]
    assessment.context = context
    return _record_size(q, assessment)


def _record_size(q: Questionnaire, assessment: Assessment) -> str | None:
    """Make the municipality's record say the size the organiser answered (the one source the
    municipality page, the dashboard and the roadmap read); the band it replaced, if any."""
    municipality = assessment.municipality
    size = population_answer(q, municipality.population_band)
    chosen = (assessment.context or {}).get(size[0]) if size is not None else None
    band = _band_of(chosen[0]) if chosen else municipality.population_band
    if band not in POPULATION_BANDS or band == municipality.population_band:
        return None
    before, municipality.population_band = municipality.population_band, band
    return before


def round_context(assessment: Assessment) -> dict[str, list[str]]:
    """The round's context answers, its size answer read from the municipality's record: one
    size for the municipality page, the dashboard and the roadmap's reasoning."""
    q = questionnaire_of(assessment)
    context = dict(assessment.context or {})
    size = population_answer(q, assessment.municipality.population_band)
    if size is not None:
        context[size[0]] = [size[1]]
    return context


def invited_agencies(assessment: Assessment) -> tuple[str, ...]:
    """The agencies a round was made for or given a link: those asked to answer."""
    return tuple(dict.fromkeys([*assessment.agencies,
                                *(i.agency for i in assessment.invitations)]))


def earlier_participation(db: Session, assessment: Assessment) -> dict[str, int]:
    """{agency: the latest earlier closed round it answered in}, from the rounds' stored
    results, so the roadmap can say an absent agency took part before."""
    rows = db.execute(
        select(Assessment.round, AssessmentResult.result)
        .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
        .where(Assessment.municipality_id == assessment.municipality_id,
               Assessment.status == Status.CLOSED, Assessment.round < assessment.round)
        .order_by(Assessment.round))
    found: dict[str, int] = {}
    for number, stored in rows:
        for agency, count in ((stored or {}).get("respondents_by_agency") or {}).items():
            if count:
                found[str(agency)] = number
    return found


def context_version(assessment: Assessment) -> str:
    """A short fingerprint of the round's context answers: the context form carries the one it
    was opened on, so a save over someone else's newer answers is caught."""
    text = json.dumps(assessment.context or {}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check_context_version(db: Session, assessment: Assessment, version: str | None) -> None:
    """Refuse with `EditConflict` when the context answers changed since `version` (None: not
    checked), under a row lock so that two saves cannot both pass."""
    if not version:
        return
    lock(db, assessment)
    if context_version(assessment) != version:
        raise EditConflict("someone else saved the context answers since you opened them")


def _previous_context(q: Questionnaire, municipality: Municipality) -> dict[str, list[str]]:
    """The organiser's context answers of the municipality's latest round (the size from the
    municipality's record), as a starting point
    for the new one (answers this questionnaire no longer offers are dropped)."""
    earlier = sorted(municipality.assessments, key=lambda a: a.round)
    previous = dict(earlier[-1].context or {}) if earlier else {}
    context: dict[str, list[str]] = {}
    for item in q.doc.context:
        allowed = [o.value for o in q.options(item)]
        values = [v for v in previous.get(item.id, ()) if v in allowed]
        if values and (item.multiple or len(values) == 1):
            context[item.id] = values
    size = population_answer(q, municipality.population_band)
    if size is not None:  # the size is the municipality record's, not an earlier round's
        context[size[0]] = [size[1]]
    return context


def exclusive_values(q: Questionnaire, item: Item) -> tuple[str, ...]:
    """The options of a multiple-choice context question that exclude every other answer:
    those marked `exclusive` in the questionnaire, or (for a question that marks none, as in
    version 1.0) by their value: `none`, or `none_...` (like "None that I know of")."""
    return q.exclusive(item)


def _band_of(value: str) -> str:
    """A population option value as a band id: `from_10k_to_50k` -> `10k_50k`."""
    return value.removeprefix("from_").replace("_to_", "_")


def population_answer(q: Questionnaire, band: str) -> tuple[str, str] | None:
    """(context item id, option value) of the context question on the municipality's size
    matching `band`: the single-choice question whose options are the population bands."""
    for item in q.doc.context:
        options = {_band_of(o.value): o.value for o in q.options(item)}
        if not item.multiple and set(options) == set(POPULATION_BANDS) and band in options:
            return item.id, options[band]
    return None
