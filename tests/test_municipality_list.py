"""The municipality list at national scale: paged, searchable, and national coordinators
land on their dashboard instead."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.models import Role
from readiness.services import assessments as services
from tests.web_helpers import login, make_user

pytestmark = pytest.mark.db
ROW = re.compile(r'<th scope="row"><a href="/municipalities/[^"]+">([^<]+)</a>')


def make_towns(db: Session, names: list[str]) -> None:
    """Municipalities with these names, in Belgium."""
    for name in names:
        services.create_municipality(db, name=name, country="BE", population_band="10k_50k")
    db.commit()


def test_a_long_list_comes_fifty_to_a_page_in_name_order(client: FlaskClient, session: Session):
    make_towns(session, [f"Town {n:03d}" for n in range(120)])
    make_user(session, "admin", Role.ADMIN)
    login(client, "admin")
    first = client.get("/").get_data(as_text=True)
    assert ROW.findall(first) == [f"Town {n:03d}" for n in range(50)]
    assert "1 to 50 of 120" in first
    last = client.get("/?page=3").get_data(as_text=True)
    assert ROW.findall(last) == [f"Town {n:03d}" for n in range(100, 120)]
    assert 'rel="prev"' in last
    assert 'rel="next"' not in last
    assert ROW.findall(client.get("/?page=99").get_data(as_text=True)) == ROW.findall(last)
    assert ROW.findall(client.get("/?page=%C2%B2").get_data(as_text=True)) == ROW.findall(first)


def test_search_finds_names_containing_the_text_whatever_the_case(client: FlaskClient,
                                                                   session: Session):
    make_towns(session, ["Sint-Aldegonde", "Aldenburg", "Mechelen", "100% Town", "Town_1"])
    make_user(session, "admin", Role.ADMIN)
    login(client, "admin")
    assert ROW.findall(client.get("/?q=ALDE").get_data(as_text=True)) == [
        "Aldenburg", "Sint-Aldegonde"]
    # SQL wildcards are searched for as text
    assert ROW.findall(client.get("/?q=%25").get_data(as_text=True)) == ["100% Town"]
    assert ROW.findall(client.get("/?q=_").get_data(as_text=True)) == ["Town_1"]
    none = client.get("/?q=<b>Zz</b>").get_data(as_text=True)
    assert "No municipality you can see has a name containing" in none
    assert "<b>Zz</b>" not in none


def test_search_never_reaches_beyond_what_the_user_may_see(client: FlaskClient,
                                                           session: Session):
    make_towns(session, ["Aldenburg", "Sint-Aldegonde"])
    own = services.find_municipality(session, "Aldenburg")
    make_user(session, "local", Role.MUNICIPALITY_COORDINATOR, municipality=own)
    login(client, "local")
    assert ROW.findall(client.get("/?q=alde").get_data(as_text=True)) == ["Aldenburg"]


def test_a_national_coordinator_lands_on_the_dashboard_others_on_their_municipalities(
        client: FlaskClient, session: Session):
    make_user(session, "national", Role.NATIONAL_COORDINATOR)
    make_user(session, "advisor", Role.ADVISOR)
    assert login(client, "national").headers["Location"] == "/dashboard/"
    other = client.application.test_client()
    assert login(other, "advisor").headers["Location"] == "/"
