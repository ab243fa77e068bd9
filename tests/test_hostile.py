"""Hostile input is harmless: markup shows as text; oversized or malformed posts store nothing."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.models import Municipality, Response, Role
from readiness.services import assessments as services
from readiness.services.survey import pages
from readiness.web.forms import comment_field, item_field
from tests.web_helpers import (
    csrf_from,
    fresh,
    login,
    make_assessment,
    make_municipality,
    make_user,
    page_data,
    post_form,
)

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def link(session: Session) -> str:
    """An open survey link of a municipality whose name is markup."""
    municipality = make_municipality(session, f"Evil {SCRIPT}")
    _, tokens = make_assessment(session, municipality, ("police",))
    return f"/s/{tokens['police']}"


def _started(client: FlaskClient, link: str) -> None:
    assert post_form(client, link, to=f"{link}/start").status_code == 302


def _stored(session: Session) -> dict[str, str]:
    fresh(session)
    response = session.scalars(select(Response)).one()
    return dict(response.answers)


def test_markup_in_names_is_shown_as_text(client: FlaskClient, session: Session, link: str):
    make_user(session, "ada")
    login(client, "ada")
    municipality = session.scalars(select(Municipality)).one()
    for url in ("/", f"/municipalities/{municipality.public_id}", link):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html, url


def test_markup_typed_into_the_municipality_form_is_stored_as_text(client: FlaskClient,
                                                                   session: Session):
    make_user(session, "adv", Role.ADVISOR)
    login(client, "adv")
    reply = post_form(client, "/municipalities/new", {
        "name": SCRIPT, "country": "BE", "population_band": "under_10k"})
    assert reply.status_code == 302
    html = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_markup_in_a_comment_is_shown_as_text_on_the_check_page(
        client: FlaskClient, link: str, questionnaire: Questionnaire):
    _started(client, link)
    post_form(client, f"{link}/page/1", page_data(questionnaire, 1, comment=SCRIPT))
    html = client.get(f"{link}/check").get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_an_oversized_post_gets_a_clear_error_and_stores_nothing(
        client: FlaskClient, session: Session, link: str, questionnaire: Questionnaire):
    _started(client, link)
    page = client.get(f"{link}/page/1").get_data(as_text=True)
    data = page_data(questionnaire, 1, comment="x" * 300_000)
    reply = client.post(f"{link}/page/1", data={"csrf_token": csrf_from(page), **data})
    assert reply.status_code == 413
    assert "too large" in reply.get_data(as_text=True)
    assert _stored(session) == {}


def test_a_comment_over_the_limit_is_refused_and_nothing_on_the_page_is_stored(
        client: FlaskClient, session: Session, link: str, questionnaire: Questionnaire):
    _started(client, link)
    reply = post_form(client, f"{link}/page/1", page_data(questionnaire, 1, comment="y" * 2001))
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "Comment must be 2000 characters or fewer" in html
    field = comment_field(pages(questionnaire)[0].id)
    assert f'<a href="#{field}">' in html
    assert _stored(session) == {}


@pytest.mark.parametrize("bad", ["maybe", "", "agree\x00", "<b>agree</b>", "9" * 500])
def test_answers_that_are_not_options_are_refused_and_nothing_is_stored(
        client: FlaskClient, session: Session, link: str, questionnaire: Questionnaire,
        bad: str):
    _started(client, link)
    data = page_data(questionnaire, 1)
    first = next(iter(data))
    data[first] = bad
    reply = post_form(client, f"{link}/page/1", data)
    assert reply.status_code == 400
    if bad:
        assert "choose one of the answers shown" in reply.get_data(as_text=True)
        assert _stored(session) == {}


def test_two_answers_to_one_statement_are_refused(client: FlaskClient, session: Session,
                                                  link: str, questionnaire: Questionnaire):
    _started(client, link)
    data: dict[str, object] = dict(page_data(questionnaire, 1))
    first = next(iter(data))
    data[first] = ["agree", "disagree"]
    reply = post_form(client, f"{link}/page/1", data)
    assert reply.status_code == 400
    assert "Choose only one answer" in reply.get_data(as_text=True)
    assert _stored(session) == {}


def test_control_characters_in_text_are_refused(client: FlaskClient, session: Session,
                                                link: str, questionnaire: Questionnaire):
    _started(client, link)
    reply = post_form(client, f"{link}/page/1", page_data(questionnaire, 1, comment="a\x00b"))
    assert reply.status_code == 400
    assert "control characters" in reply.get_data(as_text=True)
    assert _stored(session) == {}
    make_user(session, "ada")
    assert post_form(client, "/login", {"username": "ada\x00", "password": "x"}).status_code \
        == 400


def test_statements_of_another_page_or_unknown_fields_cannot_be_slipped_in(
        client: FlaskClient, session: Session, link: str, questionnaire: Questionnaire):
    _started(client, link)
    other = questionnaire.items_of(pages(questionnaire)[1].id)[0]
    data = {**page_data(questionnaire, 1), item_field(other.id): "agree", "agency": "health",
            "status": "submitted"}
    assert post_form(client, f"{link}/page/1", data).status_code == 302
    fresh(session)
    response = session.scalars(select(Response)).one()
    assert other.id not in response.answers
    assert response.agency == "police"
    assert response.status == "in_progress"


def test_a_malformed_date_or_unknown_mode_is_refused(client: FlaskClient, session: Session):
    make_user(session, "ada")
    municipality = make_municipality(session)
    login(client, "ada")
    reply = post_form(client, f"/municipalities/{municipality.public_id}/assessments/new",
                      {"conducted_on": "yesterday';--", "mode": "telepathy",
                       "agencies": ["police", "../../etc"]})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "Enter a date, for example 2026-04-01" in html
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    assert municipality.assessments == []


def test_an_invalid_survey_cookie_is_ignored(client: FlaskClient, link: str):
    client.set_cookie("maw_response", "'; DROP TABLE response; --\x00", path=link)
    reply = client.get(f"{link}/page/1")
    assert reply.status_code == 302
    assert reply.headers["Location"] == link


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_comment_is_either_kept_exactly_or_refused_never_an_error(
        client: FlaskClient, session: Session, questionnaire: Questionnaire, text: str):
    assessment, tokens = make_assessment(session, make_municipality(
        session, f"Fuzz {len(session.scalars(select(Municipality)).all())}"), ("police",))
    link = f"/s/{tokens['police']}"
    _started(client, link)
    reply = post_form(client, f"{link}/page/1", page_data(questionnaire, 1, comment=text))
    assert reply.status_code in (302, 400)
    fresh(session)
    response = session.scalars(select(Response).where(
        Response.assessment_id == assessment.id)).one()
    dimension = pages(questionnaire)[0].id
    if reply.status_code == 302:
        kept = text.strip()  # only the edges are trimmed
        assert response.comments.get(dimension, "") == kept
        html = client.get(f"{link}/check").get_data(as_text=True)
        assert "<script" not in kept or "<script" not in html.split("</head>")[1]
    else:
        assert response.answers == {}
    services.revoke_invitation(assessment.invitations[0])
    session.commit()
