"""Erasing a round or a municipality for good (a retention rule, an erasure request).

Apart from `assessments.py` because it deletes, like `rounds.py`. Everything a round holds goes
with it in the caller's one transaction: responses (answers, comments), invitation links, stored
scores, result and findings, and share links. The tracked plan actions it proposed stay, with
their history: they are the municipality's living roadmap, which later rounds follow up, and
now name no round (`PlanAction.assessment_id` NULL). A municipality takes its rounds, plan
(actions and history) and advisors' assignments with it. The audit log keeps one
event per deleted object (by public id, never content). Deletions are explicit statements, so
they do not depend on the database's ON DELETE rules. The caller removes the cached PDFs of the
returned rounds (`tasks.forget_round`). The national views see the change at their next
request: their fingerprint (`national.query.data_version`) counts closed rounds and
municipalities.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from readiness.models import (
    Assessment,
    AssessmentFinding,
    AssessmentResult,
    Invitation,
    Municipality,
    PlanAction,
    PlanEvent,
    Response,
    Score,
    ShareLink,
    User,
    advisor_assignment,
)
from readiness.services.assessments import ServiceError, lock, record_audit
from readiness.translate import lazy_gettext as _l

_FETCH = {"synchronize_session": "fetch"}


def confirmed(typed: str, name: str) -> bool:
    """Whether `typed` is the name `name` (case and spacing aside): the deletion is confirmed."""
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold()


def tracked_actions(db: Session, assessment: Assessment) -> int:
    """How many tracked plan actions the round proposed (they stay in the plan when it goes)."""
    return db.scalar(select(func.count()).select_from(PlanAction)
                     .where(PlanAction.assessment_id == assessment.id)) or 0


def _delete_round_rows(db: Session, assessment: Assessment) -> int:
    """Delete everything the round holds (not the round) and detach the plan actions it
    proposed, which stay; how many responses went."""
    ident = assessment.id
    responses = db.scalar(select(func.count()).select_from(Response)
                          .where(Response.assessment_id == ident)) or 0
    for statement in (update(PlanAction).where(PlanAction.assessment_id == ident)
                      .values(assessment_id=None),
                      delete(ShareLink).where(ShareLink.assessment_id == ident),
                      delete(AssessmentFinding).where(AssessmentFinding.assessment_id == ident),
                      delete(Score).where(Score.assessment_id == ident),
                      delete(AssessmentResult).where(AssessmentResult.assessment_id == ident),
                      delete(Response).where(Response.assessment_id == ident),
                      delete(Invitation).where(Invitation.assessment_id == ident)):
        db.execute(statement, execution_options=_FETCH)
    return responses


def delete_round(db: Session, actor: User | None, assessment: Assessment) -> str:
    """Delete a round, open or closed, with everything it holds but the plan actions it
    proposed (they stay in the municipality's plan); audited. Its public id."""
    lock(db, assessment)
    municipality = assessment.municipality
    public_id = assessment.public_id
    kept = tracked_actions(db, assessment)
    responses = _delete_round_rows(db, assessment)
    record_audit(db, actor, "round_deleted", assessment, municipality,
                 detail=f"round {assessment.round}, {assessment.status}, "
                        f"{responses} responses, {kept} tracked actions kept in the plan")
    db.expire(assessment, ["invitations", "responses", "scores", "result"])
    db.delete(assessment)
    db.flush()
    db.expire(municipality, ["assessments"])
    return public_id


def delete_municipality(db: Session, actor: User | None, municipality: Municipality) -> list[str]:
    """Delete a municipality with its rounds, plan and assignments; audited. The public ids of
    its deleted rounds. Refused while a coordinator account belongs to it."""
    lock(db, municipality)
    coordinators = db.scalars(select(User.username).where(
        User.municipality_id == municipality.id).order_by(User.username)).all()
    if coordinators:
        raise ServiceError(_l("Delete or move these accounts of the municipality first: "
                              "%(names)s", names=", ".join(coordinators)))
    rounds = list(db.scalars(select(Assessment).where(
        Assessment.municipality_id == municipality.id).order_by(Assessment.round)))
    erased = [delete_round(db, actor, assessment) for assessment in rounds]
    actions = select(PlanAction.id).where(PlanAction.municipality_id == municipality.id)
    db.execute(delete(PlanEvent).where(PlanEvent.plan_action_id.in_(actions)),
               execution_options=_FETCH)
    db.execute(delete(PlanAction).where(PlanAction.municipality_id == municipality.id),
               execution_options=_FETCH)
    db.execute(delete(advisor_assignment).where(
        advisor_assignment.c.municipality_id == municipality.id))
    record_audit(db, actor, "municipality_deleted", municipality,
                 detail=f"{municipality.name} ({municipality.country}), {len(erased)} rounds")
    for user in db.identity_map.values():
        if isinstance(user, User):
            db.expire(user, ["assigned"])
    db.delete(municipality)
    db.flush()
    return erased
