"""A closed round with everything a round can hold, for the erasure and retention tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from readiness.models import Assessment, Municipality, PlanAction, User
from readiness.services import plans
from tests.web_helpers import add_responses, make_assessment


def closed_round(db: Session, town: Municipality, by: User | None = None,
                 comments: dict[str, str] | None = None, per_agency: int = 3) -> Assessment:
    """A committed closed round of `town`: `per_agency` responses of three agencies (each with
    `comments` if given), stored results, a tracked plan with one edit in its history, and a
    share link."""
    assessment, _links = make_assessment(db, town)
    for agency in ("police", "health", "education"):
        add_responses(db, assessment, agency, per_agency, comments=comments)
    plans.close_with_plan(db, assessment)
    action = db.query(PlanAction).filter_by(assessment_id=assessment.id).first()
    assert action is not None, "closing made no plan"
    plans.update_action(db, action, plans.ActionEdit(status="in_progress"), by)
    plans.create_share_link(db, assessment, by)
    db.commit()
    return assessment
