"""A municipality coordinator or an advisor is never offered, nor can post, a municipality they
have no business with: every role and assignment form that lists municipalities is in the
Users area, which answers 403 to them (people's routes included), and every page they reach
with a form names only their own municipalities and regions."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.models import AuditEvent, Role, User, advisor_assignment
from readiness.services import assessments as services
from tests.erasure_helpers import closed_round
from tests.web_helpers import csrf_from, fresh, login, make_assessment, make_municipality, make_user

STRANGER = "Zwijndrecht-Elders"  # a municipality neither may see, in the same country
STRANGE_REGION = "Oost-Hoeksland"


@pytest.fixture
def places(session: Session) -> dict[str, str]:
    """{what: public id or path}: Mechelen with a closed and an open round, a coordinator and
    an advisor of it, and a stranger municipality with its own region and an advisor."""
    home = make_municipality(session, "Mechelen")
    services.update_municipality(session, home, name="Mechelen", country="BE",
                                 population_band="50k_100k", region="Antwerpen")
    away = services.create_municipality(session, name=STRANGER, country="BE",
                                        region=STRANGE_REGION, population_band="50k_100k")
    session.commit()
    make_user(session, "coord", Role.MUNICIPALITY_COORDINATOR, municipality=home)
    adviser = make_user(session, "adv", Role.ADVISOR)
    adviser.assigned.append(home)
    other = make_user(session, "other-adv", Role.ADVISOR)
    session.commit()
    closed = closed_round(session, home)
    opened, _links = make_assessment(session, home)
    return {"home": home.public_id, "away": away.public_id, "closed": closed.public_id,
            "open": opened.public_id, "other": other.public_id}


def _pages(p: dict[str, str]) -> list[str]:
    home, closed, opened = p["home"], p["closed"], p["open"]
    return ["/", f"/municipalities/{home}", f"/municipalities/{home}/edit",
            f"/municipalities/{home}/assessments/new", f"/municipalities/{home}/plan",
            f"/assessments/{opened}", f"/assessments/{opened}/links",
            f"/assessments/{opened}/context", f"/assessments/{closed}",
            f"/assessments/{closed}/results", f"/assessments/{closed}/delete",
            "/account/profile", "/account/password", "/account/sessions"]


@pytest.mark.parametrize("username", ["coord", "adv"])
def test_no_page_a_coordinator_or_advisor_reaches_names_a_municipality_not_theirs(
        client: FlaskClient, places: dict[str, str], username: str):
    login(client, username)
    pages = _pages(places) + (["/municipalities/new"] if username == "adv" else [])
    for page in pages:
        reply = client.get(page)
        html = reply.get_data(as_text=True)
        assert reply.status_code in (200, 403), (page, reply.status_code)
        assert STRANGER not in html, page
        assert STRANGE_REGION not in html, page
        assert places["away"] not in html, page


@pytest.mark.parametrize("username", ["coord", "adv"])
def test_the_role_and_assignment_forms_answer_403_and_a_posted_municipality_changes_nothing(
        client: FlaskClient, session: Session, places: dict[str, str], username: str):
    login(client, username)
    token = csrf_from(client.get("/account/profile").get_data(as_text=True))
    user = f"/users/{places['other']}"
    for page in ("/users/new", user):
        assert client.get(page).status_code == 403, page
    away = places["away"]
    for url, data in ((f"{user}/role", {"role": Role.MUNICIPALITY_COORDINATOR,
                                        "municipality": away}),
                      (f"{user}/assignments", {"assign_to": away}),
                      (f"{user}/assignments/region", {"region": f"BE|{STRANGE_REGION}"}),
                      (f"{user}/assignments/many", {"find": STRANGER, "action": "all"}),
                      (f"{user}/profile", {"display_name": "x"}),
                      ("/users/new", {"username": "intruder", "role": Role.ADVISOR,
                                      "municipality": away})):
        reply = client.post(url, data={"csrf_token": token, **data})
        assert reply.status_code == 403, url
        assert STRANGER not in reply.get_data(as_text=True)
    fresh(session)
    assert session.scalar(select(func.count()).select_from(advisor_assignment)) == 1  # adv's own
    assert session.scalar(select(User).where(User.username == "intruder")) is None
    other = session.scalars(select(User).where(User.username == "other-adv")).one()
    assert (other.role, other.display_name) == (Role.ADVISOR, "")
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(("role_changed", "municipality_assigned", "user_created",
                               "profile_changed")))) == 0
