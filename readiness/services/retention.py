"""The retention period of responses: remove the raw responses of rounds closed long ago.

`RETENTION_RESPONSES_DAYS` after a round closed, `apply` deletes its responses: every record a
respondent left (comments, the hash of their browser's secret, dates, language, links, answers
started but never sent or left out by the organiser). What the round's pages and PDF are made
from is kept on its stored result (`AssessmentResult.retained`): the counted answers as rows
of (response number, agency, statement, option) tied to no record any more, and the
practitioners per agency. So the results page, the API, the roadmap PDF and the plan read
exactly as before, in every language. Open rounds are never touched. Flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from readiness.models import Assessment, AssessmentResult, Response, Status, User
from readiness.services.assessments import (
    ServiceError,
    counted_responses,
    practitioners_by_agency,
    questionnaire_of,
    record_audit,
    sent_to,
    submitted_answers,
    workshop_ratings,
)
from readiness.services.audit import record


def period_days(value: object) -> int | None:
    """The configured period in days (None: off); a ServiceError for anything but a whole
    number of days of at least 1."""
    if value is None or str(value).strip() == "":
        return None
    try:
        days = int(str(value).strip())
    except ValueError:
        days = 0
    if days < 1:
        raise ServiceError(f"RETENTION_RESPONSES_DAYS must be a whole number of days, not "
                           f"{value!r}")
    return days


@dataclass(frozen=True)
class Due:
    """A closed round whose responses the period has passed, and how many it holds."""

    assessment: Assessment
    responses: int


def due(db: Session, days: int, now: datetime | None = None) -> list[Due]:
    """The closed rounds closed more than `days` ago that still hold responses, oldest first."""
    before = (now or datetime.now(UTC)) - timedelta(days=days)
    counts = (select(Response.assessment_id, func.count().label("n"))
              .group_by(Response.assessment_id).subquery())
    rows = db.execute(select(Assessment, counts.c.n)
                      .join(counts, counts.c.assessment_id == Assessment.id)
                      .where(Assessment.status == Status.CLOSED,
                             Assessment.closed_at < before)
                      .order_by(Assessment.closed_at, Assessment.id))
    return [Due(assessment, int(n)) for assessment, n in rows]


def kept_input(db: Session, assessment: Assessment) -> dict[str, object]:
    """What a round's views are made from, to keep once its responses go."""
    q = questionnaire_of(assessment)
    responses = counted_responses(db, assessment)  # read once for all four
    return {"on": datetime.now(UTC).date().isoformat(),
            "answers": [[a.respondent, a.agency, a.item, a.value]
                        for a in submitted_answers(db, assessment, q, responses)],
            "practitioners": practitioners_by_agency(db, assessment, responses),
            "sent_to": sent_to(db, assessment, responses),
            "ratings": workshop_ratings(db, assessment, responses)}


def remove_responses(db: Session, assessment: Assessment, actor: User | None = None) -> int:
    """Keep the round's scoring input on its result, then delete its responses; audited."""
    stored = db.get(AssessmentResult, assessment.id)
    if stored is None:
        raise ServiceError("a closed round without a stored result cannot be reduced")
    stored.retained = kept_input(db, assessment)
    removed = db.execute(delete(Response).where(Response.assessment_id == assessment.id),
                         execution_options={"synchronize_session": "fetch"})
    count = int(getattr(removed, "rowcount", 0))
    record_audit(db, actor, "responses_removed", assessment, assessment.municipality,
                 detail=f"round {assessment.round}, {count} responses, retention")
    db.expire(assessment, ["responses"])
    return count


def apply(db: Session, days: int, actor: User | None = None,
          now: datetime | None = None) -> list[Due]:
    """Remove the responses of every round the period has passed; the rounds done."""
    done = due(db, days, now)
    for item in done:
        remove_responses(db, item.assessment, actor)
    record(db, actor, "retention_applied",
           detail=f"{len(done)} rounds, {sum(d.responses for d in done)} responses, "
                  f"older than {days} days")
    db.flush()
    return done

