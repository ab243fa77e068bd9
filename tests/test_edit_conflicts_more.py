"""Two people editing one account, one tracked action or one round's context answers: the
second save made from a page opened before the first gets the conflict page (409) with both
values (the account as it is now and what was asked; the fields, theirs and yours), and changes
nothing; the page it shows carries the new version, so saving again is on purpose."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from readiness.core.questionnaire import get_questionnaire
from readiness.models import Assessment, Invitation, PlanAction, Role, User
from readiness.web.forms import item_field
from tests.erasure_helpers import closed_round
from tests.web_helpers import (
    csrf_from,
    fresh,
    login,
    make_assessment,
    make_municipality,
    make_user,
)


def _two_admins(app: Flask, client: FlaskClient, session: Session) -> tuple[FlaskClient, User]:
    """`client` and a second admin's browser, and an advisor working with Mechelen."""
    make_user(session, "root")
    make_user(session, "adm2")
    advisor = make_user(session, "ada", Role.ADVISOR)
    advisor.assigned.append(make_municipality(session, "Mechelen"))
    make_municipality(session, "Lier")
    session.commit()
    other = app.test_client()
    login(client, "root")
    login(other, "adm2")
    return other, advisor


def _form(html: str, action: str) -> dict[str, str]:
    """The CSRF token and the hidden fields (the revision) the page's form for `action` sends."""
    start = html.index(f'action="{action}')
    form = html[start:html.index("</form>", start)]
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="(\d+)"', form))
    return {"csrf_token": csrf_from(html), **hidden}


def test_a_stale_assignment_after_a_deactivation_gets_the_conflict_page_and_changes_nothing(
        app: Flask, client: FlaskClient, session: Session):
    other, advisor = _two_admins(app, client, session)
    page = f"/users/{advisor.public_id}"
    mine, theirs = client.get(page).get_data(as_text=True), other.get(page).get_data(as_text=True)
    first = other.post(f"{page}/deactivate", data=_form(theirs, f"{page}/deactivate"))
    assert first.status_code == 302
    lier = next(value for value in mine.split('<option value="')[1:]
                if "Lier" in value.split("</option>")[0]).split('"')[0]
    second = client.post(f"{page}/assignments", data={
        **_form(mine, f"{page}/assignments"), "assign_to": lier})
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Someone else saved changes to this account first" in html
    assert "deactivated, works with: Mechelen" in html
    assert "You asked to: assign Lier" in html
    fresh(session)
    ada = session.get(User, advisor.id)
    assert ada is not None
    assert [m.name for m in ada.assigned] == ["Mechelen"]
    again = client.post(f"{page}/assignments", data={
        **_form(html, f"{page}/assignments"), "assign_to": lier})
    assert again.status_code == 302  # from the current page: on purpose
    fresh(session)
    assert sorted(m.name for m in ada.assigned) == ["Lier", "Mechelen"]


def test_a_stale_role_change_after_an_assignment_is_refused(
        app: Flask, client: FlaskClient, session: Session):
    other, advisor = _two_admins(app, client, session)
    page = f"/users/{advisor.public_id}"
    mine, theirs = client.get(page).get_data(as_text=True), other.get(page).get_data(as_text=True)
    mechelen = advisor.assigned[0].public_id
    removed = other.post(f"{page}/assignments/{mechelen}/remove",
                         data=_form(theirs, f"{page}/assignments/{mechelen}/remove"))
    assert removed.status_code == 302
    second = client.post(f"{page}/role", data={
        **_form(mine, f"{page}/role"), "was_role": "advisor", "was_municipality": "",
        "role": "national_coordinator", "municipality": ""})
    assert second.status_code == 409
    assert "works with: no municipality" in second.get_data(as_text=True)
    fresh(session)
    ada = session.get(User, advisor.id)
    assert ada is not None
    assert ada.role == Role.ADVISOR


def test_a_stale_deactivation_after_a_role_change_is_refused(
        app: Flask, client: FlaskClient, session: Session):
    other, advisor = _two_admins(app, client, session)
    page = f"/users/{advisor.public_id}"
    mine, theirs = client.get(page).get_data(as_text=True), other.get(page).get_data(as_text=True)
    changed = other.post(f"{page}/role", data={
        **_form(theirs, f"{page}/role"), "was_role": "advisor", "was_municipality": "",
        "role": "national_coordinator", "municipality": ""})
    assert changed.status_code == 302
    second = client.post(f"{page}/deactivate", data=_form(mine, f"{page}/deactivate"))
    assert second.status_code == 409
    assert "You asked to: deactivate the account" in second.get_data(as_text=True)
    fresh(session)
    ada = session.get(User, advisor.id)
    assert ada is not None
    assert ada.active


def test_a_stale_save_of_a_tracked_action_gets_the_conflict_page_with_both_values(
        app: Flask, client: FlaskClient, session: Session):
    make_user(session, "root")
    make_user(session, "adm2")
    town = make_municipality(session, "Mechelen")
    closed_round(session, town)
    action = session.scalars(select(PlanAction).order_by(PlanAction.id)).first()
    assert action is not None
    other = app.test_client()
    login(client, "root")
    login(other, "adm2")
    url = f"/plan-actions/{action.public_id}"
    mine, theirs = client.get(url).get_data(as_text=True), other.get(url).get_data(as_text=True)

    def save(html: str, browser: FlaskClient, notes: str) -> TestResponse:
        hidden = dict(re.findall(r'name="(version)" type="hidden" value="(\d+)"', html))
        return browser.post(url, data={"csrf_token": csrf_from(html), **hidden,
                                       "status": "in_progress", "notes": notes})

    assert save(theirs, other, "Protocol drafted with the police").status_code == 302
    second = save(mine, client, "Waiting for the mayor")
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Someone else saved changes first" in html
    assert ("<td>Protocol drafted with the police</td><td>Waiting for the mayor</td>"
            in html)
    fresh(session)
    kept = session.get(PlanAction, action.id)
    assert kept is not None
    assert kept.notes == "Protocol drafted with the police"
    assert save(html, client, "Waiting for the mayor").status_code == 302  # on purpose


def test_a_stale_save_of_the_context_answers_gets_the_conflict_page_with_both_values(
        app: Flask, client: FlaskClient, session: Session):
    q = get_questionnaire()
    make_user(session, "root")
    make_user(session, "adm2")
    assessment, _links = make_assessment(session, make_municipality(session, "Mechelen"))
    single = next(i for i in q.doc.context if not i.multiple and len(q.options(i)) > 2)
    first, second_option = q.options(single)[0], q.options(single)[2]
    other = app.test_client()
    login(client, "root")
    login(other, "adm2")
    url = f"/assessments/{assessment.public_id}/context"
    mine, theirs = client.get(url).get_data(as_text=True), other.get(url).get_data(as_text=True)

    def save(html: str, browser: FlaskClient, value: str) -> TestResponse:
        hidden = dict(re.findall(r'type="hidden" name="(context_version)" value="(\w+)"', html))
        return browser.post(url, data={"csrf_token": csrf_from(html), **hidden,
                                       item_field(single.id): value})

    assert save(theirs, other, first.value).status_code == 302
    refused = save(mine, client, second_option.value)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert f"<td>{escape(first.label)}</td><td>{escape(second_option.label)}</td>" in html
    fresh(session)
    stored = session.get(Assessment, assessment.id)
    assert stored is not None
    assert stored.context[single.id] == [first.value]
    assert save(html, client, second_option.value).status_code == 302  # on purpose


def test_a_stale_link_size_is_refused_with_both_numbers(
        app: Flask, client: FlaskClient, session: Session):
    make_user(session, "root")
    make_user(session, "adm2")
    assessment, _links = make_assessment(session, make_municipality(session, "Mechelen"))
    invitation = assessment.invitations[0]
    other = app.test_client()
    login(client, "root")
    login(other, "adm2")
    page = f"/assessments/{assessment.public_id}"
    url = f"/invitations/{invitation.public_id}/capacity"
    mine, theirs = client.get(page).get_data(as_text=True), other.get(page).get_data(as_text=True)

    def save(html: str, browser: FlaskClient, size: int) -> TestResponse:
        start = html.index(f'action="{url}"')
        shown = re.search(r'name="was_capacity" value="(\d*)"', html[start:])
        return browser.post(url, data={"csrf_token": csrf_from(html), "capacity": str(size),
                                       **({"was_capacity": shown.group(1)} if shown else {})})

    assert save(theirs, other, 12).status_code == 302
    save(mine, client, 40)
    shown = client.get(page).get_data(as_text=True)
    assert "Someone else set this link to 12 after you opened the page; you entered 40." in shown
    fresh(session)
    stored = session.get(Invitation, invitation.id)
    assert stored is not None
    assert stored.capacity == 12
    assert save(shown, client, 40).status_code == 302  # from the page as it is now
    fresh(session)
    assert session.get(Invitation, invitation.id).capacity == 40  # type: ignore[union-attr]
