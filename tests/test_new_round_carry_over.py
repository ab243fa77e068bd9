"""A municipality's next round starts filled in as its last was run: which agencies were
recorded in the workshop and how many practitioners each link went to (a reissued link counted
once), for the organiser to change."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.models import Mode
from readiness.services import assessments as services
from readiness.services import survey
from tests.web_helpers import answer_all, login, make_municipality, make_user

pytestmark = pytest.mark.db


def _checked(html: str, name: str) -> set[str]:
    return set(re.findall(rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"[^>]*checked', html)
               + re.findall(rf'<input[^>]*checked[^>]*name="{name}"[^>]*value="([^"]+)"', html))


def _size(html: str, agency: str) -> str:
    found = re.search(rf'<input[^>]*id="size_{agency}"[^>]*>', html)
    assert found, agency
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def test_a_new_round_is_filled_in_with_the_last_rounds_workshop_agencies_and_link_sizes(
        client: FlaskClient, session: Session):
    town = make_municipality(session)
    last, _ = services.create_assessment(
        session, town, q=get_questionnaire(), mode=Mode.SURVEY,
        agencies=("local_authority", "police", "health", "youth_work"),
        in_workshop=("local_authority", "police"), capacities={"health": 4, "youth_work": 3})
    health = next(i for i in last.invitations if i.agency == "health")
    q = get_questionnaire()
    response, _secret = survey.start_response(session, health)
    survey.save_answers(q, response, answer_all(q, "agree"), {})
    survey.submit_response(session, response)
    reissued, _token = services.reissue_invitation(session, health, b"k" * 32)
    assert reissued.capacity == 3  # 1 sent through the first link: 4 in all, not 4 + 3
    last.status = "closed"
    session.commit()
    make_user(session, "organiser")
    login(client, "organiser")
    html = client.get(f"/municipalities/{town.public_id}/assessments/new").get_data(as_text=True)
    assert _checked(html, "mode") == {"mixed"}
    assert _checked(html, "in_workshop") == {"local_authority", "police"}
    assert _checked(html, "agencies") == {"local_authority", "police", "health", "youth_work"}
    assert (_size(html, "health"), _size(html, "youth_work")) == ("4", "3")
    assert _size(html, "police") == ""
    assert "Filled in as round 1 was run" in html


def test_a_first_round_is_not_filled_in(client: FlaskClient, session: Session):
    town = make_municipality(session)
    make_user(session, "organiser")
    login(client, "organiser")
    html = client.get(f"/municipalities/{town.public_id}/assessments/new").get_data(as_text=True)
    assert _checked(html, "in_workshop") == set()
    assert _size(html, "health") == ""
    assert "Filled in as round" not in html
