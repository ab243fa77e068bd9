"""Sending an answer and closing or cancelling its round never interleave: the round's row
lock makes one wait for the other (PostgreSQL row locks; SQLite's single writer)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.db import get_db
from readiness.models import Response, ResponseStatus
from readiness.services import assessments as services
from readiness.services import survey as services_survey
from tests.web_helpers import answer_all, make_assessment, make_municipality

pytestmark = pytest.mark.db


def impatient(app: Flask, db: Session) -> None:
    """Make `db` give up after 200 ms waiting for a lock, instead of waiting its turn."""
    if get_db(app).is_sqlite:
        db.connection().exec_driver_sql("PRAGMA busy_timeout = 200")
    else:
        db.execute(text("SET lock_timeout = '200ms'"))


def test_an_answer_cannot_be_sent_while_its_round_is_being_cancelled_or_closed(
        app: Flask, session: Session):
    q = get_questionnaire()
    assessment, _ = make_assessment(session, make_municipality(session), ("police",))
    response, _ = services_survey.start_response(session, assessment.invitations[0])
    services_survey.save_answers(q, response, answer_all(q, "agree"), {})
    session.commit()
    database = get_db(app)

    with database.sessions() as cancelling, database.sessions() as sending:
        database.begin_write(cancelling)
        services.lock(cancelling, cancelling.get(type(assessment), assessment.id))
        impatient(app, sending)
        waiting = sending.get(Response, response.id)
        assert waiting is not None
        with pytest.raises(OperationalError):  # it must wait for the cancel or close to end
            services_survey.submit_response(sending, waiting)
        sending.rollback()
        cancelling.rollback()  # the round stays open after all...

        again = sending.get(Response, response.id)
        assert again is not None
        assert services_survey.submit_response(sending, again)  # ...so the answer goes
        sending.commit()
    assert session.scalar(select(func.count()).select_from(Response).where(
        Response.status == ResponseStatus.SUBMITTED)) == 1
