"""Agreed answers (a workshop agency's, no individual's) are decided by one rule,
`readiness.core.consensus.is_agreed`: the round's mode and workshop agencies, never whether a
response came through a link. A survey agency's response without a link (the demo inserts its
answers so) is a practitioner's: screened as padding, withheld in a small group, never counted
as a workshop's recording."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.consensus import agreed_agencies, is_agreed
from readiness.core.questionnaire import Questionnaire
from readiness.models import Assessment, Mode, Response, ResponseStatus
from readiness.services import assessments as services
from readiness.services import survey as services_survey
from readiness.services.national import disclosed_responses
from readiness.services.screening import flagged_responses
from tests.web_helpers import (
    add_responses,
    answer_all,
    login,
    make_assessment,
    make_municipality,
    make_user,
    post_form,
)

pytestmark = pytest.mark.db
VALUES = ("agree", "neither", "disagree", "strongly_agree", "strongly_disagree")


def _without_link(session: Session, q: Questionnaire, assessment: Assessment, agency: str,
                  count: int, value: str = "strongly_agree") -> None:
    """`count` submitted responses of a survey agency with no link row, as the demo inserts."""
    for _n in range(count):
        session.add(Response(assessment_id=assessment.id, agency=agency,
                             answers=answer_all(q, value), comments={},
                             status=ResponseStatus.SUBMITTED))
    session.commit()


def _mixed(session: Session, q: Questionnaire) -> Assessment:
    """Education recorded in the workshop (first in name order), police and health by survey."""
    assessment, _ = services.create_assessment(
        session, make_municipality(session), q=q, agencies=("police", "health", "education"),
        mode=Mode.SURVEY, conducted_on=date(2026, 3, 1), in_workshop=("education",))
    session.commit()
    services_survey.save_workshop(session, q, assessment, "education",
                                  answer_all(q, "strongly_agree"), {})
    session.commit()
    return assessment


def test_the_rule_reads_the_round_not_the_link():
    assert is_agreed(Mode.WORKSHOP, (), "police")
    assert is_agreed(Mode.SURVEY, ("health",), "health")
    assert not is_agreed(Mode.SURVEY, ("health",), "police")
    assert not is_agreed(Mode.SURVEY, (), "police")  # a demo survey round: nothing agreed
    assert agreed_agencies(Mode.SURVEY, ["education", "police"],
                           ["police", "health", "education"]) == ["police", "education"]
    assert agreed_agencies(Mode.WORKSHOP, [], ["police", "health"]) == ["police", "health"]


def test_a_demo_like_survey_response_without_a_link_is_screened_and_can_be_left_out(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"))
    _without_link(session, questionnaire, assessment, "police", 3)
    for n in range(3):
        add_responses(session, assessment, "health", 1,
                      lambda item, n=n: VALUES[(sum(map(ord, item)) + n) % len(VALUES)])
    make_user(session, "organiser")
    login(client, "organiser")
    close_page = f"/assessments/{assessment.public_id}/close"
    page = client.get(close_page).get_data(as_text=True)
    section = page.split('id="flagged"', 1)[1].split("</section>", 1)[0]
    assert section.count("every statement given the same answer") == 3
    ids = [chunk.split('"', 1)[0] for chunk in section.split('name="exclude" value="')[1:]]
    assert post_form(client, close_page, {"exclude": ids[:2]},
                     to=f"/assessments/{assessment.public_id}/exclude").status_code == 302
    closed = post_form(client, close_page)
    results = client.get(closed.headers["Location"]).get_data(as_text=True)
    assert "4 practitioners in 2 agencies" in results  # police's two left out: 1 + health's 3


def test_a_mixed_round_screens_its_surveyed_link_less_answers_but_never_the_agreed_ones(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment = _mixed(session, questionnaire)
    _without_link(session, questionnaire, assessment, "police", 2)
    flagged = flagged_responses(session, assessment)
    assert sorted(r.agency for r, _why in flagged) == ["police", "police"]
    make_user(session, "organiser")
    login(client, "organiser")
    page = client.get(f"/assessments/{assessment.public_id}/close").get_data(as_text=True)
    section = page.split('id="flagged"', 1)[1].split("</section>", 1)[0]
    assert "Police, flagged response 2" in section
    assert "Education" not in section  # the workshop's agreed answers are no one's padding


def test_a_survey_agency_s_link_less_response_is_not_a_workshop_recording(
        session: Session, questionnaire: Questionnaire):
    assessment = _mixed(session, questionnaire)
    _without_link(session, questionnaire, assessment, "police", 1)
    rows = {row.agency: row for row in services.progress(session, assessment)}
    assert rows["education"].recorded == len(questionnaire.doc.items)
    assert rows["police"].recorded == 0
    assert services_survey.workshop_response(session, assessment, "police") is None
    police = session.query(Response).filter_by(assessment_id=assessment.id,
                                               agency="police").one()
    police.ratings = {questionnaire.doc.items[0].id: {"agree": 2}}  # stray ratings: not a room's
    session.commit()
    assert "police" not in services.workshop_ratings(session, assessment)


def test_each_response_of_a_mixed_round_keeps_its_own_agency_s_flag_in_the_export(
        session: Session, questionnaire: Questionnaire):
    assessment = _mixed(session, questionnaire)
    add_responses(session, assessment, "police", 3, "agree")
    _without_link(session, questionnaire, assessment, "health", 3, "disagree")
    services.close_assessment(session, assessment)
    session.commit()
    flags = {(agency, agreed) for _i, agency, _a, agreed
             in disclosed_responses(session, [assessment.id])}
    assert flags == {("education", True), ("police", False), ("health", False)}


def test_a_demo_like_round_withholds_its_small_group_from_the_respondent_export(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, _ = make_assessment(session, make_municipality(session),
                                    ("police", "health", "education"))
    _without_link(session, questionnaire, assessment, "police", 1, "disagree")
    _without_link(session, questionnaire, assessment, "health", 4, "agree")
    _without_link(session, questionnaire, assessment, "education", 4, "neither")
    services.close_assessment(session, assessment)
    session.commit()
    make_user(session, "admin")
    login(client, "admin")
    body = client.get("/dashboard/respondents.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    agency = rows[0].index("agency")
    assert "Police" not in {row[agency] for row in rows[1:]}
    assert len(rows) - 1 <= 8
