"""What every service module shares: the refusal, the row lock, the clock, the audit record
and the few facts of a round that links, context and closing all read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from readiness.core.consensus import agreed_agencies, is_agreed
from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.models import (
    Assessment,
    Mode,
    Municipality,
    Status,
    User,
)
from readiness.services import audit
from readiness.translate import lazy_gettext as _l


class ServiceError(ValueError):
    """A use case refused; the message can be shown to the user."""


def _now() -> datetime:
    return datetime.now(UTC)


def lock(db: Session, obj: object) -> None:
    """Write pending changes, then re-read `obj` holding its row lock until the transaction ends.

    PostgreSQL takes the row lock (SELECT ... FOR UPDATE); SQLite, whose writers are serialised
    by BEGIN IMMEDIATE, just re-reads. Concurrent read-modify-write use cases lock first.
    """
    db.flush()
    db.refresh(obj, with_for_update=True)


def questionnaire_of(assessment: Assessment) -> Questionnaire:
    """The questionnaire version the assessment was created on."""
    return get_questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)


def workshop_agencies(assessment: Assessment) -> list[str]:
    """The agencies whose agreed answers are recorded in a workshop, in questionnaire order:
    every agency of a workshop round, those chosen of a mixed round, none of a survey round."""
    return agreed_agencies(assessment.mode, assessment.workshop_agencies or (),
                           assessment.agencies)


def records_in_workshop(assessment: Assessment, agency: str) -> bool:
    """Whether an agency's answers are recorded in a workshop (agreed, not sent through a
    link): `readiness.core.consensus.is_agreed`, never whether a response has a link."""
    return agency in assessment.agencies and is_agreed(
        assessment.mode, assessment.workshop_agencies or (), agency)


def is_mixed(assessment: Assessment) -> bool:
    """Some agencies answer through survey links, others are recorded in a workshop."""
    return assessment.mode == Mode.SURVEY and bool(workshop_agencies(assessment))


def require_open(assessment: Assessment) -> None:
    if assessment.status != Status.OPEN:
        raise ServiceError(_l("This assessment is closed"))


def record_audit(db: Session, user: User | None, action: str, obj: Any,
                 municipality: Municipality | None = None, detail: str = "") -> None:
    """Log that `user` did `action` on `obj`, without any content (`services.audit`)."""
    audit.record_object(db, user, action, obj, municipality, detail)
