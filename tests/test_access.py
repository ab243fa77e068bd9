"""The role x object matrix: no user reaches another municipality's objects, by URL or guess.

"Home" belongs to the advisor and the coordinator; "Away" to nobody but the admin (and, for
reading, the national coordinator). Each has a closed round (results), an open survey round with
links, and a sister municipality with an open workshop round (assigned to the advisor like
Home, but not the coordinator's own).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.models import Assessment, Mode, Municipality, Role, User
from readiness.services import assessments as services
from tests.web_helpers import (
    add_responses,
    csrf_from,
    login,
    make_assessment,
    make_municipality,
    make_user,
)

USERS = ("admin", "national", "advisor", "coordinator", "other_advisor")
# who may VIEW / MANAGE the objects of each municipality
RIGHTS: dict[str, dict[str, tuple[bool, bool]]] = {
    "admin": {"home": (True, True), "away": (True, True)},
    "national": {"home": (True, False), "away": (True, False)},
    "advisor": {"home": (True, True), "away": (False, False)},
    "coordinator": {"home": (True, True), "away": (False, False)},
    "other_advisor": {"home": (False, False), "away": (False, False)},
}


@dataclass(frozen=True)
class Place:
    """One municipality's objects, by public id."""

    municipality: str
    open_assessment: str
    closed_assessment: str
    workshop_assessment: str
    invitation: str
    token: str


def _place(session: Session, name: str, advisor: User | None) -> Place:
    municipality = make_municipality(session, name)
    if advisor is not None:
        services.assign_advisor(advisor, municipality)
    closed, _ = make_assessment(session, municipality, ("police",))
    add_responses(session, closed, "police", 3)
    services.close_assessment(session, closed)
    session.commit()
    current, tokens = make_assessment(session, municipality, ("police", "health"))
    workshop_place = make_municipality(session, f"{name} workshop")
    if advisor is not None:
        services.assign_advisor(advisor, workshop_place)
    workshop, _ = make_assessment(session, workshop_place, ("police",), mode=Mode.WORKSHOP)
    session.commit()
    return Place(municipality.public_id, current.public_id, closed.public_id, workshop.public_id,
                 current.invitations[0].public_id, tokens["police"])


@pytest.fixture
def world(session: Session) -> dict[str, Place]:
    """Home and Away with their objects, and the five users."""
    make_user(session, "admin", Role.ADMIN)
    make_user(session, "national", Role.NATIONAL_COORDINATOR)
    advisor = make_user(session, "advisor", Role.ADVISOR)
    make_user(session, "other_advisor", Role.ADVISOR)
    home = _place(session, "Home", advisor)
    away = _place(session, "Away", None)
    home_municipality = session.scalars(
        select(Municipality).where(Municipality.public_id == home.municipality)).one()
    make_user(session, "coordinator", Role.MUNICIPALITY_COORDINATOR,
              municipality=home_municipality)
    return {"home": home, "away": away}


# (label, method, url, access, form data); destructive requests come last
ROUTES: list[tuple[str, str, str, str, dict[str, str]]] = [
    ("municipality page", "GET", "/municipalities/{municipality}", "view", {}),
    ("edit municipality form", "GET", "/municipalities/{municipality}/edit", "manage", {}),
    ("edit municipality", "POST", "/municipalities/{municipality}/edit", "manage",
     {"name": "Renamed", "country": "BE", "population_band": "10k_50k", "revision": "1"}),
    ("assessment page", "GET", "/assessments/{open_assessment}", "view", {}),
    ("results page", "GET", "/assessments/{closed_assessment}/results", "view", {}),
    ("closed assessment page", "GET", "/assessments/{closed_assessment}", "view", {}),
    ("new assessment form", "GET", "/municipalities/{municipality}/assessments/new", "manage",
     {}),
    ("new assessment", "POST", "/municipalities/{municipality}/assessments/new", "manage",
     {"conducted_on": "2026-05-01", "mode": "survey", "agencies": "police"}),
    ("context form", "GET", "/assessments/{open_assessment}/context", "manage", {}),
    ("context save", "POST", "/assessments/{open_assessment}/context", "manage", {}),
    ("new link", "POST", "/assessments/{open_assessment}/invitations", "manage",
     {"agency": "education", "capacity": "3"}),
    ("close form", "GET", "/assessments/{open_assessment}/close", "manage", {}),
    ("cancel form", "GET", "/assessments/{open_assessment}/cancel", "manage", {}),
    ("cancel a closed round", "POST", "/assessments/{closed_assessment}/cancel", "closed",
     {"discard_sent": "y"}),
    ("withdraw link", "POST", "/invitations/{invitation}/revoke", "manage", {}),
    ("state a link's practitioners", "POST", "/invitations/{invitation}/capacity", "manage",
     {"capacity": "5"}),
    ("exclude flagged responses", "POST", "/assessments/{open_assessment}/exclude", "manage",
     {}),
    ("close", "POST", "/assessments/{open_assessment}/close", "manage", {}),
]


def _request(client: FlaskClient, method: str, url: str, data: dict[str, str]) -> int:
    if method == "GET":
        return client.get(url).status_code
    token = csrf_from(client.get("/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}).status_code


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("where", ["away", "home"])
def test_role_by_object_matrix(client: FlaskClient, world: dict[str, Place], username: str,
                               where: str):
    place = world[where]
    may_view, may_manage = RIGHTS[username][where]
    login(client, username)
    for label, method, url, access, data in ROUTES:
        status = _request(client, method, url.format(**place.__dict__), data)
        if not may_view:
            expected: tuple[int, ...] = (404,)
        elif access in ("manage", "closed") and not may_manage:
            expected = (403,)
        elif access == "closed":
            expected = (409,)  # a closed round changes no more, whoever asks
        else:
            expected = (200, 302, 400)  # 400: a form refused on its content, never on access
        assert status in expected, f"{username} -> {where} {label}: {status}"


@pytest.mark.parametrize("username", USERS)
def test_workshop_pages_follow_the_same_rights(client: FlaskClient, world: dict[str, Place],
                                               username: str):
    login(client, username)
    for where in ("home", "away"):
        may_view, may_manage = RIGHTS[username][where]
        if username == "coordinator":
            may_view = may_manage = False  # the workshop municipality is not theirs
        url = f"/assessments/{world[where].workshop_assessment}/workshop/police"
        status = client.get(url).status_code
        expected = 200 if may_manage else 403 if may_view else 404
        assert status == expected, f"{username} -> {where} workshop: {status}"


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("where", ["away", "home"])
def test_only_a_manager_cancels_a_round_and_nobody_reaches_anothers(
        client: FlaskClient, session: Session, world: dict[str, Place], username: str,
        where: str):
    place = world[where]
    may_view, may_manage = RIGHTS[username][where]
    login(client, username)
    status = _request(client, "POST", f"/assessments/{place.open_assessment}/cancel", {})
    expected = 302 if may_manage else 403 if may_view else 404
    assert status == expected, f"{username} -> {where} cancel: {status}"
    session.expire_all()
    gone = session.scalar(select(Assessment).where(
        Assessment.public_id == place.open_assessment)) is None
    assert gone is may_manage


@pytest.mark.parametrize("username", USERS)
def test_lists_show_only_what_a_user_may_see(client: FlaskClient, world: dict[str, Place],
                                             username: str):
    login(client, username)
    html = client.get("/").get_data(as_text=True)
    for where, name in (("home", "Home"), ("away", "Away")):
        assert (f">{name}</a>" in html) is RIGHTS[username][where][0], (username, name)


@pytest.mark.parametrize("url", [
    "/municipalities/{guess}", "/assessments/{guess}", "/assessments/{guess}/results",
    "/assessments/1", "/assessments/2/results", "/municipalities/1",
    "/assessments/%00", "/assessments/{long}", "/assessments/..%2F..%2Fetc",
])
def test_guessed_ids_find_nothing(client: FlaskClient, world: dict[str, Place], url: str):
    login(client, "admin")
    status = client.get(url.format(guess="AAAAAAAAAAAAAAAA", long="x" * 200)).status_code
    assert status == 404


def test_public_ids_are_random_not_sequential(world: dict[str, Place]):
    ids = [p.municipality for p in world.values()] + [p.open_assessment for p in world.values()]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 16 and not i.isdigit() for i in ids)


def test_signed_out_visitors_reach_nothing(app: Flask, world: dict[str, Place]):
    client = app.test_client()
    place = world["home"]
    for _label, method, url, _access, _data in ROUTES:
        reply = client.open(url.format(**place.__dict__), method=method)
        assert reply.status_code in (302, 400), url
        if reply.status_code == 302:
            assert reply.headers["Location"].startswith("/login?next=")


def test_a_survey_link_opens_only_its_own_assessment(client: FlaskClient,
                                                     world: dict[str, Place]):
    home = client.get(f"/s/{world['home'].token}").get_data(as_text=True)
    assert "Home · Police" in home
    assert "Away" not in home


def test_a_public_id_never_starts_with_a_dash_so_the_command_line_takes_it_as_an_argument(
        monkeypatch: pytest.MonkeyPatch):
    from readiness import tokens

    made = iter(["-vOption_like_id", "plain_id"])
    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda _n: next(made))
    assert tokens.new_public_id() == "plain_id"
