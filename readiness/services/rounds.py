"""Cancelling an open assessment round made by mistake: it flushes, never commits.

Apart from `services.py` because it deletes: a round, its invitation links and its responses,
in the caller's one transaction.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from readiness.models import Assessment, Invitation, Response, ResponseStatus, Role, User
from readiness.services.assessments import ServiceError, lock, record_audit, require_open
from readiness.translate import lazy_gettext as _l


def may_discard_sent_answers(user: User | None) -> bool:
    """Only an administrator may cancel a round whose answers were already sent."""
    return user is not None and user.active and user.role == Role.ADMIN


def sent_responses(db: Session, assessment: Assessment) -> int:
    """How many responses of the assessment were sent (workshop records count as sent)."""
    return db.scalar(select(func.count()).select_from(Response).where(
        Response.assessment_id == assessment.id,
        Response.status == ResponseStatus.SUBMITTED)) or 0


def cancel_assessment(db: Session, assessment: Assessment, user: User | None, *,
                      discard_sent: bool = False) -> None:
    """Delete an open round made by mistake, with its links and answers; audited.

    A closed round is never cancelled. One with sent answers only by an administrator who
    confirmed it (`discard_sent`). Everything happens in the caller's transaction: deletions are
    flushed, nothing is committed, so a failure at any step leaves the round whole. The round
    number is free again for the municipality's next round.
    """
    lock(db, assessment)
    require_open(assessment)
    sent = sent_responses(db, assessment)
    if sent and not may_discard_sent_answers(user):
        raise ServiceError(_l("Answers were already sent in this round: only an administrator "
                              "can cancel it"))
    if sent and not discard_sent:
        raise ServiceError(_l("Confirm that the answers already sent will be deleted"))
    municipality = assessment.municipality
    fetch = {"synchronize_session": "fetch"}
    db.execute(delete(Response).where(Response.assessment_id == assessment.id),
               execution_options=fetch)
    db.execute(delete(Invitation).where(Invitation.assessment_id == assessment.id),
               execution_options=fetch)
    record_audit(db, user, "round_cancelled_with_sent_answers" if sent else "round_cancelled",
                 assessment, municipality)
    db.expire(assessment, ["invitations", "responses"])
    db.delete(assessment)
    db.flush()
    db.expire(municipality, ["assessments"])
