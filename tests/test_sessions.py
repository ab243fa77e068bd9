"""Server-side sessions: signing out, a new password, deactivation and an admin end them at once,
and everyone sees and ends their own."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.models import Role, UserSession
from tests.web_helpers import PASSWORD, csrf_from, login, make_user, post_form

COOKIE = "readiness_session"


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `client`'s session cookie."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    other = app.test_client()
    other.set_cookie(COOKIE, cookie.value)
    return other


def signed_in(client: FlaskClient) -> bool:
    """Whether `client` opens the signed-in home page."""
    return client.get("/").status_code == 200


def test_a_cookie_copied_before_sign_out_opens_nothing_after(app: Flask, client: FlaskClient,
                                                              session: Session):
    make_user(session, "ada")
    login(client, "ada")
    stolen = copy_of(app, client)
    assert signed_in(stolen)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    assert not signed_in(stolen)
    assert session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_changing_your_password_ends_every_other_session_but_keeps_this_one(
        app: Flask, client: FlaskClient, session: Session):
    make_user(session, "ada")
    login(client, "ada")
    laptop = app.test_client()
    login(laptop, "ada")
    stolen = copy_of(app, client)
    changed = post_form(client, "/account/password", {
        "current_password": PASSWORD, "new_password": "another long password",
        "confirm_password": "another long password"})
    assert changed.status_code == 302
    assert signed_in(client)
    assert not signed_in(laptop)
    assert not signed_in(stolen)  # the old cookie of this browser too


def test_an_admin_signs_a_user_out_everywhere_and_deactivation_ends_sessions_too(
        app: Flask, client: FlaskClient, session: Session):
    make_user(session, "root")
    ada = make_user(session, "ada", Role.ADVISOR)
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "ada")
    login(laptop, "ada")
    login(client, "root")
    ended = post_form(client, f"/users/{ada.public_id}", to=f"/users/{ada.public_id}/sessions/end")
    assert ended.status_code == 302
    assert "2 sessions ended" in client.get(ended.headers["Location"]).get_data(as_text=True)
    assert not signed_in(phone)
    assert not signed_in(laptop)
    login(phone, "ada")
    post_form(client, f"/users/{ada.public_id}", to=f"/users/{ada.public_id}/deactivate")
    assert not signed_in(phone)


def test_you_see_your_sessions_and_end_another_browsers(app: Flask, client: FlaskClient,
                                                        session: Session):
    make_user(session, "ada")
    make_user(session, "bob")
    laptop, bobs = app.test_client(), app.test_client()
    login(laptop, "ada")
    login(bobs, "bob")
    login(client, "ada")
    page = client.get("/account/sessions", headers={"User-Agent": "Firefox"}).get_data(
        as_text=True)
    ends = re.findall(r'action="/account/sessions/([A-Za-z0-9_-]+)/end"', page)
    assert len(ends) == 2
    assert "(this browser)" in page
    bob_id = session.scalar(select(UserSession.public_id).join(UserSession.user)
                            .where(UserSession.user.has(username="bob")))
    token = csrf_from(page)
    assert client.post(f"/account/sessions/{bob_id}/end",
                       data={"csrf_token": token}).status_code == 404
    assert signed_in(bobs)
    assert client.post(f"/account/sessions/{ends[1]}/end",
                       data={"csrf_token": token}).status_code == 302
    assert not signed_in(laptop)
    assert signed_in(client)
