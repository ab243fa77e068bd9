"""A mixed round's results say, beside the group-size rule, that the agencies recorded in the
workshop are shown with a count of 1 (their agreed answer), so the rule reads true."""

from __future__ import annotations

import html
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.models import Assessment, Mode
from readiness.services import assessments as services
from readiness.web.forms import item_field
from readiness.web.report_download import roadmap_html
from readiness.web.results import ScoredAssessment
from tests.web_helpers import (
    add_responses,
    answer_all,
    fresh,
    login,
    make_municipality,
    make_user,
    post_form,
)

pytestmark = pytest.mark.db

RULE = "Agencies with fewer than 3 respondents count in the municipality's figures but are not " \
       "shown separately: Education and schools."
AGREED = "Agencies recorded in the workshop count as 1, their agreed answer, and are shown " \
         "separately: Local authority / city hall, Health and mental health care."


def test_the_results_and_the_roadmap_say_the_workshop_agencies_are_shown_with_their_1(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment, _ = services.create_assessment(
        session, make_municipality(session), q=questionnaire,
        agencies=("local_authority", "police", "health", "education"), mode=Mode.SURVEY,
        conducted_on=date(2026, 3, 1), in_workshop=("local_authority", "health"))
    session.commit()
    add_responses(session, assessment, "police", 3, "agree")
    add_responses(session, assessment, "education", 1, "disagree")
    login(client, "admin")
    data = {item_field(k): v for k, v in answer_all(questionnaire, "agree").items()}
    for agency in ("local_authority", "health"):
        page = f"/assessments/{assessment.public_id}/workshop/{agency}"
        assert post_form(client, page, data).status_code == 302
    closed = post_form(client, f"/assessments/{assessment.public_id}/close")
    results = html.unescape(client.get(closed.headers["Location"]).get_data(as_text=True))
    assert "Local authority / city hall 1" in results
    assert " ".join(f"{RULE} {AGREED}".split()) in " ".join(results.split())
    fresh(session)
    found = session.get(Assessment, assessment.id)
    assert found is not None
    q, published = services.publish_assessment(session, found)
    report = html.unescape(roadmap_html(session, ScoredAssessment(found, q, published)))
    assert AGREED in " ".join(report.split())


def test_a_round_with_no_workshop_agency_says_nothing_of_one(session: Session,
                                                            questionnaire: Questionnaire):
    assessment, _ = services.create_assessment(
        session, make_municipality(session), q=questionnaire,
        agencies=("police", "education"), mode=Mode.SURVEY, conducted_on=date(2026, 3, 1))
    session.commit()
    add_responses(session, assessment, "police", 5, "agree")
    add_responses(session, assessment, "education", 1, "agree")
    services.close_assessment(session, assessment)
    session.commit()
    _q, published = services.publish_assessment(session, assessment)
    texts = published.hidden_texts({}, 3)
    assert texts[0].startswith("Agencies with fewer than 3 respondents")
    assert not any("workshop" in text for text in texts)
