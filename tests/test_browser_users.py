"""An admin manages users in a real browser: the list, the create form (first refused, then
sent), the one-time password and the user's page; everyone's change-password page. axe-core
finds no WCAG 2.1 AA violation on any of them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from readiness.models import Role
from tests.browser_support import assert_accessible, browser, live_url, page  # noqa: F401
from tests.web_helpers import PASSWORD, make_municipality, make_user

pytestmark = [pytest.mark.browser, pytest.mark.db]
# Set to a folder to keep screenshots of the pages for a look by eye.
SCREENSHOTS = os.environ.get("READINESS_SCREENSHOTS")


def _login(tab: Any, base: str, username: str, password: str = PASSWORD) -> None:
    tab.goto(f"{base}/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit]")
    tab.wait_for_load_state()


def _shot(tab: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_an_admin_creates_a_coordinator_by_keyboard_and_the_pages_pass_axe(
        page: Any, live_url: str, session: Session):  # noqa: F811
    make_user(session, "root", Role.ADMIN)
    make_user(session, "ava", Role.ADVISOR)
    make_municipality(session, "Mechelen")
    make_municipality(session, "Gent")
    _login(page, live_url, "root")
    page.click("nav >> text=Users")
    page.wait_for_url("**/users/")  # the click returns once the navigation starts, not loads
    expect(page.locator("table tbody tr")).to_have_count(2)
    assert_accessible(page, "users list")
    _shot(page, "users-list")

    page.click("text=Create a user")
    page.check("#role-3")  # municipality coordinator, but no municipality chosen
    page.fill("#username", "mia")
    page.press("#username", "Enter")  # sends the form from the keyboard
    page.wait_for_load_state()
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert "Choose the municipality this coordinator works for" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.title().startswith("Error:")
    assert_accessible(page, "create form with an error")

    page.click("[data-error-summary] a")
    assert page.evaluate("document.activeElement.id") == "municipality"
    page.select_option("#municipality", label="Mechelen (BE)")
    page.click("button:text('Create the user')")
    page.wait_for_load_state()
    password = page.input_value("#one-time-password")
    assert len(password) >= 20
    assert "shown only this once" in page.content()
    assert_accessible(page, "one-time password page")
    _shot(page, "one-time-password")

    page.click("text=Go to the page of mia")
    assert "Municipality coordinator" in page.inner_text(".summary-list")
    assert "Mechelen (BE)" in page.inner_text(".summary-list")
    assert password not in page.content()
    assert_accessible(page, "user page")
    _shot(page, "user-page")

    page.click("nav >> text=Users")
    page.click("table >> text=ava")
    page.focus("#find")
    page.keyboard.type("Gent")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page, "advisor's page with municipalities found")
    page.get_by_label("Gent (BE)").focus()
    page.keyboard.press("Space")
    page.click("button:text('Assign the ticked ones')")
    page.wait_for_load_state()
    assert "ava now works with 1 more municipality." in page.inner_text("[role=status]")
    assert page.locator("#municipalities + .table-wrap >> text=Gent (BE)").count() == 1
    assert_accessible(page, "advisor's page with a municipality")

    page.goto(f"{live_url}/users/tokens")
    page.click("button:text('Make the token')")
    page.wait_for_load_state()
    assert "Choose who the token is for" in page.inner_text(".error-summary")
    assert_accessible(page, "API tokens page with an error")
    page.select_option("#holder", label="root")
    page.fill("#name", "BI tool")
    page.click("button:text('Make the token')")
    page.wait_for_load_state()
    assert len(page.input_value("#api-token")) >= 32
    assert_accessible(page, "API token shown once")


def test_a_new_user_signs_in_with_the_one_time_password_and_changes_it(
        browser: Any, page: Any, live_url: str, session: Session):  # noqa: F811
    make_user(session, "root", Role.ADMIN)
    _login(page, live_url, "root")
    page.goto(f"{live_url}/users/new")
    page.fill("#username", "nora")
    page.check("#role-1")
    page.click("button:text('Create the user')")
    page.wait_for_load_state()
    password = page.input_value("#one-time-password")

    context = browser.new_context()
    nora = context.new_page()
    try:
        _login(nora, live_url, "nora", password)
        nora.click("nav >> text=Change password")
        assert_accessible(nora, "change-password page")
        nora.fill("#current_password", password)
        nora.fill("#new_password", "a brand new passphrase")
        nora.fill("#confirm_password", "a brand new passphrasf")
        nora.click("button:text('Change your password')")
        nora.wait_for_load_state()
        assert "The two new passwords are not the same" in nora.inner_text("[data-error-summary]")
        assert_accessible(nora, "change-password page with an error")
        _shot(nora, "change-password-error")
        nora.fill("#current_password", password)
        nora.fill("#new_password", "a brand new passphrase")
        nora.fill("#confirm_password", "a brand new passphrase")
        nora.click("button:text('Change your password')")
        nora.wait_for_load_state()
        assert "Your password is changed" in nora.inner_text("[role=status]")
    finally:
        context.close()
    # the new password signs in
    context = browser.new_context()
    again = context.new_page()
    try:
        _login(again, live_url, "nora", "a brand new passphrase")
        assert "Signed in as nora" in again.inner_text("nav")
    finally:
        context.close()
