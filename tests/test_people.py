"""People and places: display names and organisations on accounts (edited by admins and by the
user), used on the PDF cover and in the users list; advisors assigned to a region or to many
municipalities at once, audited."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from readiness.core.questionnaire import get_questionnaire
from readiness.models import AuditEvent, Municipality, Role, User
from readiness.services import assessments as services
from readiness.services import people
from readiness.web.report_download import report_meta
from readiness.web.results import ScoredAssessment
from tests.web_helpers import (
    add_responses,
    csrf_from,
    fresh,
    login,
    make_user,
    post_form,
)


def _post(client: FlaskClient, url: str, data: dict[str, object] | None = None) -> TestResponse:
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def _user(session: Session, username: str) -> User:
    fresh(session)
    found = session.scalar(select(User).where(User.username == username))
    assert found is not None
    return found


def _actions(session: Session, action: str) -> list[AuditEvent]:
    fresh(session)
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def admin(client: FlaskClient, session: Session) -> FlaskClient:
    """A client signed in as the admin `root`; an advisor `ada` exists."""
    make_user(session, "root", Role.ADMIN)
    make_user(session, "ada", Role.ADVISOR)
    login(client, "root")
    return client


def _place(session: Session, name: str, region: str, country: str = "BE") -> Municipality:
    municipality = services.create_municipality(session, name=name, country=country,
                                                region=region, population_band="50k_100k")
    session.commit()
    return municipality


# ---------------------------------------------------------------- names


def test_an_admin_sets_a_users_display_name_organisation_and_email_audited(
        admin: FlaskClient, session: Session):
    ada = _user(session, "ada")
    reply = _post(admin, f"/users/{ada.public_id}/profile", {
        "display_name": "  Ada   Peeters ", "organisation": "Prevention team North",
        "email": "Ada@Example.org"})
    assert reply.status_code == 302
    ada = _user(session, "ada")
    assert (ada.display_name, ada.organisation, ada.email) == (
        "Ada Peeters", "Prevention team North", "ada@example.org")
    assert len(_actions(session, "profile_changed")) == 1
    listing = admin.get("/users/").get_data(as_text=True)
    assert "Ada Peeters, Prevention team North" in listing
    assert "Ada Peeters" in admin.get("/users/?q=peeters").get_data(as_text=True)


@pytest.mark.parametrize("name", ["Ada\u202eexe.jpg", "Ada\x1b[31m", "Ada\tPeeters"])
def test_a_name_with_control_or_direction_characters_is_refused_and_nothing_changes(
        admin: FlaskClient, session: Session, name: str):
    ada = _user(session, "ada")
    reply = _post(admin, f"/users/{ada.public_id}/profile",
                  {"display_name": name, "organisation": ""})
    assert reply.status_code == 400
    assert "invisible control or text-direction characters" in reply.get_data(as_text=True)
    assert _user(session, "ada").display_name == ""
    with pytest.raises(services.ServiceError):
        people.update_profile(session, ada, ada, name, "", "")


def test_a_malformed_email_is_refused_by_the_service(session: Session):
    ada = make_user(session, "ada", Role.ADVISOR)
    with pytest.raises(services.ServiceError):
        people.update_profile(session, ada, ada, "Ada", "", "not an address")


def test_everyone_names_themselves_on_their_own_account_page(
        client: FlaskClient, session: Session):
    make_user(session, "ada", Role.ADVISOR)
    login(client, "ada")
    page = client.get("/account/profile")
    assert page.status_code == 200
    reply = post_form(client, "/account/profile",
                      {"display_name": "Ada Peeters", "organisation": "Team North"})
    assert reply.status_code == 302
    assert _user(session, "ada").display_name == "Ada Peeters"
    assert "Signed in as Ada Peeters" in client.get("/account/profile").get_data(as_text=True)
    audit = _actions(session, "profile_changed")
    assert [e.actor for e in audit] == ["ada"]


def test_the_pdf_cover_names_the_facilitator_by_display_name_not_login(
        app: Flask, session: Session):
    advisor = make_user(session, "advisor", Role.ADVISOR)
    people.update_profile(session, advisor, advisor, "Anna Peeters", "Team North", "")
    municipality = services.create_municipality(session, name="Mechelen", country="BE",
                                                population_band="50k_100k", creator=advisor)
    assessment, _ = services.create_assessment(
        session, municipality, q=get_questionnaire(), agencies=("police", "health"),
        creator=advisor)
    session.commit()
    add_responses(session, assessment, "police", 5)
    add_responses(session, assessment, "health", 3)
    services.close_assessment(session, assessment)
    session.commit()
    q, published = services.publish_assessment(session, assessment)
    with app.test_request_context():
        meta = report_meta(session, ScoredAssessment(assessment, q, published))
    assert meta.facilitator == "Advisory team (Anna Peeters (Team North))"
    assert "advisor" not in meta.facilitator.replace("Advisory", "")


# ---------------------------------------------------------------- many municipalities


def test_an_advisor_is_assigned_a_whole_region_at_once_each_audited(
        admin: FlaskClient, session: Session):
    for name in ("Antwerpen", "Mechelen", "Lier"):
        _place(session, name, "Antwerpen")
    _place(session, "Hasselt", "Limburg")
    ada = _user(session, "ada")
    page = admin.get(f"/users/{ada.public_id}").get_data(as_text=True)
    assert "Antwerpen, BE: 3 municipalities" in page
    assert "All of BE: 4 municipalities" in page
    assert 'name="assign_to"' not in page  # no select of every municipality
    reply = _post(admin, f"/users/{ada.public_id}/assignments/region",
                  {"region": "BE|Antwerpen"})
    assert reply.status_code == 302
    assert sorted(m.name for m in _user(session, "ada").assigned) == [
        "Antwerpen", "Lier", "Mechelen"]
    assert len(_actions(session, "advisor_assigned")) == 3
    _post(admin, f"/users/{ada.public_id}/assignments/region", {"region": "BE|*"})
    assert len(_user(session, "ada").assigned) == 4
    assert len(_actions(session, "advisor_assigned")) == 4  # nothing assigned twice


def test_a_search_lists_municipalities_to_tick_or_to_assign_all(
        admin: FlaskClient, session: Session):
    for name in ("Sint-Niklaas", "Sint-Truiden", "Sint-Gillis", "Gent"):
        _place(session, name, "")
    ada = _user(session, "ada")
    page = admin.get(f"/users/{ada.public_id}?find=sint").get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox" id="(chosen-\d+)" name="chosen" value="([^"]+)"',
                       page)
    assert len(boxes) == 3
    assert all(f'<label for="{box}">' in page for box, _ in boxes)  # each box has its label
    chosen = [value for _, value in boxes[:2]]
    reply = _post(admin, f"/users/{ada.public_id}/assignments/many",
                  {"find": "sint", "chosen": chosen, "action": "chosen"})
    assert reply.status_code == 302
    assert len(_user(session, "ada").assigned) == 2
    _post(admin, f"/users/{ada.public_id}/assignments/many", {"find": "sint", "action": "all"})
    assert sorted(m.name for m in _user(session, "ada").assigned) == [
        "Sint-Gillis", "Sint-Niklaas", "Sint-Truiden"]


def test_ticking_nothing_or_a_municipality_the_search_did_not_find_assigns_nothing(
        admin: FlaskClient, session: Session):
    _place(session, "Sint-Niklaas", "")
    gent = _place(session, "Gent", "")
    ada = _user(session, "ada")
    nothing = _post(admin, f"/users/{ada.public_id}/assignments/many",
                    {"find": "sint", "action": "chosen"})
    assert nothing.status_code == 400
    stray = _post(admin, f"/users/{ada.public_id}/assignments/many",
                  {"find": "sint", "chosen": [gent.public_id], "action": "chosen"})
    assert stray.status_code == 400
    assert _user(session, "ada").assigned == []


def test_only_advisors_are_assigned_many_at_once(admin: FlaskClient, session: Session):
    _place(session, "Lier", "Antwerpen")
    root = _user(session, "root")
    with pytest.raises(services.ServiceError):
        people.assign_many(session, root, root, people.in_region(session, "BE|Antwerpen"))


def test_an_admin_names_a_new_account_when_creating_it(admin: FlaskClient, session: Session):
    reply = post_form(admin, "/users/new", {"username": "bea", "role": Role.ADVISOR,
                                            "display_name": "Bea Janssens",
                                            "organisation": "Team South"})
    assert reply.status_code == 200
    bea = _user(session, "bea")
    assert (bea.display_name, bea.organisation, bea.email) == ("Bea Janssens", "Team South", None)


def test_a_new_account_with_a_malformed_email_is_not_created(
        admin: FlaskClient, session: Session):
    reply = post_form(admin, "/users/new", {"username": "bea", "role": Role.ADVISOR,
                                            "email": "bea at example"})
    assert reply.status_code == 400
    fresh(session)
    assert session.scalar(select(User).where(User.username == "bea")) is None
