"""Edits that conflict say so: the second of two saves made from the same page is refused with
both values shown, and changes nothing until its author saves again on purpose."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.models import Municipality, Role
from tests.web_helpers import csrf_from, fresh, login, make_municipality, make_user

FIELDS = {"country": "BE", "region": "", "population_band": "50k_100k"}


def test_a_stale_municipality_form_gets_a_conflict_page_and_keeps_the_newer_save(
        app: Flask, client: FlaskClient, session: Session):
    town = make_municipality(session, "Mechlen")
    make_user(session, "root")
    make_user(session, "adv", Role.ADMIN)
    other = app.test_client()
    login(client, "root")
    login(other, "adv")
    url = f"/municipalities/{town.public_id}/edit"
    mine = client.get(url).get_data(as_text=True)
    theirs = other.get(url).get_data(as_text=True)
    assert 'name="revision" type="hidden" value="1"' in mine
    first = other.post(url, data={"csrf_token": csrf_from(theirs), "revision": "1",
                                  "name": "Mechelen", **FIELDS})
    assert first.status_code == 302
    second = client.post(url, data={"csrf_token": csrf_from(mine), "revision": "1",
                                    "name": "Malines", **FIELDS})
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Someone else saved changes first" in html
    assert "<td>Mechelen</td><td>Malines</td>" in html
    fresh(session)
    assert session.get(Municipality, town.id).name == "Mechelen"  # type: ignore[union-attr]
    assert 'name="revision" type="hidden" value="2"' in html  # saving again is on purpose
    again = client.post(url, data={"csrf_token": csrf_from(html), "revision": "2",
                                   "name": "Malines", **FIELDS})
    assert again.status_code == 302
    fresh(session)
    assert session.get(Municipality, town.id).name == "Malines"  # type: ignore[union-attr]


def test_a_stale_role_change_gets_a_conflict_and_changes_nothing(
        app: Flask, client: FlaskClient, session: Session):
    make_user(session, "root")
    make_user(session, "boss")
    ada = make_user(session, "ada", Role.ADVISOR)
    other = app.test_client()
    login(client, "root")
    login(other, "boss")
    url = f"/users/{ada.public_id}"
    mine = client.get(url).get_data(as_text=True)
    theirs = other.get(url).get_data(as_text=True)
    assert 'name="was_role" type="hidden" value="advisor"' in mine
    stale = {"was_role": "advisor", "was_municipality": "", "municipality": ""}
    first = other.post(f"{url}/role", data={"csrf_token": csrf_from(theirs),
                                            "role": Role.NATIONAL_COORDINATOR, **stale})
    assert first.status_code == 302
    second = client.post(f"{url}/role", data={"csrf_token": csrf_from(mine),
                                              "role": Role.ADMIN, **stale})
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "its role is now National coordinator" in html
    assert "You chose Administrator" in html
    fresh(session)
    stored = session.get(type(ada), ada.id)
    assert stored is not None
    assert stored.role == Role.NATIONAL_COORDINATOR
