"""The respondent's journey through an invitation link, in the browser's shoes."""

from __future__ import annotations

import time

import itsdangerous.timed
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from readiness.core.questionnaire import Questionnaire
from readiness.models import Response, ResponseStatus
from readiness.services import assessments as services
from readiness.services.survey import pages
from readiness.web.forms import comment_field, item_field
from readiness.web.survey import COOKIE, estimated_minutes
from tests.web_helpers import (
    answer_all,
    csrf_from,
    fresh,
    make_assessment,
    make_municipality,
    page_data,
    post_form,
)


@pytest.fixture
def link(session: Session) -> str:
    """The path of an open survey link for the police."""
    _, tokens = make_assessment(session, make_municipality(session), ("police", "health"))
    return f"/s/{tokens['police']}"


def _responses(session: Session) -> list[Response]:
    fresh(session)
    return list(session.scalars(select(Response).order_by(Response.id)))


def _start(client: FlaskClient, link: str) -> None:
    response = post_form(client, link, to=f"{link}/start")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{link}/page/1"


def _answer_every_page(client: FlaskClient, link: str, q: Questionnaire,
                       value: str = "agree") -> None:
    for number in range(1, len(pages(q)) + 1):
        reply = post_form(client, f"{link}/page/{number}", page_data(q, number, value))
        assert reply.status_code == 302, reply.get_data(as_text=True)


def test_the_start_page_says_what_for_how_long_and_that_answers_are_anonymous(
        client: FlaskClient, link: str):
    response = client.get(link)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "What the survey is for" in html
    assert "How long it takes" in html
    assert "minutes" in html
    assert "How your answers are used" in html
    assert "Your answers are anonymous" in html
    assert "never per person" in html
    assert "Start now" in html
    assert response.headers["Cache-Control"] == "no-store"


def test_the_time_estimate_is_twenty_seconds_a_statement_and_at_least_five_minutes(
        client: FlaskClient, link: str, questionnaire: Questionnaire):
    assert estimated_minutes(35) == 12  # 700 seconds, rounded up
    assert estimated_minutes(36) == 12
    assert estimated_minutes(37) == 13
    assert estimated_minutes(3) == 5
    statements = sum(len(questionnaire.items_of(p.id)) for p in pages(questionnaire))
    html = client.get(link).get_data(as_text=True)
    assert f"About {estimated_minutes(statements)} minutes: {statements} statements" in html


def test_a_practitioner_answers_every_page_checks_and_sends(
        client: FlaskClient, link: str, session: Session, questionnaire: Questionnaire):
    _start(client, link)
    first = client.get(f"{link}/page/1").get_data(as_text=True)
    assert f"Page 1 of {len(pages(questionnaire))}" in first
    assert "<progress" in first
    assert "Don&#39;t know" in first
    assert "<fieldset" in first
    assert "<legend" in first
    _answer_every_page(client, link, questionnaire)
    check = client.get(f"{link}/check").get_data(as_text=True)
    assert "Check your answers" in check
    assert "Not answered" not in check
    sent = post_form(client, f"{link}/check")
    assert sent.status_code == 303
    assert sent.headers["Location"] == f"{link}/thanks"
    assert "your answers are sent" in client.get(f"{link}/thanks").get_data(as_text=True)
    [stored] = _responses(session)
    assert stored.status == ResponseStatus.SUBMITTED
    assert stored.agency == "police"
    assert len(stored.answers) == len(questionnaire.doc.items)


def test_each_page_is_saved_so_a_closed_browser_resumes_from_the_same_link(
        app: Flask, client: FlaskClient, link: str, session: Session,
        questionnaire: Questionnaire):
    _start(client, link)
    post_form(client, f"{link}/page/1", page_data(questionnaire, 1, "disagree", "So far so good"))
    cookie = client.get_cookie(COOKIE, path=link)
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert cookie.expires is not None
    reopened = app.test_client()  # the session cookie is gone, the persistent one stays
    reopened.set_cookie(COOKIE, cookie.value, path=link)
    start = reopened.get(link).get_data(as_text=True)
    assert "Continue where you left off" in start
    assert f'href="{link}/page/2"' in start
    page_one = reopened.get(f"{link}/page/1").get_data(as_text=True)
    assert 'value="disagree" checked' in page_one
    assert "So far so good" in page_one
    [stored] = _responses(session)
    assert stored.comments == {pages(questionnaire)[0].id: "So far so good"}


def test_colleagues_using_the_same_link_get_responses_of_their_own(
        app: Flask, client: FlaskClient, link: str, session: Session,
        questionnaire: Questionnaire):
    colleague = app.test_client()
    _start(client, link)
    _start(colleague, link)
    post_form(client, f"{link}/page/1", page_data(questionnaire, 1, "agree"))
    assert " checked" not in colleague.get(f"{link}/page/1").get_data(as_text=True)
    assert len(_responses(session)) == 2


def test_dont_know_is_always_an_answer(client: FlaskClient, link: str, session: Session,
                                       questionnaire: Questionnaire):
    _start(client, link)
    for number in range(1, len(pages(questionnaire)) + 1):
        page = client.get(f"{link}/page/{number}").get_data(as_text=True)
        dimension = pages(questionnaire)[number - 1]
        for item in questionnaire.items_of(dimension.id):
            assert f'name="{item_field(item.id)}" value="dont_know"' in page
    reply = post_form(client, f"{link}/page/1", page_data(questionnaire, 1, "dont_know"))
    assert reply.status_code == 302
    assert set(_responses(session)[0].answers.values()) == {"dont_know"}


def test_unanswered_statements_are_listed_in_an_error_summary_and_the_rest_is_kept(
        client: FlaskClient, link: str, session: Session, questionnaire: Questionnaire):
    _start(client, link)
    data = page_data(questionnaire, 1, "agree")
    dimension = pages(questionnaire)[0]
    skipped = questionnaire.items_of(dimension.id)[0]
    del data[item_field(skipped.id)]
    reply = post_form(client, f"{link}/page/1", data)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "<title>Error: " in html
    assert 'class="error-summary"' in html
    assert "data-error-summary" in html
    field_id = item_field(skipped.id)
    assert f'<a href="#{field_id}-0">Statement 1: choose an answer' in html
    assert f'id="{field_id}-error"' in html
    assert f'aria-describedby="{field_id}-error"' in html or \
        f'aria-describedby="{field_id}-hint {field_id}-error"' in html
    stored = _responses(session)[0].answers
    assert skipped.id not in stored
    assert len(stored) == len(questionnaire.items_of(dimension.id)) - 1


def test_sending_with_statements_unanswered_points_to_the_pages(
        client: FlaskClient, link: str, session: Session, questionnaire: Questionnaire):
    _start(client, link)
    post_form(client, f"{link}/page/1", page_data(questionnaire, 1))
    reply = post_form(client, f"{link}/check")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "Some statements have no answer yet" in html
    assert f"{link}/page/2?return=check" in html
    assert _responses(session)[0].status == ResponseStatus.IN_PROGRESS


def test_changing_an_answer_from_the_check_page_returns_there(
        client: FlaskClient, link: str, questionnaire: Questionnaire):
    _start(client, link)
    _answer_every_page(client, link, questionnaire)
    reply = post_form(client, f"{link}/page/2?return=check",
                      page_data(questionnaire, 2, "strongly_agree"))
    assert reply.headers["Location"] == f"{link}/check"


def test_save_and_finish_later_keeps_answers_and_explains_how_to_return(
        client: FlaskClient, link: str, session: Session, questionnaire: Questionnaire):
    _start(client, link)
    data = page_data(questionnaire, 1)
    data.popitem()  # the comment
    first_item = next(iter(data))
    reply = post_form(client, f"{link}/page/1", {first_item: "agree", "action": "later"})
    assert reply.headers["Location"] == f"{link}/saved"
    assert "open the same link again" in client.get(f"{link}/saved").get_data(as_text=True)
    assert len(_responses(session)[0].answers) == 1


def test_a_second_submit_or_double_click_stores_nothing_twice(
        client: FlaskClient, link: str, session: Session, questionnaire: Questionnaire):
    _start(client, link)
    _answer_every_page(client, link, questionnaire)
    token = csrf_from(client.get(f"{link}/check").get_data(as_text=True))
    first = client.post(f"{link}/check", data={"csrf_token": token})
    second = client.post(f"{link}/check", data={"csrf_token": token})
    assert first.status_code == 303
    assert second.status_code == 302  # to the thank-you page: nothing more to send
    late_page = client.post(f"{link}/page/1", data={"csrf_token": token,
                                                    **page_data(questionnaire, 1, "disagree")})
    assert late_page.headers["Location"] == f"{link}/thanks"
    [stored] = _responses(session)
    assert stored.status == ResponseStatus.SUBMITTED
    assert set(stored.answers.values()) == set(answer_all(questionnaire, "agree").values())


def test_an_expired_csrf_token_loses_no_answer(
        client: FlaskClient, link: str, session: Session, questionnaire: Questionnaire,
        monkeypatch: pytest.MonkeyPatch):
    _start(client, link)
    page = client.get(f"{link}/page/1").get_data(as_text=True)
    token = csrf_from(page)
    data = page_data(questionnaire, 1, "strongly_agree", "Written slowly")
    later = time.time() + 2 * 3600  # two hours on the page
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: int(later))
    expired = client.post(f"{link}/page/1", data={"csrf_token": token, **data})
    html = expired.get_data(as_text=True)
    assert expired.status_code == 400
    assert "needs sending again" in html
    assert html.count('value="strongly_agree" checked') == len(data) - 1
    assert "Written slowly" in html
    assert _responses(session)[0].answers == {}
    resent = client.post(f"{link}/page/1", data={"csrf_token": csrf_from(html), **data})
    assert resent.status_code == 302
    assert len(_responses(session)[0].answers) == len(data) - 1


def test_a_survey_post_without_any_csrf_token_stores_nothing(
        client: FlaskClient, link: str, session: Session, questionnaire: Questionnaire):
    _start(client, link)
    reply = client.post(f"{link}/page/1", data=page_data(questionnaire, 1))
    assert reply.status_code == 400
    assert _responses(session)[0].answers == {}
    assert client.post(f"{link}/start").status_code == 302
    assert len(_responses(session)) == 1


def test_pages_without_a_started_response_send_the_browser_to_the_start(
        client: FlaskClient, link: str):
    for path in ("/page/1", "/check", "/saved", "/thanks"):
        reply = client.get(link + path)
        assert reply.status_code == 302
        assert reply.headers["Location"] == link


def _is_bad_link_page(reply: TestResponse) -> bool:
    html = reply.get_data(as_text=True)
    return (reply.status_code == 404 and "This survey link does not work" in html
            and "ask the person who sent it for a new one" in html
            and "account" not in html and "Not Found" not in html)


def test_a_page_number_out_of_range_is_not_found(client: FlaskClient, link: str,
                                                 questionnaire: Questionnaire):
    _start(client, link)
    assert _is_bad_link_page(client.get(f"{link}/page/0"))
    assert _is_bad_link_page(client.get(f"{link}/page/{len(pages(questionnaire)) + 1}"))


def test_a_mistyped_link_gets_the_survey_link_page_not_the_account_wording(
        client: FlaskClient):
    assert _is_bad_link_page(client.get("/s/not-a-real-token"))
    assert _is_bad_link_page(client.post("/s/not-a-real-token/start"))
    assert _is_bad_link_page(client.get("/s/not-a-real-token/page/1"))


def test_a_cut_off_link_gets_the_survey_link_page(client: FlaskClient, link: str):
    token = link.removeprefix("/s/")
    for cut in (f"/s/{token[:-1]}", f"/s/{token[:12]}", f"{link}/pa", f"{link}/page/x",
                f"{link}/", "/s/"):
        assert _is_bad_link_page(client.get(cut)), cut
    assert client.get(link).status_code == 200


def test_other_addresses_keep_the_general_not_found_page(client: FlaskClient):
    reply = client.get("/no-such-page")
    assert reply.status_code == 404
    assert "This survey link does not work" not in reply.get_data(as_text=True)


def test_a_withdrawn_link_or_a_closed_assessment_accepts_no_answers(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, tokens = make_assessment(session, make_municipality(session), ("police",))
    link = f"/s/{tokens['police']}"
    _start(client, link)
    services.revoke_invitation(assessment.invitations[0])
    session.commit()
    for reply in (client.get(link), client.get(f"{link}/page/1"),
                  post_form(client, "/login", to=f"{link}/page/1",
                            data=page_data(questionnaire, 1))):
        html = reply.get_data(as_text=True)
        assert reply.status_code == 410
        assert "This survey is closed" in html
        assert "the assessment has closed or the link was withdrawn" in html
        assert "This survey link does not work" not in html
    assert session.scalar(select(func.count()).select_from(Response)) == 1


def test_a_colleague_on_the_same_device_can_start_afresh_after_sending(
        client: FlaskClient, link: str, session: Session, questionnaire: Questionnaire):
    _start(client, link)
    _answer_every_page(client, link, questionnaire)
    post_form(client, f"{link}/check")
    thanks = client.get(f"{link}/thanks").get_data(as_text=True)
    # the colleague goes through the start page, which says how answers are used
    assert f'href="{link}"' in thanks
    start = client.get(link).get_data(as_text=True)
    assert "Start a new response" in start
    assert "How your answers are used" in start
    post_form(client, link, to=f"{link}/start")
    statuses = [r.status for r in _responses(session)]
    assert statuses == [ResponseStatus.SUBMITTED, ResponseStatus.IN_PROGRESS]


def test_comment_fields_have_a_label_and_a_hint_about_names(client: FlaskClient, link: str,
                                                            questionnaire: Questionnaire):
    _start(client, link)
    html = client.get(f"{link}/page/1").get_data(as_text=True)
    field = comment_field(pages(questionnaire)[0].id)
    assert f'<label class="label" for="{field}">' in html
    assert "Do not write names" in html
