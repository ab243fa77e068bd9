"""Consensus mode (after SCIROCCO): workshop participants rate each statement first, counted per
answer and never by name; the page shows the spread before the agency agrees; results use the
agreed answer and say where consensus was hard, with counts only where enough people rated."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core import consensus
from readiness.core.questionnaire import Questionnaire
from readiness.models import Assessment, Mode
from readiness.services import assessments as services
from readiness.services import survey as services_survey
from readiness.services.assessments import ServiceError
from readiness.web.forms import item_field, rating_field
from readiness.web.report_download import roadmap_html
from readiness.web.results import ScoredAssessment
from tests.web_helpers import (
    answer_all,
    csrf_from,
    fresh,
    login,
    make_assessment,
    make_municipality,
    make_user,
)


def test_the_spread_counts_the_scale_points_between_the_lowest_and_highest_rating(
        questionnaire: Questionnaire):
    item = questionnaire.doc.items[0].id
    wide = consensus.spread(questionnaire, "police", item,
                            {"strongly_disagree": 1, "agree": 3, "dont_know": 1})
    assert (wide.lowest, wide.highest, wide.points, wide.participants) == (
        "strongly_disagree", "agree", 3, 5)
    assert wide.hard
    near = consensus.spread(questionnaire, "police", item, {"disagree": 2, "agree": 2})
    assert (near.points, near.hard) == (2, False)
    assert "from Strongly disagree to Agree, 3 points apart" in consensus.describe(
        questionnaire, wide)


def test_counts_are_published_only_for_statements_enough_participants_rated(
        questionnaire: Questionnaire):
    first, second = (i.id for i in questionnaire.doc.items[:2])
    ratings = {"police": {first: {"strongly_disagree": 2, "strongly_agree": 2},
                          second: {"strongly_disagree": 1, "agree": 1}},
               "health": {first: {"agree": 4}}}
    found = consensus.consensus(questionnaire, ratings, shown=("police", "health"))
    assert (found.rated, found.hard) == (3, 2)
    assert [(s.agency, s.item) for s in found.details] == [("police", first)]  # 2 people: no
    assert consensus.consensus(questionnaire, ratings, shown=()).details == ()


def _round(session: Session) -> Assessment:
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"),
                                    mode=Mode.WORKSHOP)
    return assessment


def test_ratings_are_stored_as_counts_and_refused_when_not_a_rating_of_the_statement(
        session: Session, questionnaire: Questionnaire):
    assessment = _round(session)
    item = questionnaire.doc.items[0].id
    response = services_survey.save_workshop(session, questionnaire, assessment, "police", {}, {},
                                             {item: {"agree": 3, "disagree": 0}})
    assert response.ratings == {item: {"agree": 3}}
    for wrong in ({item: {"maybe": 1}}, {item: {"agree": -1}}, {"no_such_item": {"agree": 1}}):
        with pytest.raises(ServiceError):
            services_survey.save_workshop(session, questionnaire, assessment, "police", {}, {},
                                          wrong)


def test_the_workshop_page_records_ratings_first_and_shows_their_spread_before_agreeing(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment = _round(session)
    login(client, "admin")
    page = f"/assessments/{assessment.public_id}/workshop/police"
    html = client.get(page).get_data(as_text=True)
    item = questionnaire.doc.items[0].id
    assert f'name="{rating_field(item, "strongly_disagree")}"' in html
    assert "How many participants gave each rating?" in html
    saved = client.post(page, data={
        "csrf_token": csrf_from(html), rating_field(item, "strongly_disagree"): "1",
        rating_field(item, "agree"): "3", "section": questionnaire.doc.items[0].dimension})
    assert saved.status_code == 302
    again = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Strongly disagree 1, Agree 3: from Strongly disagree to Agree, 3 points apart." in again
    assert "The ratings are far apart: talk this statement through before agreeing." in again
    assert not re.search(rf'name="{item_field(item)}" value="[a-z_]+" checked', again)
    token = csrf_from(again)
    auto = client.post(f"{page}/autosave", data={"csrf_token": token,
                                                 rating_field(item, "agree"): "2"})
    assert auto.get_json()["spreads"][item]["text"] == "Agree 2: all ratings alike."
    refused = client.post(page, data={"csrf_token": token, rating_field(item, "agree"): "lots"})
    assert refused.status_code == 400
    assert "Statement 1: give the number of participants as a whole number" in refused.get_data(
        as_text=True)


def _close_with_ratings(session: Session, questionnaire: Questionnaire,
                        participants: int) -> Assessment:
    assessment = _round(session)
    item = questionnaire.doc.items[0].id
    wide = {"strongly_disagree": participants - 1, "strongly_agree": 1}
    for agency in ("police", "health"):
        services_survey.save_workshop(session, questionnaire, assessment, agency,
                                      answer_all(questionnaire, "agree"), {}, {item: wide})
    services.close_assessment(session, assessment)
    session.commit()
    return assessment


def test_results_and_pdf_say_where_consensus_was_hard_with_counts_when_enough_rated(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment = _close_with_ratings(session, questionnaire, participants=4)
    login(client, "admin")
    html = client.get(f"/assessments/{assessment.public_id}/results").get_data(as_text=True)
    assert "Where consensus was hard" in html
    assert "Consensus was hard on 2 of 2 statements rated" in html
    assert "Strongly disagree 3, Strongly agree 1: from Strongly disagree to Strongly agree" in html
    fresh(session)
    found = session.get(Assessment, assessment.id)
    assert found is not None
    q, published = services.publish_assessment(session, found)
    report = roadmap_html(session, ScoredAssessment(found, q, published))
    assert "Where consensus was hard" in report
    assert "Strongly disagree 3, Strongly agree 1" in report
    assert published.result.items[questionnaire.doc.items[0].id].score == pytest.approx(0.75)


def test_a_small_group_s_ratings_are_never_shown_only_how_many_statements_were_hard(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment = _close_with_ratings(session, questionnaire, participants=2)
    login(client, "admin")
    html = client.get(f"/assessments/{assessment.public_id}/results").get_data(as_text=True)
    assert "Consensus was hard on 2 of 2 statements rated" in html
    assert "Strongly disagree 1, Strongly agree 1" not in html
    assert "ratings are shown only when at least 3 participants" in html
