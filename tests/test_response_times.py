"""Responses keep the day only (created, updated, submitted), so no time can be matched with an
access log; a migration coarsens the times stored before."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.db import alembic_config
from readiness.models import Mode, Response, UTCDateTime, day_stamp
from readiness.services import survey as services_survey
from tests.web_helpers import answer_all, fresh, make_assessment, make_municipality

pytestmark = pytest.mark.db
TIMES = ("created_at", "updated_at", "submitted_at")


def _midnight(moment: datetime | None) -> bool:
    return moment is not None and (moment.hour, moment.minute, moment.second,
                                   moment.microsecond) == (0, 0, 0, 0)


def test_a_survey_response_keeps_only_the_day_it_was_started_saved_and_sent(
        session: Session, questionnaire: Questionnaire):
    _, tokens = make_assessment(session, make_municipality(session), ("police",))
    invitation = services_survey.find_invitation(session, tokens["police"])
    assert invitation is not None
    response, _ = services_survey.start_response(session, invitation)
    services_survey.save_answers(questionnaire, response, answer_all(questionnaire, "agree"), {})
    assert services_survey.submit_response(session, response)
    session.commit()
    fresh(session)
    stored = session.get(Response, response.id)
    assert stored is not None
    for column in TIMES:
        assert _midnight(getattr(stored, column)), column
    assert stored.submitted_at == day_stamp()


def test_agreed_workshop_answers_keep_only_the_day(session: Session,
                                                   questionnaire: Questionnaire):
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"),
                                    mode=Mode.WORKSHOP)
    response = services_survey.save_workshop(session, questionnaire, assessment, "police",
                                             answer_all(questionnaire, "agree"), {})
    session.commit()
    fresh(session)
    stored = session.get(Response, response.id)
    assert stored is not None
    assert all(_midnight(getattr(stored, column)) for column in TIMES)


def test_day_stamp_is_the_utc_day_of_the_moment():
    from datetime import timedelta, timezone

    late_in_brussels = datetime(2026, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert day_stamp(late_in_brussels) == datetime(2026, 2, 28, tzinfo=UTC)


def test_the_migration_coarsens_times_stored_before_it(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    config = alembic_config(url)
    command.upgrade(config, "0004")
    engine = sa.create_engine(url)
    table = sa.table("response", sa.column("id", sa.Integer()), sa.column("public_id"),
                     sa.column("assessment_id"), sa.column("agency"), sa.column("status"),
                     sa.column("answers", sa.JSON()), sa.column("comments", sa.JSON()),
                     *(sa.column(c, UTCDateTime()) for c in TIMES))
    fine = datetime(2026, 5, 4, 13, 37, 21, 123456, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(sa.insert(table), [
            {"id": 1, "public_id": "r1", "assessment_id": 1, "agency": "police",
             "status": "submitted", "answers": {}, "comments": {}, "created_at": fine,
             "updated_at": fine, "submitted_at": fine},
            {"id": 2, "public_id": "r2", "assessment_id": 1, "agency": "police",
             "status": "in_progress", "answers": {}, "comments": {}, "created_at": fine,
             "updated_at": fine, "submitted_at": None}])
    command.upgrade(config, "head")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table).order_by(table.c.id)).all()
    day = datetime(2026, 5, 4, tzinfo=UTC)
    assert [(r.created_at, r.updated_at, r.submitted_at) for r in rows] == [
        (day, day, day), (day, day, None)]
    engine.dispose()
