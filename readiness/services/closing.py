"""Scoring and closing a round: its counted answers, the one published view, the plan
before it, the last closed round's scores and facts, and storing the result on close.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.core import screening
from readiness.core.legal import Profile, profile_for
from readiness.core.legal_roadmap import apply_legal
from readiness.core.plans import Held
from readiness.core.published import (
    Published,
    RoundFacts,
    publish,
    published_to_dict,
    stored_facts,
)
from readiness.core.questionnaire import Questionnaire
from readiness.core.roadmap import Roadmap, build_roadmap, roadmap_to_dict
from readiness.core.schema import DONT_KNOW
from readiness.core.scoring import Answer, Result, result_to_dict, score
from readiness.models import (
    Assessment,
    AssessmentFinding,
    AssessmentResult,
    Mode,
    PlanAction,
    Response,
    ResponseStatus,
    Role,
    Score,
    Status,
    User,
)
from readiness.national.records import finding_rows
from readiness.services import link_places
from readiness.services.base import (
    ServiceError,
    _now,
    lock,
    questionnaire_of,
    require_open,
    workshop_agencies,
)
from readiness.services.context import round_context
from readiness.translate import lazy_gettext as _l


def _kept_counts(kept: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(agency, submitted, responses) rows from a reduced round's kept answers."""
    respondents = {(str(row[1]), str(row[0])) for row in kept.get("answers") or []}
    per_agency = Counter(agency for agency, _respondent in respondents)
    return [(agency, ResponseStatus.SUBMITTED, n) for agency, n in per_agency.items()]


def submitted_answers(db: Session, assessment: Assessment, q: Questionnaire,
                      responses: Sequence[Response] | None = None) -> list[Answer]:
    """The submitted answers as scoring input (respondent = the response's public id).

    Answers the questionnaire no longer knows are left out rather than failing the scoring.
    A round whose responses the retention period removed reads the input kept for it.
    `responses`: the round's `counted_responses`, when the caller has read them already.
    """
    kept = retained_input(assessment)
    if kept is not None:
        return [Answer(*(str(part) for part in row)) for row in kept.get("answers") or []]
    answers: list[Answer] = []
    for response in _counted(db, assessment, responses):
        for item_id, value in response.answers.items():
            item = q.items_by_id.get(item_id)
            if item is None or item.dimension is None:
                continue
            if value == DONT_KNOW or value in {o.value for o in q.options(item)}:
                answers.append(Answer(response.public_id, response.agency, item_id, value))
    return answers


def retained_input(assessment: Assessment) -> dict[str, Any] | None:
    """The scoring input kept when the retention period removed the round's responses
    (`services.retention`), else None."""
    stored = assessment.result if assessment.status == Status.CLOSED else None
    return stored.retained if stored is not None else None


def legal_profile_of(assessment: Assessment) -> Profile:
    """The jurisdiction profile of the assessed municipality's country and region."""
    municipality = assessment.municipality
    return profile_for(municipality.country, municipality.region)


def comments_of(db: Session, assessment: Assessment,
                agencies: Collection[str]) -> dict[str, dict[str, list[str]]]:
    """{agency: {page id: [texts]}} of the counted responses (submitted, not excluded) of
    `agencies` only: the one read of comments, whose caller says which agencies may be quoted."""
    found: dict[str, dict[str, list[str]]] = {}
    for response in counted_responses(db, assessment):
        if response.agency in agencies:
            for page, text in (response.comments or {}).items():
                if isinstance(text, str) and text.strip():
                    found.setdefault(response.agency, {}).setdefault(page, []).append(text)
    return found


def counted_responses(db: Session, assessment: Assessment) -> list[Response]:
    """The submitted responses the organiser did not exclude, oldest first."""
    return list(db.scalars(select(Response).where(
        Response.assessment_id == assessment.id, Response.status == ResponseStatus.SUBMITTED,
        Response.excluded.is_(False)).order_by(Response.id)))


def _counted(db: Session, assessment: Assessment,
             responses: Sequence[Response] | None) -> Sequence[Response]:
    """`responses` when the caller read them already, else the round's counted responses."""
    return counted_responses(db, assessment) if responses is None else responses


def practitioners_by_agency(db: Session, assessment: Assessment,
                            responses: Sequence[Response] | None = None) -> dict[str, int]:
    """Distinct practitioners per agency: a link counts at most as many as it was sent to."""
    kept = retained_input(assessment)
    if kept is not None:
        return {str(agency): int(n) for agency, n in (kept.get("practitioners") or {}).items()}
    capacity = {str(i.id): i.capacity for i in assessment.invitations}
    screened = [screening.Submitted(r.public_id, r.agency, str(r.invitation_id or r.agency),
                                    r.answers or {})
                for r in _counted(db, assessment, responses)]
    return screening.distinct_practitioners(screened, capacity)


def score_assessment(db: Session, assessment: Assessment) -> tuple[Questionnaire, Result, Roadmap]:
    """The RAW scores of an assessment's answers (legal actions per its jurisdiction): working
    figures that hold what the privacy rules withhold, never to be shown; every page, report,
    export and share link prints `publish_assessment`'s view instead."""
    q = questionnaire_of(assessment)
    result = score(q, submitted_answers(db, assessment, q), context=round_context(assessment))
    return q, result, apply_legal(build_roadmap(q, result, run_by=run_by(db, assessment)),
                                  q, result, legal_profile_of(assessment))


def publish_assessment(db: Session, assessment: Assessment) -> tuple[Questionnaire, Published]:
    """Score an assessment and compute the one view of it that may be published."""
    q = questionnaire_of(assessment)
    # read once: the answers, the practitioners, the ratings and the link sizes all come from
    # them (none when the retention period removed them: each then reads what was kept)
    responses = [] if retained_input(assessment) is not None else counted_responses(
        db, assessment)
    result = score(q, submitted_answers(db, assessment, q, responses),
                   context=round_context(assessment))
    workshop = assessment.mode == Mode.WORKSHOP
    counts = None if workshop else practitioners_by_agency(db, assessment, responses)
    held = plan_before(db, assessment)
    previous = previous_closed(db, assessment) if held else None
    return q, publish(q, result, workshop=workshop, respondents_by_agency=counts,
                      assessed_on=assessment.conducted_on,
                      planned_from=(assessment.closed_at or _now()).date(), held=held,
                      before=scores_of(db, previous), before_facts=facts_of(q, previous),
                      profile=legal_profile_of(assessment), run_by=run_by(db, assessment),
                      agreed=workshop_agencies(assessment),
                      ratings=workshop_ratings(db, assessment, responses),
                      sent_to=None if workshop else sent_to(db, assessment, responses))


def plan_before(db: Session, assessment: Assessment) -> list[Held]:
    """The municipality's tracked actions from the rounds before `assessment` (or from a round
    since deleted), oldest first: what its roadmap must not propose again as new. An action
    closing `assessment` re-opened counts with the status it had before, so the round keeps
    saying it proposed that action again."""
    rows = db.scalars(
        select(PlanAction).outerjoin(Assessment, Assessment.id == PlanAction.assessment_id)
        .where(PlanAction.municipality_id == assessment.municipality_id,
               (PlanAction.assessment_id.is_(None)) | (Assessment.round < assessment.round)
               | (PlanAction.assessment_id == assessment.id))
        .order_by(PlanAction.id))
    held = []
    for action in rows:
        status: str | None = action.status
        if action.assessment_id == assessment.id:
            status = reopened_from(action, assessment.round)
        if status is not None:
            held.append(Held(action.action, action.title, status, action.dimension,
                             action.due_on, action.assessment.round if action.assessment
                             else None))
    return held


def reopened_from(action: PlanAction, round_number: int) -> str | None:
    """The status a tracked action had before closing round `round_number` re-opened it for
    that round (None: that round did not re-open it)."""
    events = sorted(action.events, key=lambda e: e.id)
    marks = [n for n, e in enumerate(events) if e.field == "round" and e.after == str(round_number)]
    if not marks:
        return None
    before = events[:marks[-1]]
    return next((e.before for e in reversed(before) if e.field == "status"), action.status)


def previous_closed(db: Session, assessment: Assessment) -> Assessment | None:
    """The municipality's last closed round before `assessment`, if any."""
    return db.scalars(select(Assessment).where(
        Assessment.municipality_id == assessment.municipality_id,
        Assessment.status == Status.CLOSED, Assessment.round < assessment.round)
        .order_by(Assessment.round.desc()).limit(1)).first()


def scores_of(db: Session, assessment: Assessment | None) -> dict[str, float | None]:
    """A closed round's stored score per dimension ({} for no round)."""
    if assessment is None:
        return {}
    rows = db.execute(select(Score.dimension, Score.score)
                      .where(Score.assessment_id == assessment.id))
    return {dimension: score for dimension, score in rows}


def facts_of(q: Questionnaire, assessment: Assessment | None) -> RoundFacts | None:
    """A closed round's comparison facts from its stored result (None: no round or result)."""
    if assessment is None or assessment.result is None:
        return None
    return stored_facts(q, assessment.round, assessment.result.result or {},
                        workshop=assessment.mode == Mode.WORKSHOP)


def workshop_ratings(db: Session, assessment: Assessment,
                     responses: Sequence[Response] | None = None) -> dict[str, dict[str, Any]]:
    """{agency: {item id: {option value: participants}}}: the counted workshop responses'
    participants' ratings given before agreeing (consensus mode); no names exist to read."""
    kept = retained_input(assessment)
    if kept is not None and "ratings" in kept:
        return {str(a): dict(r) for a, r in (kept["ratings"] or {}).items()}
    agreed = workshop_agencies(assessment)
    return {r.agency: dict(r.ratings or {}) for r in _counted(db, assessment, responses)
            if r.agency in agreed and r.ratings}


def sent_to(db: Session, assessment: Assessment,
            responses: Sequence[Response] | None = None) -> dict[str, int | None]:
    """Per agency, the practitioners its links were stated to go to (None when a link that
    took answers has no stated size; an unused link without one is left out): published
    beside the respondents, so that the agencies reading the results can see a size stated
    larger than they know it to be. A reissued link counts once (`link_places.link_sizes`)."""
    kept = retained_input(assessment)
    if kept is not None and "sent_to" in kept:
        return {str(a): None if n is None else int(n) for a, n in kept["sent_to"].items()}
    used = Counter(r.invitation_id for r in _counted(db, assessment, responses))
    return link_places.link_sizes(db, assessment, lambda invitation: used[invitation.id])


def run_by(db: Session, assessment: Assessment) -> str | None:
    """Who ran the round, from its organiser's role: an advisor is a mobile team, a
    municipality coordinator the municipality itself; unknown otherwise."""
    if assessment.created_by_id is None:
        return None
    creator = db.get(User, assessment.created_by_id)
    roles = {Role.ADVISOR: "mobile_team", Role.MUNICIPALITY_COORDINATOR: "municipality"}
    return roles.get(Role(creator.role)) if creator is not None else None


def close_assessment(db: Session, assessment: Assessment) -> Result:
    """Close the assessment: score it and store its scores, result and roadmap.

    The assessment's row is locked first, so a second, concurrent close waits and is refused.
    """
    lock(db, assessment)
    require_open(assessment)
    if not counted_responses(db, assessment):
        raise ServiceError(_l("No submitted answers yet: there is nothing to score"))
    assessment.closed_at = _now()  # first: the roadmap's due dates count from it
    q, published = publish_assessment(db, assessment)
    result = published.result  # stored as published: the API and national figures read these
    roadmap = published.roadmap or replace(build_roadmap(q, result), actions=())
    assessment.status = Status.CLOSED
    for dimension in result.dimensions:
        db.add(Score(assessment=assessment, dimension=dimension.id, score=dimension.score,
                     level=dimension.level, answered_share=dimension.answered_share,
                     dont_know_share=dimension.dont_know_share, spread=dimension.spread,
                     divergent=dimension.divergent))
    db.add(AssessmentResult(assessment=assessment, respondents=result.respondents,
                            overall=result.overall, stage=result.stage,
                            result={**result_to_dict(result), **published_to_dict(published)},
                            roadmap=roadmap_to_dict(roadmap)))
    db.add_all(AssessmentFinding(assessment_id=assessment.id, kind=kind, finding=ident)
               for kind, ident in finding_rows(result))
    db.flush()
    return result
