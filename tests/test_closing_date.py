"""A round's closing date: set at creation and editable, said on every survey page and in the
organiser's reminder texts; after the end of that day (TIMEZONE) its links answer "closed" and
take nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness import ConfigError, create_app
from readiness.core import closing
from readiness.core.questionnaire import Questionnaire
from readiness.models import Assessment, Response, Role, Status
from readiness.services import assessments as services
from readiness.services.survey import pages
from tests.web_helpers import (
    fresh,
    link_sizes,
    login,
    make_assessment,
    make_municipality,
    make_user,
    page_data,
    post_form,
)

LINK = re.compile(r'value="(http://localhost/s/[A-Za-z0-9_-]+)"')


def _round_closing(session: Session, closes_on: date | None) -> tuple[Assessment, str]:
    assessment, tokens = make_assessment(session, make_municipality(session), ("police",))
    assessment.closes_on = closes_on
    session.commit()
    return assessment, f"/s/{tokens['police']}"


def test_the_end_of_the_closing_day_is_read_in_the_configured_zone():
    day = date(2026, 5, 31)
    brussels, auckland = ZoneInfo("Europe/Brussels"), ZoneInfo("Pacific/Auckland")
    late_evening = datetime(2026, 5, 31, 21, 30, tzinfo=UTC)  # 23:30 in Brussels
    assert not closing.is_past(day, brussels, late_evening)
    assert closing.is_past(day, brussels, late_evening + timedelta(minutes=31))
    assert closing.is_past(day, auckland, late_evening)  # already 1 June there
    assert not closing.is_past(None, brussels, late_evening)


def test_an_unknown_time_zone_stops_the_app_at_start():
    with pytest.raises(ConfigError, match="TIMEZONE"):
        create_app({"TESTING": True, "TIMEZONE": "Mars/Olympus"})


def test_the_closing_date_is_set_when_the_round_is_made_and_said_on_every_survey_page(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    advisor = make_user(session, "advisor", Role.ADVISOR)
    municipality = make_municipality(session, advisor=advisor)
    login(client, "advisor")
    made = post_form(client, f"/municipalities/{municipality.public_id}/assessments/new", {
        "conducted_on": "2026-04-01", "closes_on": "2099-05-31", "mode": "survey",
        "agencies": ["police"], **link_sizes("police")})
    assert made.status_code == 302
    [link] = LINK.findall(client.get(made.headers["Location"]).get_data(as_text=True))
    client.post("/logout")
    client.delete_cookie("readiness_session")
    path = link.removeprefix("http://localhost")
    saying = "This survey closes at the end of"
    assert saying in client.get(path).get_data(as_text=True)
    post_form(client, path, to=f"{path}/start")
    for number in range(1, len(pages(questionnaire)) + 1):
        assert saying in client.get(f"{path}/page/{number}").get_data(as_text=True)
    assert saying in client.get(f"{path}/check").get_data(as_text=True)
    assert saying in client.get(f"{path}/saved").get_data(as_text=True)


def test_a_closing_date_in_the_past_or_before_the_round_is_refused_at_creation(
        client: FlaskClient, session: Session):
    advisor = make_user(session, "advisor", Role.ADVISOR)
    municipality = make_municipality(session, advisor=advisor)
    login(client, "advisor")
    page = f"/municipalities/{municipality.public_id}/assessments/new"
    past = post_form(client, page, {"conducted_on": "2026-04-01", "closes_on": "2001-01-01",
                                    "mode": "survey", "agencies": ["police"],
                                    **link_sizes("police")})
    assert past.status_code == 400
    assert "The closing date cannot be in the past" in past.get_data(as_text=True)
    before = post_form(client, page, {"conducted_on": "2099-04-01", "closes_on": "2099-03-01",
                                      "mode": "survey", "agencies": ["police"],
                                      **link_sizes("police")})
    assert before.status_code == 400
    assert "cannot be before the date of the assessment" in before.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_after_the_closing_date_links_answer_closed_and_saves_write_nothing(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, link = _round_closing(session, date(2099, 1, 1))
    post_form(client, link, to=f"{link}/start")
    post_form(client, f"{link}/page/1", page_data(questionnaire, 1, "agree"))
    assessment.closes_on = datetime.now(UTC).date() - timedelta(days=2)
    session.commit()
    for reply in (client.get(link), client.get(f"{link}/page/2"),
                  client.post(f"{link}/page/2", data=page_data(questionnaire, 2, "agree")),
                  client.post(f"{link}/check", data={}), client.post(f"{link}/start")):
        html = reply.get_data(as_text=True)
        assert reply.status_code == 410
        assert "This survey closed at the end of" in html
        assert "This survey closes at the end of" not in html
    fresh(session)
    [response] = session.scalars(select(Response)).all()
    first_page = {item.id for item in questionnaire.items_of(pages(questionnaire)[0].id)}
    assert set(response.answers) == first_page  # page 2 was refused: nothing of it written
    assert response.status == "in_progress"


def test_the_closing_date_can_be_moved_or_removed_and_a_past_one_is_refused(
        client: FlaskClient, session: Session):
    make_user(session, "admin")
    assessment, link = _round_closing(session, date.today() - timedelta(days=3))
    login(client, "admin")
    links_page = f"/assessments/{assessment.public_id}/links"
    assert "The closing date has passed" in client.get(links_page).get_data(as_text=True)
    refused = post_form(client, links_page, {"closes_on": "2001-01-01"},
                        to=f"/assessments/{assessment.public_id}/closing")
    assert refused.status_code == 302
    assert "cannot be in the past" in client.get(links_page).get_data(as_text=True)
    fresh(session)
    assert session.get(Assessment, assessment.id).closes_on == date.today() - timedelta(days=3)
    moved = post_form(client, links_page, {"closes_on": "2099-12-31"},
                      to=f"/assessments/{assessment.public_id}/closing")
    assert moved.status_code == 302
    fresh(session)
    assert session.get(Assessment, assessment.id).closes_on == date(2099, 12, 31)
    client.post("/logout")
    client.delete_cookie("readiness_session")
    assert client.get(link).status_code == 200  # moved forward: the link takes answers again
    login(client, "admin")
    post_form(client, links_page, {"closes_on": ""},
              to=f"/assessments/{assessment.public_id}/closing")
    fresh(session)
    assert session.get(Assessment, assessment.id).closes_on is None


def test_the_reminder_text_names_the_agency_the_closing_date_and_the_link(
        client: FlaskClient, session: Session):
    advisor = make_user(session, "advisor", Role.ADVISOR)
    municipality = make_municipality(session, advisor=advisor)
    login(client, "advisor")
    made = post_form(client, f"/municipalities/{municipality.public_id}/assessments/new", {
        "conducted_on": "2026-04-01", "closes_on": "2099-05-31", "mode": "survey",
        "agencies": ["police"], **link_sizes("police")})
    html = client.get(made.headers["Location"]).get_data(as_text=True)
    [link] = LINK.findall(html)
    reminder = re.search(r'<textarea[^>]*id="remind-[^"]+"[^>]*>(.*?)</textarea>', html, re.S)
    assert reminder is not None
    text = reminder.group(1)
    assert "Police" in text
    assert "Mechelen" in text
    assert "The survey closes at the end of 31 May 2099." in text  # as every other page
    assert text.endswith(link)
    assert 'data-copy-target="remind-' in html
    dutch = client.get(made.headers["Location"], query_string={"lang": "nl"}).get_data(
        as_text=True)
    in_dutch = re.search(r'<textarea[^>]*id="remind-[^"]+"[^>]*>(.*?)</textarea>', dutch, re.S)
    assert in_dutch is not None
    assert "31 mei 2099" in in_dutch.group(1)


def test_a_closing_date_is_refused_by_the_service_for_a_closed_round(session: Session):
    assessment, _link = _round_closing(session, None)
    assessment.status = Status.CLOSED
    with pytest.raises(services.ServiceError):
        services.set_closing_date(assessment, date(2099, 1, 1), date.today())


def test_the_round_page_shows_the_closing_date(client: FlaskClient, session: Session,
                                               app: Flask):
    make_user(session, "admin")
    assessment, _link = _round_closing(session, date(2099, 5, 31))
    login(client, "admin")
    html = client.get(f"/assessments/{assessment.public_id}").get_data(as_text=True)
    assert "Closing date" in html
    assert "2099" in html
