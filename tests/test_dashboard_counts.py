"""The dashboard's counts agree in number with what they count: "1 municipality", never
"1 municipalities"."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.models import Role
from tests.web_helpers import login, make_municipality, make_user

pytestmark = pytest.mark.db


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(page)).split())


def test_a_dashboard_of_one_municipality_says_municipality_in_the_singular(
        client: FlaskClient, session: Session):
    make_user(session, "national", Role.NATIONAL_COORDINATOR)
    make_municipality(session)
    login(client, "national")
    page = _text(client.get("/dashboard/").get_data(as_text=True))
    assert "1 municipalities" not in page
    assert "1 municipality" in page  # the overview card
    assert "1 municipality, page 1 of 1" in page  # the list's caption
    assert "This municipality has no closed assessment in the chosen round or period." in page


def test_a_dashboard_of_two_municipalities_says_municipalities(
        client: FlaskClient, session: Session):
    make_user(session, "national", Role.NATIONAL_COORDINATOR)
    make_municipality(session)
    make_municipality(session, name="Lier")
    login(client, "national")
    page = _text(client.get("/dashboard/").get_data(as_text=True))
    assert "2 municipalities, page 1 of 1" in page
    assert "None of these 2 municipalities has a closed assessment" in page
