"""The close page's screening: responses that look like padding, and excluding them. Flushes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.core import screening
from readiness.core.questionnaire import Questionnaire
from readiness.models import Assessment, Response, ResponseStatus
from readiness.services.assessments import (
    lock,
    questionnaire_of,
    require_open,
    workshop_agencies,
)


def flagged_responses(db: Session,
                      assessment: Assessment) -> list[tuple[Response, tuple[str, ...]]]:
    """Submitted responses that look like padding (straight-lined, near-identical, sent in a
    burst through one link on one day), with why; excluded ones included, so that the organiser
    can take an exclusion back. A workshop's agreed answers (`core.consensus.is_agreed`) are no
    individual's, so they are never screened; a survey agency's are, with a link or without."""
    q = questionnaire_of(assessment)
    agreed = workshop_agencies(assessment)  # whether a response has a link says nothing
    submitted = [r for r in db.scalars(select(Response).where(
        Response.assessment_id == assessment.id, Response.status == ResponseStatus.SUBMITTED)
        .order_by(Response.id)) if r.agency not in agreed]
    scaled = _shared_scale_statements(q)
    found = screening.flags(
        [screening.Submitted(r.public_id, r.agency, str(r.invitation_id or r.agency),
                             {k: v for k, v in (r.answers or {}).items() if k in scaled},
                             r.submitted_at.date() if r.submitted_at else None)
         for r in submitted], len(scaled),
        {str(i.id): i.capacity for i in assessment.invitations})
    return [(r, found[r.public_id]) for r in submitted if r.public_id in found]


def _shared_scale_statements(q: Questionnaire) -> set[str]:
    """The statements answered on the most used set of options (the agreement scale, reversed
    or not): a factual question (signed / drafted / no) has options of its own, so "the same
    answer everywhere" is read over these statements only."""
    options = {i.id: frozenset(o.value for o in q.options(i)) for i in q.doc.items if i.dimension}
    if not options:
        return set()
    common = Counter(options.values()).most_common(1)[0][0]
    return {item for item, values in options.items() if values == common}


def set_excluded(db: Session, assessment: Assessment, excluded: Iterable[str]) -> None:
    """Exclude these flagged responses (public ids) from the scores and include the other
    flagged ones; a response nothing flagged cannot be excluded."""
    require_open(assessment)
    lock(db, assessment)
    wanted = set(excluded)
    for response, _why in flagged_responses(db, assessment):
        response.excluded = response.public_id in wanted
    db.flush()
