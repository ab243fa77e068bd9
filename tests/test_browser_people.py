"""In a real browser: naming yourself on your account page, and the password reset pages
(with a mail server configured), pass axe-core's WCAG 2.1 AA checks and work by keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from readiness.models import Role
from readiness.services import password_reset, people
from tests.browser_support import assert_accessible, browser, live_url, page  # noqa: F401
from tests.web_helpers import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.db]


def test_a_user_names_themselves_by_keyboard_and_the_page_passes_axe(
        page: Any, live_url: str, session: Session):  # noqa: F811
    make_user(session, "ada", Role.ADVISOR)
    page.goto(f"{live_url}/login")
    page.fill("#username", "ada")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("link", name="Signed in as ada").click()
    assert_accessible(page, "own account page")
    page.focus("#display_name")
    page.keyboard.type("Ada Peeters")
    page.keyboard.press("Tab")
    page.keyboard.type("Team North")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Your name and e-mail address are saved." in page.inner_text("[role=status]")
    assert page.get_by_role("link", name="Signed in as Ada Peeters").count() == 1


def test_the_password_reset_pages_pass_axe(
        app: Flask, page: Any, live_url: str, session: Session):  # noqa: F811
    app.config["MAIL_SERVER"] = "127.0.0.1"  # offered; nothing is sent in this test
    ada = make_user(session, "ada", Role.ADVISOR)
    people.update_profile(session, ada, ada, "", "", "ada@example.org")
    [(_, token)] = password_reset.request_reset(session, "ada@example.org", 30)
    session.commit()
    page.goto(f"{live_url}/login")
    page.get_by_role("link", name="Forgotten your password?").click()
    assert_accessible(page, "forgotten password page")
    page.click("button:text('Send me a link')")
    page.wait_for_load_state()
    assert "Enter your e-mail address" in page.inner_text(".error-summary")
    assert_accessible(page, "forgotten password page with an error")
    page.goto(f"{live_url}/account/reset/{token}")
    assert_accessible(page, "choose a new password page")
    page.goto(f"{live_url}/account/reset/not-a-token")
    assert_accessible(page, "expired reset link page")
