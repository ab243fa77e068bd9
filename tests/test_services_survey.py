"""The respondent's and the workshop's use cases."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.models import Mode, ResponseStatus
from readiness.services import assessments as services
from readiness.services import survey as services_survey
from readiness.tokens import hash_token
from tests.web_helpers import answer_all, make_assessment, make_municipality


def test_a_token_finds_its_invitation_and_nothing_else_does(session: Session):
    assessment, tokens = make_assessment(session, make_municipality(session), ("police",))
    found = services_survey.find_invitation(session, tokens["police"])
    assert found is not None
    assert found.agency == "police"
    assert services_survey.find_invitation(session, tokens["police"][:-1]) is None
    assert services_survey.find_invitation(session, "") is None
    assert services_survey.find_invitation(session, "x" * 500) is None


def test_each_browser_secret_finds_only_its_own_response(session: Session):
    _, tokens = make_assessment(session, make_municipality(session), ("police",))
    invitation = services_survey.find_invitation(session, tokens["police"])
    assert invitation is not None
    first, first_secret = services_survey.start_response(session, invitation)
    second, second_secret = services_survey.start_response(session, invitation)
    assert first.resume_hash == hash_token(first_secret)
    assert services_survey.find_response(session, invitation, first_secret) is first
    assert services_survey.find_response(session, invitation, second_secret) is second
    assert services_survey.find_response(session, invitation, "guess") is None
    assert services_survey.find_response(session, invitation, None) is None


def test_saving_merges_answers_and_an_empty_comment_removes_it(
        session: Session, questionnaire: Questionnaire):
    _, tokens = make_assessment(session, make_municipality(session), ("police",))
    invitation = services_survey.find_invitation(session, tokens["police"])
    assert invitation is not None
    response, _ = services_survey.start_response(session, invitation)
    first, second = (i.id for i in questionnaire.doc.items[:2])
    services_survey.save_answers(questionnaire, response, {first: "agree"}, {"trust": "Good"})
    services_survey.save_answers(questionnaire, response, {second: "dont_know"}, {"trust": " "})
    assert response.answers == {first: "agree", second: "dont_know"}
    assert response.comments == {}
    assert services_survey.missing(questionnaire, response) == [
        i.id for i in questionnaire.doc.items[2:]]


def test_unknown_statements_and_answers_are_refused(session: Session,
                                                    questionnaire: Questionnaire):
    _, tokens = make_assessment(session, make_municipality(session), ("police",))
    invitation = services_survey.find_invitation(session, tokens["police"])
    assert invitation is not None
    response, _ = services_survey.start_response(session, invitation)
    item = questionnaire.doc.items[0].id
    context_item = questionnaire.doc.context[0].id
    for answers in ({item: "maybe"}, {"no_such_item": "agree"}, {context_item: "none"}):
        with pytest.raises(services.ServiceError):
            services_survey.save_answers(questionnaire, response, answers, {})
    assert response.answers == {}


def test_a_response_is_submitted_once(session: Session, questionnaire: Questionnaire):
    _, tokens = make_assessment(session, make_municipality(session), ("police",))
    invitation = services_survey.find_invitation(session, tokens["police"])
    assert invitation is not None
    response, _ = services_survey.start_response(session, invitation)
    services_survey.save_answers(questionnaire, response, answer_all(questionnaire, "agree"), {})
    assert services_survey.submit_response(session, response) is True
    assert services_survey.submit_response(session, response) is False
    assert response.status == ResponseStatus.SUBMITTED
    with pytest.raises(services.ServiceError, match="already sent"):
        services_survey.save_answers(questionnaire, response, {}, {})


def test_a_closed_or_revoked_link_takes_no_new_response(session: Session):
    assessment, tokens = make_assessment(session, make_municipality(session), ("police",))
    invitation = assessment.invitations[0]
    services.revoke_invitation(invitation)
    assert not services_survey.accepts_answers(invitation)
    with pytest.raises(services.ServiceError, match="closed"):
        services_survey.start_response(session, invitation)


def test_a_workshop_records_one_agreed_response_per_agency_and_corrects_it(
        session: Session, questionnaire: Questionnaire):
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"),
                                    mode=Mode.WORKSHOP)
    first = services_survey.save_workshop(session, questionnaire, assessment, "police",
                                          answer_all(questionnaire, "agree"), {"trust": "Fine"})
    again = services_survey.save_workshop(session, questionnaire, assessment, "police",
                                          answer_all(questionnaire, "disagree"), {})
    assert first is again
    assert again.status == ResponseStatus.SUBMITTED
    assert set(again.answers.values()) == set(answer_all(questionnaire, "disagree").values())
    assert again.comments == {}
    with pytest.raises(services.ServiceError, match="does not take part"):
        services_survey.save_workshop(session, questionnaire, assessment, "justice", {}, {})
