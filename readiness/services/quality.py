"""Quality of the stored answers: the submitted responses of closed assessments as plain
answers for the pure consistency figures (readiness.core.consistency). Reads only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.core.consistency import Alpha, dimension_alphas
from readiness.core.questionnaire import Questionnaire
from readiness.core.scoring import Answer
from readiness.models import Assessment, AssessmentResult, Response, ResponseStatus, Status


def stored_answers(db: Session, q: Questionnaire) -> tuple[list[Answer], int]:
    """Scored answers of every submitted response to a closed assessment on `q`'s version
    (for a round the retention period reduced, the answers kept for its results), and the
    number of assessments they come from."""
    rows = db.execute(
        select(Response.id, Response.agency, Response.answers, Response.assessment_id)
        .join(Assessment, Assessment.id == Response.assessment_id)
        .where(Assessment.questionnaire_id == q.id, Assessment.questionnaire_version == q.version,
               Assessment.status == Status.CLOSED, Response.status == ResponseStatus.SUBMITTED)
        .order_by(Response.id))
    answers: list[Answer] = []
    assessments: set[int] = set()
    for response_id, agency, values, assessment_id in rows:
        assessments.add(assessment_id)
        answers += [Answer(str(response_id), agency, item, value)
                    for item, value in values.items() if isinstance(value, str)]
    kept = db.execute(
        select(AssessmentResult.assessment_id, AssessmentResult.retained)
        .join(Assessment, Assessment.id == AssessmentResult.assessment_id)
        .where(Assessment.questionnaire_id == q.id, Assessment.questionnaire_version == q.version,
               AssessmentResult.retained.is_not(None)))
    for assessment_id, retained in kept:  # rounds the retention period reduced
        assessments.add(assessment_id)
        answers += [Answer(f"{assessment_id}:{r}", str(a), str(i), str(v))
                    for r, a, i, v in (retained or {}).get("answers") or []]
    return answers, len(assessments)


def consistency(db: Session, q: Questionnaire) -> tuple[list[Alpha], int]:
    """Cronbach's alpha per dimension over the stored answers, and how many assessments."""
    answers, assessments = stored_answers(db, q)
    return dimension_alphas(q, answers), assessments
