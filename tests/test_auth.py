"""Sign-in, throttling of failed attempts, sessions, and the one place that decides access."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness import auth
from readiness.models import Municipality, Role
from readiness.services import assessments as services
from tests.web_helpers import FAST_HASH, PASSWORD, csrf_from, login, make_municipality, make_user


def test_a_user_signs_in_with_the_right_password_and_lands_on_their_municipalities(
        client: FlaskClient, session: Session):
    make_user(session, "ada", Role.ADMIN)
    response = login(client, "Ada")
    assert response.headers["Location"] == "/"
    assert "Signed in as ada" in client.get("/").get_data(as_text=True)


def test_the_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient, session: Session):
    make_user(session, "ada")
    response = login(client, "ada")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_a_wrong_password_is_refused_with_a_summary_message(client: FlaskClient,
                                                            session: Session):
    make_user(session, "ada")
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": csrf_from(page), "username": "ada",
                                           "password": "wrong password!"})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "The username or password is not right." in html
    assert "There is a problem" in html
    assert "<title>Error: Sign in" in html


def test_empty_fields_link_from_the_error_summary_to_the_field(client: FlaskClient):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": csrf_from(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="#username">Enter your username</a>' in html
    assert 'aria-describedby="username-error"' in html


def test_five_failures_lock_the_account_from_that_address_even_for_the_right_password(
        client: FlaskClient, session: Session):
    make_user(session, "ada")
    page = client.get("/login").get_data(as_text=True)
    token = csrf_from(page)
    for _ in range(5):
        client.post("/login", data={"csrf_token": token, "username": "ada",
                                    "password": "not the password"})
    response = client.post("/login", data={"csrf_token": token, "username": "ada",
                                           "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_the_account_back_off_doubles_with_each_failure_and_ends(app: Flask, session: Session):
    make_user(session, "ada")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with app.test_request_context("/login", method="POST"):
        for _ in range(5):
            assert auth.authenticate(session, "ada", "nope", "10.0.0.1", now=start).user is None
        locked = auth.authenticate(session, "ada", PASSWORD, "10.0.0.2", now=start)
        assert locked.locked
        assert locked.retry_at == start + timedelta(seconds=30)
        later = start + timedelta(seconds=31)
        sixth = auth.authenticate(session, "ada", "nope", "10.0.0.3", now=later)
        assert sixth.retry_at == later + timedelta(seconds=60)
        assert auth.authenticate(session, "ada", PASSWORD, "10.0.0.3",
                                 now=later + timedelta(seconds=59)).locked
        assert auth.authenticate(session, "ada", PASSWORD, "10.0.0.1",
                                 now=later + timedelta(seconds=61)).user is not None


def test_guesses_from_forty_addresses_meet_the_account_limit(app: Flask, session: Session):
    make_user(session, "ada")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with app.test_request_context("/login", method="POST"):
        outcomes = [auth.authenticate(session, "ada", f"guess {n}", f"203.0.113.{n}", now=now)
                    for n in range(40)]
        # four wrong passwords, the fifth starts the back-off, the other 35 are not even checked
        assert [o.locked for o in outcomes] == [False] * 4 + [True] * 36
        assert auth.authenticate(session, "ada", PASSWORD, "198.51.100.1", now=now).locked


def test_made_up_usernames_from_one_address_lock_no_one_else_out(app: Flask, session: Session):
    make_user(session, "ada")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with app.test_request_context("/login", method="POST"):
        for n in range(25):
            auth.authenticate(session, f"nobody{n}", "guess", "10.0.0.9", now=now)
        assert auth.authenticate(session, "ada", PASSWORD, "10.0.0.9", now=now).user is not None


def test_a_busy_address_may_not_retry_an_account_it_failed_on(app: Flask, session: Session):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with app.test_request_context("/login", method="POST"):
        for n in range(20):
            auth.authenticate(session, f"nobody{n}", "guess", "10.0.0.9", now=now)
        assert auth.authenticate(session, "nobody0", "guess", "10.0.0.9", now=now).locked
        assert not auth.authenticate(session, "nobody0", "guess", "10.0.0.8", now=now).locked


def test_a_browser_that_signed_in_before_is_not_locked_out_by_a_guesser(
        app: Flask, session: Session):
    make_user(session, "ada")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with app.test_request_context("/login", method="POST"):
        for n in range(8):
            auth.authenticate(session, "ada", "guess", f"203.0.113.{n}", now=now)
        assert auth.authenticate(session, "ada", PASSWORD, "10.0.0.1", now=now).locked
        own = auth.authenticate(session, "ada", PASSWORD, "10.0.0.1", now=now, device="laptop")
        assert own.user is not None
        for _ in range(5):  # the device's own failures still count against it
            auth.authenticate(session, "ada", "typo", "10.0.0.1", now=now, device="laptop")
        assert auth.authenticate(session, "ada", PASSWORD, "10.0.0.1", now=now,
                                 device="laptop").locked


def test_the_device_cookie_lets_its_owner_in_while_the_account_is_under_attack(
        client: FlaskClient, app: Flask, session: Session):
    make_user(session, "ada")
    login(client, "ada")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    with app.test_request_context("/login", method="POST"):
        for n in range(8):
            auth.authenticate(session, "ada", "guess", f"203.0.113.{n}")
        session.commit()
    assert login(client, "ada").status_code == 302
    stranger = app.test_client()
    page = stranger.get("/login").get_data(as_text=True)
    refused = stranger.post("/login", data={"csrf_token": csrf_from(page), "username": "ada",
                                            "password": PASSWORD})
    assert refused.status_code == 429


def test_an_inactive_user_cannot_sign_in(app: Flask, session: Session):
    user = make_user(session, "ada")
    user.active = False
    session.commit()
    with app.test_request_context("/login", method="POST"):
        assert auth.authenticate(session, "ada", PASSWORD, "10.0.0.1").user is None


def test_changing_the_password_ends_open_sessions(client: FlaskClient, session: Session):
    user = make_user(session, "ada")
    login(client, "ada")
    services.set_password(user, "a brand new password", password_method=FAST_HASH)
    session.commit()
    assert client.get("/").status_code == 302


def test_sign_out_needs_a_post_with_a_csrf_token(client: FlaskClient, session: Session):
    make_user(session, "ada")
    login(client, "ada")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    page = client.get("/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert client.get("/").status_code == 302


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client: FlaskClient, session: Session):
    make_user(session, "ada")
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/"
    page = client.get("/login?next=/").get_data(as_text=True)
    signed_in = client.post("/login?next=/", data={"csrf_token": csrf_from(page),
                                                   "username": "ada", "password": PASSWORD})
    assert signed_in.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x",
                                    "/\\evil.example", "relative/path", ""])
def test_redirects_after_sign_in_never_leave_the_site(target: str):
    assert auth.safe_next(target) is None


def test_roles_see_what_their_role_allows(session: Session):
    advisor = make_user(session, "advisor", Role.ADVISOR)
    own = make_municipality(session, "Own", advisor=advisor)
    other = make_municipality(session, "Other")
    coordinator = make_user(session, "coord", Role.MUNICIPALITY_COORDINATOR, municipality=own)
    national = make_user(session, "national", Role.NATIONAL_COORDINATOR)
    admin = make_user(session, "admin", Role.ADMIN)
    view, manage = auth.Access.VIEW, auth.Access.MANAGE
    expected = {
        admin: {own: (True, True), other: (True, True)},
        national: {own: (True, False), other: (True, False)},
        advisor: {own: (True, True), other: (False, False)},
        coordinator: {own: (True, True), other: (False, False)},
    }
    for user, rights in expected.items():
        visible = set(session.scalars(select(Municipality.name)
                                      .where(auth.municipality_filter(user))))
        for municipality, (may_view, may_manage) in rights.items():
            assert auth.can(user, view, municipality) is may_view, (user.role, municipality.name)
            assert auth.can(user, manage, municipality) is may_manage
            assert (municipality.name in visible) is may_view
    assert [auth.can_create_municipality(u) for u in (admin, national, advisor, coordinator)] == [
        True, False, True, False]
