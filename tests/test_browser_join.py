"""In a real browser: a practitioner with only the printed page types HOST/j and the code from
it, and lands on their agency's survey; a wrong code says so accessibly."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.services import assessments as services
from readiness.tokens import link_key, show_join_code
from tests.browser_support import assert_accessible, browser, live_url  # noqa: F401
from tests.web_helpers import make_municipality

pytestmark = [pytest.mark.browser, pytest.mark.db]


def test_a_practitioner_types_the_short_address_and_its_code_and_opens_the_survey(
        browser: Any, live_url: str, session: Session, app: Flask):  # noqa: F811
    key = link_key(app.config["SECRET_KEY"])
    assessment, tokens = services.create_assessment(
        session, make_municipality(session), q=get_questionnaire(), agencies=["police"],
        conducted_on=date(2026, 3, 1), link_key=key)
    session.commit()
    invitation = assessment.invitations[0]
    code = services.shown_join_code(invitation, key)
    assert code is not None
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto(f"{live_url}/j")
    assert_accessible(tab, "the page to type a join code")
    tab.get_by_label("Code from your invitation").fill("ZZZZ-ZZZZ")
    tab.get_by_role("button", name="Open the survey").click()
    assert "This code opens no survey" in tab.locator(".error-summary").inner_text()
    assert_accessible(tab, "a wrong join code")
    tab.get_by_label("Code from your invitation").fill(show_join_code(code).lower())
    tab.get_by_role("button", name="Open the survey").click()
    assert tab.url == f"{live_url}/s/{tokens[invitation.public_id]}"
    assert tab.get_by_role("button", name="Start now").is_visible()
    context.close()
