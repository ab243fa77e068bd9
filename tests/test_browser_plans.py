"""The living roadmap in a real browser: a coordinator marks actions done and dropped by
keyboard, the progress report shows it, a partner opens the share link signed out and sees the
plan but nothing hidden, and the next round's roadmap reflects it. axe-core finds no WCAG 2.1
AA violation on the new pages."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from readiness.models import Municipality, Role
from readiness.services import assessments as services
from readiness.services import plans
from tests.browser_support import assert_accessible, browser, live_url, page  # noqa: F401
from tests.test_plans import SECRET_COMMENT, closed_round
from tests.web_helpers import PASSWORD, fresh, make_user

pytestmark = [pytest.mark.browser, pytest.mark.db]
SCREENSHOTS = os.environ.get("READINESS_SCREENSHOTS")


def _shot(tab: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def _login(tab: Any, base: str, username: str) -> None:
    tab.goto(f"{base}/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", PASSWORD)
    tab.press("input[name=password]", "Enter")
    tab.wait_for_load_state()


def _open_action_by_keyboard(tab: Any, title: str) -> None:
    tab.focus(f"table.plan-table a:text-is('{title}')")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def _choose_status(tab: Any, steps: int) -> None:
    """Move through the status radios with the arrow keys, from Planned."""
    tab.focus("#status-0")
    for _ in range(steps):
        tab.keyboard.press("ArrowRight")


def _home(session: Session) -> Municipality:
    municipality = services.create_municipality(session, name="Home", country="BE",
                                                population_band="50k_100k")
    session.commit()
    closed_round(session, municipality, comments={"governance": SECRET_COMMENT})
    make_user(session, "coordinator", Role.MUNICIPALITY_COORDINATOR, municipality=municipality)
    return municipality


def test_a_coordinator_tracks_the_plan_by_keyboard_and_a_partner_reads_it(
        page: Any, live_url: str, session: Session, browser: Any):  # noqa: F811
    municipality = _home(session)
    first, second = plans.plan_of(session, municipality)[:2]
    _login(page, live_url, "coordinator")
    page.goto(f"{live_url}/municipalities/{municipality.public_id}")
    with page.expect_navigation():
        page.click("text=Action plan: what has been done since the roadmap")
    assert_accessible(page, "action plan")
    _shot(page, "plan")

    _open_action_by_keyboard(page, first.title)
    assert_accessible(page, "action form")
    _shot(page, "action")
    _choose_status(page, 2)  # Done
    page.focus("#contact_role")
    page.keyboard.type("prevention officer")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The action is saved." in page.inner_text("main")

    _open_action_by_keyboard(page, second.title)
    _choose_status(page, 3)  # Dropped, but no reason yet
    page.focus("#drop_reason")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error:")
    assert "Say why the action is dropped" in page.inner_text("[data-error-summary]")
    assert_accessible(page, "action form with an error")
    page.focus("#drop_reason")
    page.keyboard.type("No budget this year")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _shot(page, "plan-after")
    assert "1 done" in page.inner_text(".plan-summary").replace("\n", " ")
    assert "No budget this year" in page.inner_text("table.plan-table")

    pdf = page.request.get(f"{live_url}/municipalities/{municipality.public_id}/plan.pdf")
    text = PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
    assert "1 done" in text
    assert "1 dropped" in text
    results = municipality.assessments[0].public_id
    page.goto(f"{live_url}/assessments/{results}/results")
    section = page.inner_text("main")
    assert "1 done, 0 in progress" in section

    page.goto(f"{live_url}/municipalities/{municipality.public_id}/plan")
    page.focus("text=Make a share link")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    link = page.input_value("#fresh-link")
    assert "/shared/" in link

    partner = browser.new_context()
    tab = partner.new_page()
    tab.goto(link)
    shared = tab.inner_text("main")
    assert first.title in shared
    assert "No budget this year" in shared
    assert SECRET_COMMENT not in tab.content()
    assert "Sign out" not in tab.content()
    assert "Scores by agency" not in shared
    assert_accessible(tab, "shared results and plan")
    _shot(tab, "shared")

    page.goto(f"{live_url}/municipalities/{municipality.public_id}/plan")
    with page.expect_navigation():
        page.click("text=Withdraw this link")
    assert tab.goto(link).status == 410
    partner.close()

    fresh(session)  # end the old read snapshot before writing (SQLite WAL)
    later = closed_round(session, municipality)
    page.goto(f"{live_url}/assessments/{later.public_id}/results")
    follow_up = page.inner_text("#follow-up")
    assert "Done in an earlier round and not proposed again" in follow_up
    assert first.title in follow_up
    assert_accessible(page, "results of the next round")
    if SCREENSHOTS:
        page.locator("#follow-up").screenshot(path=str(Path(SCREENSHOTS) / "follow-up.png"))
