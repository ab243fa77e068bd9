"""Builders and form helpers shared by the database-backed and web tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.models import Assessment, AuditEvent, Mode, Municipality, Response, Role, User
from readiness.services import assessments as services
from readiness.services import survey as services_survey
from readiness.web.forms import comment_field, item_field
from tests.core_helpers import on_scale

PASSWORD = "correct horse battery"
FAST_HASH = "scrypt:1024:8:1"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token in a page."""
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def post_form(client: FlaskClient, page: str, data: dict[str, Any] | None = None,
              to: str | None = None, **kwargs: Any) -> TestResponse:
    """Open `page`, take its CSRF token, post `data` to `to` (the page itself by default)."""
    opened = client.get(page)
    assert opened.status_code == 200, (page, opened.status_code)
    payload = {"csrf_token": csrf_from(opened.get_data(as_text=True)), **(data or {})}
    return client.post(to or page, data=payload, **kwargs)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> TestResponse:
    """Sign in through the login form."""
    response = post_form(client, "/login", {"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def make_user(db: Session, username: str, role: str = Role.ADMIN,
              municipality: Municipality | None = None) -> User:
    """A committed user with the shared test password."""
    user = services.create_user(db, username, PASSWORD, role, municipality=municipality,
                                password_method=FAST_HASH)
    db.commit()
    return user


def make_municipality(db: Session, name: str = "Mechelen", country: str = "BE",
                      advisor: User | None = None) -> Municipality:
    """A committed municipality, assigned to `advisor` if given."""
    municipality = services.create_municipality(db, name=name, country=country,
                                                population_band="50k_100k", creator=advisor)
    db.commit()
    return municipality


def make_assessment(db: Session, municipality: Municipality,
                    agencies: tuple[str, ...] = ("police", "health", "education"),
                    mode: str = Mode.SURVEY) -> tuple[Assessment, dict[str, str]]:
    """A committed open assessment and its {agency: token} links."""
    assessment, tokens = services.create_assessment(
        db, municipality, q=get_questionnaire(), agencies=agencies, mode=mode,
        conducted_on=date(2026, 3, 1))
    db.commit()
    by_agency = {inv.agency: tokens[inv.public_id] for inv in assessment.invitations}
    return assessment, by_agency


def recorded_workshop(db: Session, agencies: tuple[str, ...] = ("police",)) -> Assessment:
    """A committed open workshop round in a new municipality, with the first agency's answers
    recorded (all "agree")."""
    q = get_questionnaire()
    assessment, _ = make_assessment(db, make_municipality(db), agencies, mode=Mode.WORKSHOP)
    services_survey.save_workshop(db, q, assessment, agencies[0], answer_all(q, "agree"), {})
    db.commit()
    return assessment


def answer_all(q: Questionnaire, value: str | Callable[[str], str]) -> dict[str, str]:
    """An answer to every statement: one option value, or one chosen per item id (an agree-scale
    value stands for the nearest option of a factual question, see core_helpers.on_scale)."""
    return {item.id: on_scale(q, item.id, value(item.id) if callable(value) else value)
            for item in q.doc.items}


def add_responses(db: Session, assessment: Assessment, agency: str, count: int,
                  value: str | Callable[[str], str] = "agree",
                  comments: dict[str, str] | None = None) -> list[Response]:
    """`count` submitted responses of one agency through a fresh link, committed."""
    q = get_questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)
    invitation, _ = services.new_invitation(db, assessment, agency)
    made = []
    for _n in range(count):
        response, _secret = services_survey.start_response(db, invitation)
        services_survey.save_answers(q, response, answer_all(q, value), comments or {})
        services_survey.submit_response(db, response)
        made.append(response)
    db.commit()
    return made


def page_data(q: Questionnaire, page: int, value: str = "agree",
              comment: str = "") -> dict[str, str]:
    """The form fields of one survey page, every statement answered with `value`."""
    dimension = services_survey.pages(q)[page - 1]
    data = {item_field(item.id): on_scale(q, item.id, value) for item in q.items_of(dimension.id)}
    data[comment_field(dimension.id)] = comment
    return data


def fresh(session: Session) -> None:
    """Forget what the test's session read, so it sees what requests committed since."""
    session.rollback()
    session.expire_all()


# events that signing in and making test data add to the audit log
SETUP_EVENTS = ("sign_in", "sign_out", "municipality_created", "assessment_created")


def audited() -> Select[tuple[AuditEvent]]:
    """The audit events a test's own actions wrote (without sign-ins and set-up), oldest first."""
    return select(AuditEvent).where(AuditEvent.action.not_in(SETUP_EVENTS)).order_by(
        AuditEvent.id)


def audited_actions() -> Select[tuple[str]]:
    """The actions of `audited()` events."""
    return select(AuditEvent.action).where(AuditEvent.action.not_in(SETUP_EVENTS)).order_by(
        AuditEvent.id)


def link_sizes(*agencies: str, size: int = 10) -> dict[str, str]:
    """The new-round form's "sent to how many practitioners" numbers for these agencies."""
    return {f"size_{agency}": str(size) for agency in agencies}
