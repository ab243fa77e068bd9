"""The admins' Users area and everyone's change-password page: accounts, one-time passwords,
assignments, deactivation, sessions and API tokens, access, CSRF and the audit log."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from readiness.models import ApiToken, Municipality, Role, User
from readiness.services import users as services_users
from readiness.services.national import create_api_token
from tests.web_helpers import (
    PASSWORD,
    audited,
    audited_actions,
    csrf_from,
    fresh,
    login,
    make_municipality,
    make_user,
    post_form,
)

pytestmark = pytest.mark.db
_SHOWN_PASSWORD = re.compile(r'id="one-time-password"[^>]*value="([^"]+)"')


def _user(session: Session, username: str) -> User:
    fresh(session)
    return session.scalars(select(User).where(User.username == username)).one()


def _post(client: FlaskClient, url: str, data: dict[str, str] | None = None) -> TestResponse:
    """POST with the CSRF token of the signed-in client's session."""
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def _shown_password(response: TestResponse) -> str:
    found = _SHOWN_PASSWORD.search(response.get_data(as_text=True))
    assert found, "no one-time password on the page"
    return found.group(1)


def _api_status(client: FlaskClient, token: str) -> int:
    return client.get("/api/v1/summary", headers={"Authorization": f"Bearer {token}"}).status_code


@pytest.fixture
def admin(client: FlaskClient, session: Session) -> FlaskClient:
    """A client signed in as the admin `root` (a second admin, `deputy`, exists too)."""
    make_user(session, "root", Role.ADMIN)
    make_user(session, "deputy", Role.ADMIN)
    login(client, "root")
    return client


def _create(admin: FlaskClient, **data: str) -> TestResponse:
    return post_form(admin, "/users/new", data)


# ---------------------------------------------------------------- creating


def test_a_new_user_signs_in_with_the_one_time_password_shown_after_creating(
        app: Flask, admin: FlaskClient, session: Session):
    response = _create(admin, username="  Nora ", role=Role.NATIONAL_COORDINATOR)
    assert response.status_code == 200
    password = _shown_password(response)
    assert len(password) >= 20
    assert "shown only this once" in response.get_data(as_text=True)
    assert _user(session, "nora").role == Role.NATIONAL_COORDINATOR
    nora = app.test_client()
    login(nora, "nora", password)
    assert nora.get("/").headers["Location"] == "/account/password"
    choose_own_password(nora, password)
    assert "Signed in as nora" in nora.get("/").get_data(as_text=True)


def choose_own_password(client: FlaskClient, one_time: str) -> None:
    """Replace the signed-in user's one-time password by one of their own."""
    new = "a passphrase of my own"
    response = post_form(client, "/account/password", {
        "current_password": one_time, "new_password": new, "confirm_password": new})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_one_time_password_opens_only_the_change_password_page_until_replaced(
        app: Flask, admin: FlaskClient, session: Session):
    password = _shown_password(_create(admin, username="nora",
                                       role=Role.NATIONAL_COORDINATOR))
    nora = app.test_client()
    assert login(nora, "nora", password).headers["Location"] == "/dashboard/"
    for page in ("/", "/dashboard/", "/dashboard/export.csv", "/municipalities/new"):
        assert nora.get(page).headers.get("Location") == "/account/password", page
    page = nora.get("/account/password")
    assert page.status_code == 200
    assert "You signed in with a one-time password" in page.get_data(as_text=True)
    choose_own_password(nora, password)
    assert not _user(session, "nora").must_change_password
    assert nora.get("/dashboard/").status_code == 200
    assert "one-time password" not in nora.get("/account/password").get_data(as_text=True)


def test_reset_and_reactivation_hand_over_one_time_passwords_too(
        admin: FlaskClient, session: Session):
    ava = make_user(session, "ava", Role.ADVISOR)
    assert not _user(session, "ava").must_change_password  # made with a chosen password
    _post(admin, f"/users/{ava.public_id}/password")
    assert _user(session, "ava").must_change_password
    ava_row = _user(session, "ava")
    ava_row.must_change_password = False
    session.commit()
    _post(admin, f"/users/{ava.public_id}/deactivate")
    _post(admin, f"/users/{ava.public_id}/reactivate")
    assert _user(session, "ava").must_change_password


def test_the_one_time_password_is_stored_only_as_a_hash_and_never_shown_again(
        app: Flask, admin: FlaskClient, session: Session):
    response = _create(admin, username="nora", role=Role.NATIONAL_COORDINATOR)
    password = _shown_password(response)
    nora = _user(session, "nora")
    assert nora.password_hash.startswith("scrypt:")
    assert password not in nora.password_hash
    for page in ("/users/", f"/users/{nora.public_id}"):
        assert password not in admin.get(page).get_data(as_text=True)
    cookie = admin.get_cookie("readiness_session")
    assert cookie is not None
    stored = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert password not in repr(stored)  # not even in the (signed, readable) session cookie


def test_a_municipality_coordinator_without_a_municipality_is_refused_and_nothing_stored(
        admin: FlaskClient, session: Session):
    make_municipality(session, "Mechelen")
    response = _create(admin, username="mia", role=Role.MUNICIPALITY_COORDINATOR,
                       municipality="")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert '<a href="#municipality">Choose the municipality this coordinator works for</a>' in html
    assert 'aria-describedby="municipality-hint municipality-error"' in html
    assert session.scalar(select(User).where(User.username == "mia")) is None


def test_a_coordinator_is_created_for_the_municipality_chosen_from_the_list(
        admin: FlaskClient, session: Session):
    mechelen = make_municipality(session, "Mechelen")
    form = admin.get("/users/new").get_data(as_text=True)
    assert f'<option value="{mechelen.public_id}">Mechelen (BE)</option>' in form
    _create(admin, username="mia", role=Role.MUNICIPALITY_COORDINATOR,
            municipality=mechelen.public_id)
    assert _user(session, "mia").municipality_id == mechelen.id


def test_a_municipality_that_is_not_in_the_list_is_refused(admin: FlaskClient,
                                                          session: Session):
    response = _create(admin, username="mia", role=Role.MUNICIPALITY_COORDINATOR,
                       municipality="AAAAAAAAAAAAAAAA")
    assert response.status_code == 400
    assert session.scalar(select(User).where(User.username == "mia")) is None


def test_a_taken_username_in_any_case_is_refused_with_a_clear_error(admin: FlaskClient,
                                                                   session: Session):
    response = _create(admin, username="DEPUTY", role=Role.ADVISOR)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="#username">This username is taken: choose another one</a>' in html
    assert session.scalar(select(User).where(User.username == "deputy")).role == Role.ADMIN


def test_an_empty_form_names_every_missing_answer(admin: FlaskClient):
    html = _create(admin).get_data(as_text=True)
    assert '<a href="#username">Enter a username</a>' in html
    assert '<a href="#role-0">Choose a role</a>' in html
    assert "<title>Error: Create a user" in html


def test_hostile_usernames_and_markup_are_shown_as_text(admin: FlaskClient, session: Session):
    hostile = '<script>alert("x")</script>'
    response = _create(admin, username=hostile, role=Role.ADVISOR)
    assert response.status_code == 200
    user = _user(session, hostile)
    for html in (response.get_data(as_text=True), admin.get("/users/").get_data(as_text=True),
                 admin.get(f"/users/{user.public_id}").get_data(as_text=True),
                 _post(admin, f"/users/{user.public_id}/deactivate").get_data(as_text=True),
                 admin.get(f"/users/{user.public_id}").get_data(as_text=True)):
        assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


# ---------------------------------------------------------------- the list


def test_the_list_shows_roles_municipalities_and_status_and_pages_many_users(
        admin: FlaskClient, session: Session):
    mechelen = make_municipality(session, "Mechelen")
    make_user(session, "mia", Role.MUNICIPALITY_COORDINATOR, municipality=mechelen)
    advisor = make_user(session, "ava", Role.ADVISOR)
    for name in ("Gent", "Hasselt", "Leuven", "Mons"):
        advisor.assigned.append(make_municipality(session, name))
    session.commit()
    html = admin.get("/users/").get_data(as_text=True)
    assert "Municipality coordinator</td>" in html
    assert "<td>Mechelen</td>" in html
    assert "Gent, Hasselt, Leuven and 1 more" in html
    assert "Administrator</td>" in html
    for n in range(120):
        session.add(User(username=f"user{n:03d}", role=Role.ADVISOR, password_hash="x"))
    session.commit()
    first = admin.get("/users/").get_data(as_text=True)
    assert "Users 1 to 50 of 124, by username" in first
    assert 'href="/users/?page=2"' in first
    last = admin.get("/users/?page=3").get_data(as_text=True)
    assert "Users 101 to 124 of 124" in last
    assert admin.get("/users/?page=%D9%A3").status_code == 200  # non-ASCII digits: page 1
    found = admin.get("/users/?q=USER11").get_data(as_text=True)
    assert "of 10" in found
    assert ">user115</a>" in found
    assert "No username contains “%_”." in admin.get("/users/?q=%25_").get_data(as_text=True)


# ---------------------------------------------------------------- assignments


def test_assigning_and_removing_a_municipality_opens_and_closes_it_for_the_advisor(
        app: Flask, admin: FlaskClient, session: Session):
    mechelen = make_municipality(session, "Mechelen")
    ava = make_user(session, "ava", Role.ADVISOR)
    advisor = app.test_client()
    login(advisor, "ava")
    page = f"/municipalities/{mechelen.public_id}"
    assert advisor.get(page).status_code == 404
    response = _post(admin, f"/users/{ava.public_id}/assignments",
                     {"assign_to": mechelen.public_id})
    assert response.status_code == 302
    assert advisor.get(page).status_code == 200
    response = _post(admin, f"/users/{ava.public_id}/assignments/{mechelen.public_id}/remove")
    assert response.status_code == 302
    assert advisor.get(page).status_code == 404
    actions = session.scalars(audited_actions()).all()
    assert actions == ["advisor_assigned", "advisor_unassigned"]


def test_an_advisor_created_with_a_municipality_is_assigned_to_it(admin: FlaskClient,
                                                                  session: Session):
    mechelen = make_municipality(session, "Mechelen")
    _create(admin, username="ava", role=Role.ADVISOR, municipality=mechelen.public_id)
    assert [m.name for m in _user(session, "ava").assigned] == ["Mechelen"]


def test_only_advisors_are_assigned_and_an_empty_choice_is_refused(admin: FlaskClient,
                                                                   session: Session):
    mechelen = make_municipality(session, "Mechelen")
    nora = make_user(session, "nora", Role.NATIONAL_COORDINATOR)
    refused = _post(admin, f"/users/{nora.public_id}/assignments",
                    {"assign_to": mechelen.public_id})
    assert refused.status_code == 400
    assert "Only advisors are assigned to municipalities" in refused.get_data(as_text=True)
    ava = make_user(session, "ava", Role.ADVISOR)
    empty = _post(admin, f"/users/{ava.public_id}/assignments", {"assign_to": ""})
    assert empty.status_code == 400
    assert '<a href="#assign_to">Choose a municipality to assign</a>' in empty.get_data(
        as_text=True)
    assert _user(session, "ava").assigned == []


# ---------------------------------------------------------------- deactivating


def test_deactivating_ends_the_users_session_and_their_api_token_gets_401(
        app: Flask, admin: FlaskClient, session: Session):
    nora = make_user(session, "nora", Role.NATIONAL_COORDINATOR)
    _row, token = create_api_token(session, "nora")
    session.commit()
    other = app.test_client()
    login(other, "nora")
    assert other.get("/").status_code == 200
    assert _api_status(other, token) == 200
    response = _post(admin, f"/users/{nora.public_id}/deactivate")
    assert response.status_code == 302
    assert "is deactivated" in admin.get(response.headers["Location"]).get_data(as_text=True)
    refused = other.get("/")
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/login")
    assert _api_status(app.test_client(), token) == 401
    assert post_form(app.test_client(), "/login",
                     {"username": "nora", "password": PASSWORD}).status_code == 401


def test_reactivating_gives_a_new_password_and_brings_back_no_old_session_or_token(
        app: Flask, admin: FlaskClient, session: Session):
    nora = make_user(session, "nora", Role.NATIONAL_COORDINATOR)
    _row, token = create_api_token(session, "nora")
    session.commit()
    other = app.test_client()
    login(other, "nora")
    _post(admin, f"/users/{nora.public_id}/deactivate")
    response = _post(admin, f"/users/{nora.public_id}/reactivate")
    assert response.status_code == 200
    password = _shown_password(response)
    assert other.get("/").status_code == 302
    assert _api_status(app.test_client(), token) == 401
    login(app.test_client(), "nora", password)
    assert _user(session, "nora").active


def test_an_admin_cannot_deactivate_change_or_reset_their_own_account(admin: FlaskClient,
                                                                      session: Session):
    root = _user(session, "root")
    for action, data in (("deactivate", {}), ("role", {"role": Role.ADVISOR}),
                         ("password", {})):
        response = _post(admin, f"/users/{root.public_id}/{action}", data)
        assert response.status_code == 400, action
        assert "You cannot do this to your own account" in response.get_data(as_text=True)
    root = _user(session, "root")
    assert root.active
    assert root.role == Role.ADMIN
    assert admin.get("/users/").status_code == 200  # still signed in
    page = admin.get(f"/users/{root.public_id}").get_data(as_text=True)
    assert "Deactivate" not in page


def test_the_last_active_admin_is_never_taken_away(app: Flask, session: Session):
    """Two admins removing each other at once: the second finds the first already gone."""
    root = make_user(session, "root", Role.ADMIN)
    deputy = make_user(session, "deputy", Role.ADMIN)
    deputy.active = False  # deputy's own deactivation of root... committed first: root is last
    session.commit()
    with pytest.raises(services_users.UserRefused) as refused:
        services_users.deactivate(session, deputy, root)
    assert refused.value.reason == services_users.Reason.LAST_ADMIN
    with pytest.raises(services_users.UserRefused):
        services_users.change_role(session, deputy, root, Role.ADVISOR)
    session.rollback()
    assert _user(session, "root").active


# ---------------------------------------------------------------- passwords


def test_resetting_a_password_ends_the_users_sessions_and_the_old_password(
        app: Flask, admin: FlaskClient, session: Session):
    ava = make_user(session, "ava", Role.ADVISOR)
    other = app.test_client()
    login(other, "ava")
    response = _post(admin, f"/users/{ava.public_id}/password")
    assert response.status_code == 200
    password = _shown_password(response)
    assert other.get("/").status_code == 302
    assert post_form(app.test_client(), "/login",
                     {"username": "ava", "password": PASSWORD}).status_code == 401
    login(app.test_client(), "ava", password)


def test_changing_your_password_keeps_this_session_and_ends_the_others(
        app: Flask, client: FlaskClient, session: Session):
    make_user(session, "ava", Role.ADVISOR)
    login(client, "ava")
    elsewhere = app.test_client()
    login(elsewhere, "ava")
    new = "a brand new passphrase"
    response = post_form(client, "/account/password", {
        "current_password": PASSWORD, "new_password": new, "confirm_password": new})
    assert response.status_code == 302
    assert "Your password is changed" in client.get("/").get_data(as_text=True)
    assert elsewhere.get("/").status_code == 302
    login(app.test_client(), "ava", new)
    events = session.scalars(audited()).all()
    assert [(e.action, e.user_id) for e in events] == [("password_changed", _user(session,
                                                                                 "ava").id)]


@pytest.mark.parametrize(("data", "message"), [
    ({"current_password": "not my password", "new_password": "a brand new passphrase",
      "confirm_password": "a brand new passphrase"}, "Your current password is not right"),
    ({"current_password": PASSWORD, "new_password": "short",
      "confirm_password": "short"}, "The new password needs 12 to 256 characters"),
    ({"current_password": PASSWORD, "new_password": "a brand new passphrase",
      "confirm_password": "a brand new passphrasf"}, "The two new passwords are not the same"),
    ({"current_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD},
     "The new password is your current one"),
    ({}, "Enter your current password"),
])
def test_a_refused_password_change_says_why_and_changes_nothing(
        client: FlaskClient, session: Session, data: dict[str, str], message: str):
    before = make_user(session, "ava", Role.ADVISOR).password_hash
    login(client, "ava")
    response = post_form(client, "/account/password", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert message in html
    assert "<title>Error: Change your password" in html
    assert _user(session, "ava").password_hash == before
    assert client.get("/").status_code == 200


def test_guessing_the_current_password_is_throttled_like_signing_in(client: FlaskClient,
                                                                     session: Session):
    make_user(session, "ava", Role.ADVISOR)
    login(client, "ava")
    wrong = {"current_password": "guess", "new_password": "a brand new passphrase",
             "confirm_password": "a brand new passphrase"}
    for _ in range(4):
        post_form(client, "/account/password", wrong)
    assert post_form(client, "/account/password", wrong).status_code == 429


# ---------------------------------------------------------------- roles


def test_changing_a_role_takes_effect_at_once_and_tidies_what_the_old_role_had(
        app: Flask, admin: FlaskClient, session: Session):
    mechelen = make_municipality(session, "Mechelen")
    nora = make_user(session, "nora", Role.NATIONAL_COORDINATOR)
    _row, token = create_api_token(session, "nora")
    session.commit()
    other = app.test_client()
    login(other, "nora")
    assert other.get("/dashboard/").status_code == 200
    response = _post(admin, f"/users/{nora.public_id}/role",
                     {"role": Role.ADVISOR, "municipality": mechelen.public_id})
    assert response.status_code == 302
    assert other.get("/dashboard/").status_code == 403
    assert other.get(f"/municipalities/{mechelen.public_id}").status_code == 200
    assert _api_status(app.test_client(), token) == 401  # revoked, not just forbidden
    response = _post(admin, f"/users/{nora.public_id}/role",
                     {"role": Role.MUNICIPALITY_COORDINATOR, "municipality": ""})
    assert response.status_code == 400
    response = _post(admin, f"/users/{nora.public_id}/role",
                     {"role": Role.MUNICIPALITY_COORDINATOR, "municipality": mechelen.public_id})
    nora = _user(session, "nora")
    assert (nora.role, nora.municipality_id, nora.assigned) == (
        Role.MUNICIPALITY_COORDINATOR, mechelen.id, [])


# ---------------------------------------------------------------- API tokens


def test_an_admin_revokes_an_api_token_from_the_list(app: Flask, admin: FlaskClient,
                                                     session: Session):
    make_user(session, "nora", Role.NATIONAL_COORDINATOR)
    row, token = create_api_token(session, "nora", "Statistics office")
    session.commit()
    html = admin.get("/users/tokens").get_data(as_text=True)
    assert "Statistics office" in html
    assert token not in html
    response = _post(admin, f"/users/tokens/{row.public_id}/revoke")
    assert response.status_code == 302
    assert _api_status(app.test_client(), token) == 401
    assert session.scalars(audited_actions()).all() == ["api_token_revoked"]
    assert _post(admin, "/users/tokens/AAAAAAAAAAAAAAAA/revoke").status_code == 404


# ---------------------------------------------------------------- audit


def test_every_action_is_audited_naming_who_did_what_to_whom_without_passwords(
        admin: FlaskClient, session: Session):
    mechelen = make_municipality(session, "Mechelen")
    shown = [_shown_password(_create(admin, username="ava", role=Role.ADVISOR))]
    ava = _user(session, "ava")
    _post(admin, f"/users/{ava.public_id}/assignments", {"assign_to": mechelen.public_id})
    shown.append(_shown_password(_post(admin, f"/users/{ava.public_id}/password")))
    _post(admin, f"/users/{ava.public_id}/role", {"role": Role.NATIONAL_COORDINATOR})
    _post(admin, f"/users/{ava.public_id}/deactivate")
    shown.append(_shown_password(_post(admin, f"/users/{ava.public_id}/reactivate")))
    fresh(session)
    root = _user(session, "root")
    events = session.scalars(audited()).all()
    assert [e.action for e in events] == [
        "user_created", "advisor_assigned", "password_reset", "user_role_national_coordinator",
        "user_deactivated", "user_reactivated"]
    assert {(e.user_id, e.object_type, e.object_id) for e in events} == {
        (root.id, "user", ava.public_id)}
    assert events[1].municipality_id == mechelen.id
    for event in events:
        text = " ".join(str(v) for v in vars(event).values())
        assert not any(password in text for password in shown)


# ---------------------------------------------------------------- access and CSRF


def _users_urls(session: Session) -> list[tuple[str, str]]:
    target = make_user(session, "target", Role.ADVISOR)
    place = make_municipality(session, "Mechelen", advisor=target)
    make_user(session, "nora", Role.NATIONAL_COORDINATOR)
    row, _token = create_api_token(session, "nora")
    session.commit()
    user = f"/users/{target.public_id}"
    return [("GET", "/users/"), ("GET", "/users/?page=2"), ("GET", "/users/new"),
            ("POST", "/users/new"), ("GET", user), ("POST", f"{user}/role"),
            ("POST", f"{user}/assignments"),
            ("POST", f"{user}/assignments/{place.public_id}/remove"),
            ("POST", f"{user}/password"), ("POST", f"{user}/deactivate"),
            ("POST", f"{user}/reactivate"), ("GET", "/users/tokens"),
            ("POST", f"/users/tokens/{row.public_id}/revoke"),
            ("GET", "/users/AAAAAAAAAAAAAAAA")]


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.MUNICIPALITY_COORDINATOR,
                                  Role.NATIONAL_COORDINATOR])
def test_every_users_url_answers_403_to_other_roles(client: FlaskClient, session: Session,
                                                    role: str):
    urls = _users_urls(session)
    make_user(session, "someone", role, municipality=session.scalars(select(Municipality)).one()
              if role == Role.MUNICIPALITY_COORDINATOR else None)
    login(client, "someone")
    for method, url in urls:
        reply = client.get(url) if method == "GET" else _post(client, url, {
            "username": "intruder", "role": Role.ADMIN})
        assert reply.status_code == 403, (role, method, url)
    fresh(session)
    assert session.scalar(select(User).where(User.username == "intruder")) is None
    assert _user(session, "target").active
    assert session.scalars(select(ApiToken.revoked_at)).one() is None
    assert session.scalars(audited()).all() == []


def test_every_users_url_sends_signed_out_visitors_to_sign_in(client: FlaskClient,
                                                              session: Session):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for method, url in _users_urls(session):
        reply = client.open(url, method=method, data={"csrf_token": token})
        assert reply.status_code == 302, (method, url)
        assert reply.headers["Location"].startswith("/login?next=")
    assert client.get("/account/password").headers["Location"].startswith("/login?next=")


def test_a_post_without_its_csrf_token_stores_nothing(admin: FlaskClient, session: Session):
    ava = make_user(session, "ava", Role.ADVISOR)
    before = ava.password_hash
    for url, data in (("/users/new", {"username": "mallory", "role": Role.ADMIN}),
                      (f"/users/{ava.public_id}/deactivate", {}),
                      (f"/users/{ava.public_id}/password", {}),
                      (f"/users/{ava.public_id}/role", {"role": Role.ADMIN}),
                      ("/account/password", {"current_password": PASSWORD,
                                             "new_password": "x" * 20,
                                             "confirm_password": "x" * 20})):
        response = admin.post(url, data=data)
        assert response.status_code == 400, url
        assert "This form has expired" in response.get_data(as_text=True)
    ava = _user(session, "ava")
    assert (ava.active, ava.role, ava.password_hash) == (True, Role.ADVISOR, before)
    assert session.scalar(select(User).where(User.username == "mallory")) is None
    assert session.scalars(audited()).all() == []
    login(admin, "root")  # the admin's password did not change either


@pytest.mark.parametrize("url", ["/users/AAAAAAAAAAAAAAAA", "/users/%00", "/users/" + "x" * 200,
                                 "/users/1"])
def test_unknown_or_malformed_user_ids_find_nothing(admin: FlaskClient, url: str):
    assert admin.get(url).status_code == 404


def test_the_menu_offers_users_to_admins_and_change_password_to_everyone(
        app: Flask, admin: FlaskClient, session: Session):
    nav = admin.get("/").get_data(as_text=True)
    assert 'href="/users/">Users</a>' in nav
    assert 'href="/account/password">Change password</a>' in nav
    make_user(session, "ava", Role.ADVISOR)
    other = app.test_client()
    login(other, "ava")
    nav = other.get("/").get_data(as_text=True)
    assert 'href="/users/"' not in nav
    assert 'href="/account/password">Change password</a>' in nav


# ---------------------------------------------------------------- API tokens in the browser


def test_an_admin_makes_an_api_token_shown_once_that_opens_the_api(
        app: Flask, admin: FlaskClient, session: Session):
    nora = make_user(session, "nora", Role.NATIONAL_COORDINATOR)
    page = admin.get("/users/tokens").get_data(as_text=True)
    assert f'value="{nora.public_id}"' in page
    made = _post(admin, "/users/tokens", {"holder": nora.public_id, "name": "<b>BI tool</b>"})
    assert made.status_code == 200
    html = made.get_data(as_text=True)
    assert "shown only this once" in html
    assert "&lt;b&gt;BI tool&lt;/b&gt;" in html
    secret = re.search(r'id="api-token" [^>]*value="([^"]+)"', html)
    assert secret
    assert _api_status(app.test_client(), secret.group(1)) == 200
    row = session.scalars(select(ApiToken)).one()
    assert row.token_hash != secret.group(1)
    assert secret.group(1) not in admin.get("/users/tokens").get_data(as_text=True)
    events = session.scalars(audited_actions()).all()
    assert "api_token_created" in events


def test_a_token_is_refused_for_users_who_may_not_use_the_api(
        admin: FlaskClient, session: Session):
    ava = make_user(session, "ava", Role.ADVISOR)
    page = admin.get("/users/tokens").get_data(as_text=True)
    assert f'value="{ava.public_id}"' not in page  # not offered...
    forced = _post(admin, "/users/tokens", {"holder": ava.public_id})
    assert forced.status_code == 400  # ...and refused when forced
    assert "There is a problem" in forced.get_data(as_text=True)
    assert session.scalars(select(ApiToken)).all() == []
    empty = _post(admin, "/users/tokens", {"holder": ""})
    assert empty.status_code == 400
    assert "Choose who the token is for" in empty.get_data(as_text=True)
