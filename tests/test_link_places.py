"""A link sent to N practitioners takes N sent answers: starts that were never sent hold no
place (a practitioner is never turned away while fewer than N were sent), a start past N sent is
refused, and a send past N is refused with the answers kept until the organiser raises N. The
close page says how many started answers will not be counted; reissuing counts sent answers."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.models import Assessment, Invitation, Response, ResponseStatus
from readiness.services import assessments as services
from readiness.services import link_places
from tests.web_helpers import (
    add_responses,
    fresh,
    login,
    make_assessment,
    make_municipality,
    make_user,
    page_data,
    post_form,
)

pytestmark = pytest.mark.db


def _health_link(session: Session, size: int) -> tuple[Assessment, str]:
    """An open round whose health link went to `size` practitioners (police answers too)."""
    assessment, _ = make_assessment(session, make_municipality(session), ("police",))
    add_responses(session, assessment, "police", 3, "agree")
    _, token = services.new_invitation(session, assessment, "health", capacity=size)
    session.commit()
    return assessment, f"/s/{token}"


def _start_and_fill(client: FlaskClient, link: str) -> int:
    """Start a response through `link` and answer every page without sending; the start's
    status code."""
    started = post_form(client, link, to=f"{link}/start")
    if started.status_code != 302:
        return started.status_code
    number = 1
    while True:
        reply = post_form(client, f"{link}/page/{number}", page_data(get_questionnaire(),
                                                                     number, "agree"))
        assert reply.status_code == 302, reply.get_data(as_text=True)
        if "/check" in reply.headers["Location"]:
            return started.status_code
        number += 1


def _send(client: FlaskClient, link: str) -> tuple[int, str]:
    sent = post_form(client, f"{link}/check")
    return sent.status_code, sent.get_data(as_text=True)


def _sent_and_started(session: Session) -> tuple[int, int]:
    fresh(session)
    rows = dict(session.execute(select(Response.status, func.count()).where(
        Response.agency == "health").group_by(Response.status)).all())
    return rows.get(ResponseStatus.SUBMITTED, 0), rows.get(ResponseStatus.IN_PROGRESS, 0)


def test_answers_started_and_abandoned_do_not_turn_the_next_practitioner_away(
        app: Flask, session: Session):
    _, link = _health_link(session, 4)
    for _sent in range(2):
        browser = app.test_client()
        assert _start_and_fill(browser, link) == 302
        assert _send(browser, link)[0] == 303
    for _abandoned in range(2):
        assert post_form(app.test_client(), link, to=f"{link}/start").status_code == 302
    assert _sent_and_started(session) == (2, 2)
    newcomer = app.test_client()  # 4 started, 2 sent: the link went to 4, so in they come
    assert _start_and_fill(newcomer, link) == 302
    assert _send(newcomer, link)[0] == 303
    assert _sent_and_started(session) == (3, 2)


def test_a_fifth_practitioner_is_refused_once_four_have_sent_answers(
        app: Flask, session: Session):
    _, link = _health_link(session, 4)
    for _sent in range(4):
        browser = app.test_client()
        assert _start_and_fill(browser, link) == 302
        assert _send(browser, link)[0] == 303
    refused = post_form(app.test_client(), link, to=f"{link}/start")
    assert refused.status_code == 410
    assert "This link has taken all its answers" in refused.get_data(as_text=True)
    assert _sent_and_started(session) == (4, 0)


def test_a_send_past_the_size_is_refused_and_kept_until_the_organiser_raises_it(
        app: Flask, client: FlaskClient, session: Session):
    assessment, link = _health_link(session, 2)
    browsers = [app.test_client() for _ in range(3)]
    for browser in browsers:  # three start while none has sent: all are let in
        assert _start_and_fill(browser, link) == 302
    assert _send(browsers[0], link)[0] == 303
    assert _send(browsers[1], link)[0] == 303
    status, page = _send(browsers[2], link)
    assert status == 409
    assert ("This link was sent to 2 practitioners, who have already sent 2 answers, so yours "
            "cannot be sent now. Your answers are kept") in page
    assert _sent_and_started(session) == (2, 1)
    make_user(session, "organiser")
    login(client, "organiser")
    invitation = session.scalars(select(Invitation).where(Invitation.agency == "health")).one()
    raised = post_form(client, f"/assessments/{assessment.public_id}",
                       {"capacity": "3", "was_capacity": "2"},
                       to=f"/invitations/{invitation.public_id}/capacity")
    assert raised.status_code == 302
    assert _send(browsers[2], link)[0] == 303
    assert _sent_and_started(session) == (3, 0)


def test_the_close_page_says_how_many_started_answers_will_not_be_counted(
        app: Flask, client: FlaskClient, session: Session):
    assessment, link = _health_link(session, 4)
    for _abandoned in range(2):
        assert post_form(app.test_client(), link, to=f"{link}/start").status_code == 302
    make_user(session, "organiser")
    login(client, "organiser")
    close = client.get(f"/assessments/{assessment.public_id}/close").get_data(as_text=True)
    assert "2 answers started but not sent will not be counted." in close
    round_page = client.get(f"/assessments/{assessment.public_id}").get_data(as_text=True)
    assert ("Answers started but not sent take no place: anyone with the link can start while "
            "fewer answers have been sent.") in round_page


def test_a_reissued_link_is_for_those_who_have_not_sent_answers(app: Flask, session: Session):
    assessment, link = _health_link(session, 4)
    browser = app.test_client()
    assert _start_and_fill(browser, link) == 302
    assert _send(browser, link)[0] == 303
    for _abandoned in range(2):
        assert post_form(app.test_client(), link, to=f"{link}/start").status_code == 302
    fresh(session)
    found = session.get(Assessment, assessment.id)
    assert found is not None
    old = next(i for i in found.invitations if i.agency == "health")
    services.set_capacity(session, old, 2)  # 1 sent: 2 is allowed, the unsent starts aside
    new, _token = services.reissue_invitation(session, old, b"k" * 32)
    assert new.capacity == 1  # 2 went out, 1 sent: the unsent starts start again on the new one
    assert link_places.stated_sizes(session, found) == {"health": 2}  # not 2 + 1


def test_a_link_can_be_made_as_small_as_its_sent_answers_but_no_smaller(
        app: Flask, session: Session):
    _, link = _health_link(session, 4)
    for _sent in range(2):
        browser = app.test_client()
        assert _start_and_fill(browser, link) == 302
        assert _send(browser, link)[0] == 303
    assert post_form(app.test_client(), link, to=f"{link}/start").status_code == 302
    fresh(session)
    health = session.scalars(select(Invitation).where(Invitation.agency == "health")).one()
    with pytest.raises(services.ServiceError,
                       match="2 answers were already sent through this link"):
        services.set_capacity(session, health, 1)
    services.set_capacity(session, health, 2)  # the unsent start holds no place
    assert health.capacity == 2


def test_the_published_size_counts_a_reissued_link_once(app: Flask, session: Session):
    assessment, link = _health_link(session, 4)
    browser = app.test_client()
    assert _start_and_fill(browser, link) == 302
    assert _send(browser, link)[0] == 303
    fresh(session)
    found = session.get(Assessment, assessment.id)
    assert found is not None
    old = next(i for i in found.invitations if i.agency == "health")
    services.reissue_invitation(session, old, b"k" * 32)  # 4 went out, 1 sent: 3 on the new
    session.commit()
    assert services.sent_to(session, found)["health"] == 4  # what the results print, not 4 + 3
