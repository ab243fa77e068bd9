"""Builders and form helpers shared by the database-backed and web tests."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from readiness import services
from readiness.models import Assessment, Mode, Municipality, Role, User
from readiness.questionnaire import get_questionnaire

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
