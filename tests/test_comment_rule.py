"""Comments are quoted only from agencies with `min_comment_group` respondents (or agreed in a
workshop); the results page and the report say that rule, and whose comments it held back."""

from __future__ import annotations

import html
import re
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.models import Assessment, Mode
from readiness.services import assessments as services
from readiness.web.forms import item_field
from readiness.web.report_download import roadmap_html
from readiness.web.results import ScoredAssessment
from tests.test_survey_privacy import _notice, link  # noqa: F401  (its fixture)
from tests.web_helpers import (
    add_responses,
    answer_all,
    fresh,
    login,
    make_municipality,
    make_user,
    post_form,
)

RULE = ("Comments are shown only from agencies with at least 5 respondents or recorded in the "
        "workshop, so that a comment cannot be traced to a person.")
HELD = "The comments of Education and schools are not shown."


def _closed(client: FlaskClient, session: Session, q: Questionnaire) -> tuple[Assessment, str]:
    """A mixed round: Police 5 answers, Education 4 (shown, too few for comments), Health agreed
    in the workshop; each wrote a comment on the first dimension. Returns it and its results."""
    make_user(session, "admin")
    assessment, _ = services.create_assessment(
        session, make_municipality(session), q=q, agencies=("police", "health", "education"),
        mode=Mode.SURVEY, conducted_on=date(2026, 3, 1), in_workshop=("health",))
    session.commit()
    first = q.doc.dimensions[0].id
    add_responses(session, assessment, "police", 5, "agree", {first: "Police comment"})
    add_responses(session, assessment, "education", 4, "disagree", {first: "Education comment"})
    login(client, "admin")
    data = {item_field(k): v for k, v in answer_all(q, "strongly_agree").items()}
    assert post_form(client, f"/assessments/{assessment.public_id}/workshop/health",
                     data).status_code == 302
    closed = post_form(client, f"/assessments/{assessment.public_id}/close")
    assert closed.status_code == 302
    return assessment, html.unescape(client.get(closed.headers["Location"]).get_data(
        as_text=True))


def test_the_results_page_says_the_comment_rule_and_whose_comments_it_held_back(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    _assessment, page = _closed(client, session, questionnaire)
    assert "Police comment" in page
    assert "Education comment" not in page  # the privacy rule stays
    assert RULE in page, re.findall(r"Comments are shown[^<]*", page)
    assert HELD in page, re.findall(r"Comments are shown[^<]*", page)
    assert "from agencies with enough respondents to be shown" not in page


def test_the_report_says_the_comment_rule_and_whose_comments_it_held_back(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, _page = _closed(client, session, questionnaire)
    fresh(session)
    found = session.get(Assessment, assessment.id)
    assert found is not None
    q, published = services.publish_assessment(session, found)
    assert "education" in published.shown
    report = html.unescape(roadmap_html(session, ScoredAssessment(found, q, published)))
    assert "Education comment" not in report
    assert RULE in report
    assert HELD in report


def test_the_results_page_names_every_held_back_agency_in_the_reader_s_language(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, _page = _closed(client, session, questionnaire)
    page = html.unescape(client.get(f"/assessments/{assessment.public_id}/results?lang=nl")
                         .get_data(as_text=True))
    assert "Education comment" not in page
    rule = re.search(r'<h2 id="comments">[^<]*</h2>\s*<p class="measure">([^<]*)</p>', page)
    assert rule is not None
    assert "Onderwijs en scholen" in rule.group(1)
    assert "Education and schools" not in rule.group(1)


def test_the_survey_s_privacy_notice_promises_the_comment_rule_that_is_applied(
        client: FlaskClient, link: str, questionnaire: Questionnaire):  # noqa: F811
    notice = _notice(client, link)
    comments = questionnaire.doc.settings.min_comment_group
    assert comments == 5
    assert f"its comments only when at least {comments} did" in notice


def test_a_survey_round_names_every_agency_whose_comments_are_held_back(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment, _ = services.create_assessment(
        session, make_municipality(session), q=questionnaire,
        agencies=("police", "health", "education"), mode=Mode.SURVEY,
        conducted_on=date(2026, 3, 1))
    session.commit()
    first = questionnaire.doc.dimensions[0].id
    add_responses(session, assessment, "police", 4, "agree", {first: "Police comment"})
    add_responses(session, assessment, "health", 4, "disagree", {first: "Health comment"})
    add_responses(session, assessment, "education", 3, "agree", {first: "School comment"})
    login(client, "admin")
    closed = post_form(client, f"/assessments/{assessment.public_id}/close")
    assert closed.status_code == 302
    page = html.unescape(client.get(closed.headers["Location"]).get_data(as_text=True))
    assert "Scores by agency" in page  # the three are shown separately
    assert not any(f"{who} comment" in page for who in ("Police", "Health", "School"))
    assert ("Comments are shown only from agencies with at least 5 respondents, so that a "
            "comment cannot be traced to a person. The comments of these 3 agencies are not "
            "shown: Police, Health and mental health care, Education and schools.") in page
