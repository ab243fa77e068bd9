"""A stated link size is published beside the respondents it brought, on the results page and
in the PDF: an organiser who states a false size to pad an agency past the group threshold is
then read by that agency's own people, who know how many of them were asked."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.models import Assessment
from readiness.services import assessments as services
from readiness.services import survey as survey_services
from readiness.web.report_download import roadmap_html
from readiness.web.results import ScoredAssessment
from tests.web_helpers import (
    answer_all,
    audited,
    fresh,
    login,
    make_assessment,
    make_municipality,
    make_user,
    post_form,
)

pytestmark = pytest.mark.db
VALUES = ("agree", "neither", "disagree", "strongly_agree", "strongly_disagree")


def _answered(session: Session, assessment: Assessment, agency: str, people: int,
              size: int | None) -> None:
    q = get_questionnaire()
    link, _ = services.new_invitation(session, assessment, agency, capacity=size)
    for n in range(people):
        response, _secret = survey_services.start_response(session, link)
        survey_services.save_answers(q, response, answer_all(
            q, lambda item, n=n: VALUES[(sum(map(ord, item)) + n) % 5]), {})
        survey_services.submit_response(session, response)


def test_results_page_and_pdf_print_each_agencys_stated_link_size(
        app: Flask, client: FlaskClient, session: Session):
    assessment, _ = make_assessment(session, make_municipality(session),
                                    ("police", "health", "education"))
    _answered(session, assessment, "police", 3, 40)  # said to reach 40 officers; 3 answered
    _answered(session, assessment, "health", 5, 6)
    _answered(session, assessment, "education", 5, None)
    services.close_assessment(session, assessment)
    session.commit()
    public_id = assessment.public_id
    session.rollback()
    make_user(session, "organiser")
    login(client, "organiser")
    page = client.get(f"/assessments/{public_id}/results").get_data(as_text=True)
    assert "Police 3 <span class=\"small\">(of 40 practitioners the links went to)</span>" in page
    assert "(of 6 practitioners the links went to)" in page
    assert "Education and schools 5 <span class=\"small\">(link size not stated)</span>" in page
    with app.test_request_context():
        closed = session.get(Assessment, assessment.id)
        assert closed is not None
        q, published = services.publish_assessment(session, closed)
        html = roadmap_html(session, ScoredAssessment(closed, q, published))
    assert "3 <span class=\"ev\">of 40 practitioners the links went to</span>" in html
    assert "link size not stated" in html
    assert published.sent_to == {"police": 40, "health": 6, "education": None}


def test_who_stated_a_link_size_is_in_the_audit_log(client: FlaskClient, session: Session):
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"))
    link = next(i for i in assessment.invitations if i.agency == "police")
    page, target = (f"/assessments/{assessment.public_id}",
                    f"/invitations/{link.public_id}/capacity")
    session.rollback()
    make_user(session, "organiser")
    login(client, "organiser")
    assert post_form(client, page, {"capacity": 40}, to=target).status_code == 302
    fresh(session)
    logged = session.scalars(audited()).all()
    assert [(e.action, e.actor, e.detail) for e in logged] == [
        ("link_size_set", "organiser", "police, sent to 40")]


def test_a_round_without_any_stated_link_size_says_so_once(
        client: FlaskClient, session: Session):
    assessment, _ = make_assessment(session, make_municipality(session),
                                    ("police", "health", "education"))
    for agency in ("police", "health", "education"):
        _answered(session, assessment, agency, 3, None)
    services.close_assessment(session, assessment)
    session.commit()
    public_id = assessment.public_id
    make_user(session, "organiser")
    login(client, "organiser")
    page = client.get(f"/assessments/{public_id}/results").get_data(as_text=True)
    assert "link size not stated" not in page
    assert page.count("did not state how many practitioners the links went to") == 1
