"""Deleting a municipality in a real browser: the confirmation page, first refused (a wrong
name), then the round's and the municipality's pages: axe-core finds no WCAG 2.1 AA violation
on the confirmation pages, the refusal or the conflict page of a user edit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from readiness.models import Role
from tests.browser_support import assert_accessible, browser, live_url, page  # noqa: F401
from tests.erasure_helpers import closed_round
from tests.web_helpers import PASSWORD, make_municipality, make_user

pytestmark = [pytest.mark.browser, pytest.mark.db]


def _login(tab: Any, base: str, username: str) -> None:
    tab.goto(f"{base}/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_load_state()


def test_an_admin_deletes_a_round_then_the_municipality_and_the_pages_pass_axe(
        page: Any, live_url: str, session: Session):  # noqa: F811
    make_user(session, "root", Role.ADMIN)
    town = make_municipality(session, "Mechelen")
    round_id, town_id = closed_round(session, town).public_id, town.public_id
    _login(page, live_url, "root")
    page.goto(f"{live_url}/assessments/{round_id}/delete")
    assert_accessible(page, "delete a round")
    page.fill("input[name=confirm_name]", "Lier")
    page.click("button.button--warning")
    page.wait_for_load_state()
    assert "Type Mechelen exactly to delete" in page.content()
    assert_accessible(page, "delete a round, refused")
    page.fill("input[name=confirm_name]", "Mechelen")
    page.click("button.button--warning")
    page.wait_for_load_state()
    assert "Round 1 of Mechelen is deleted" in page.content()
    page.goto(f"{live_url}/municipalities/{town_id}/delete")
    assert_accessible(page, "delete a municipality")
    page.fill("input[name=confirm_name]", "mechelen")
    page.click("button.button--warning")
    page.wait_for_load_state()
    assert "Mechelen is deleted with all its rounds." in page.content()


def test_the_conflict_page_of_a_stale_account_edit_passes_axe(
        page: Any, live_url: str, session: Session):  # noqa: F811
    make_user(session, "root", Role.ADMIN)
    advisor = make_user(session, "ada", Role.ADVISOR)
    _login(page, live_url, "root")
    page.goto(f"{live_url}/users/{advisor.public_id}")
    advisor.active = False  # someone else deactivates her meanwhile
    session.commit()
    page.click("text=Deactivate ada")
    page.wait_for_load_state()
    assert "Someone else saved changes to this account first" in page.content()
    assert_accessible(page, "account edit conflict")
