"""Every main page fits a 390 px phone without sideways scrolling of the page (WCAG 1.4.10
Reflow): long words and addresses wrap, wide tables scroll inside their own focusable region
named as the table's caption; axe-core finds no WCAG 2.1 AA violation at that width."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.demo.municipal import OPEN_ROUND_OF, load_demo
from readiness.models import Assessment, Municipality, Status
from tests.browser_support import assert_accessible, browser, live_url  # noqa: F401
from tests.web_helpers import FAST_HASH

pytestmark = [pytest.mark.browser, pytest.mark.db]
SHOTS = os.environ.get("READINESS_SCREENSHOTS")  # a folder: keep screenshots to look at
PHONE = {"width": 390, "height": 844}
# Every .table-wrap on the page: does it carry what a keyboard and a screen reader need?
REGIONS = """() => [...document.querySelectorAll('.table-wrap')].map(el => ({
  tabindex: el.getAttribute('tabindex'), role: el.getAttribute('role'),
  name: el.getAttribute('aria-label') || '', caption: el.querySelector('caption').textContent}))"""


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:  # noqa: F811
    """A fresh page the size of a 390 x 844 phone."""
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


@pytest.fixture
def demo(session: Session) -> dict[str, str]:
    """The demo data (`readiness serve --demo`); {username: password}."""
    summary = load_demo(session, get_questionnaire(), password_method=FAST_HASH)
    session.commit()
    return {login.username: login.password for login in summary.logins}


def _login(tab: Any, base: str, username: str, password: str) -> None:
    tab.goto(f"{base}/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit]")
    tab.wait_for_load_state()


def _too_wide(tab: Any, base: str, paths: list[str]) -> dict[str, int]:
    """{path: page width} of the pages wider than the phone; every table region checked."""
    wide = {}
    for path in paths:
        response = tab.goto(base + path)
        assert response is not None, path
        assert response.status == 200, path
        if SHOTS:
            name = path.strip("/").replace("/", "_") or "home"
            tab.screenshot(path=os.path.join(SHOTS, f"phone_{name}.png"), full_page=True)
        width = int(tab.evaluate("document.documentElement.scrollWidth"))
        if width > PHONE["width"]:
            wide[path] = width
        for region in tab.evaluate(REGIONS):
            assert (region["tabindex"], region["role"]) == ("0", "region"), (path, region)
            assert region["name"].split() == region["caption"].split(), (path, region)
    return wide


def test_the_results_pages_fit_a_phone_and_pass_axe(
        phone: Any, live_url: str, session: Session, demo: dict[str, str]):  # noqa: F811
    closed = session.scalars(select(Assessment).where(Assessment.status == Status.CLOSED)).all()
    assert len(closed) >= 4
    _login(phone, live_url, "admin", demo["admin"])
    paths = [f"/assessments/{a.public_id}/results" for a in closed]
    assert _too_wide(phone, live_url, paths) == {}
    # the legal sources of the French municipality held the longest addresses (891 px)
    french = next(a for a in closed if a.municipality.country == "FR")
    phone.goto(f"{live_url}/assessments/{french.public_id}/results")
    assert phone.locator("h2#legal").count() == 1
    assert_accessible(phone, "results page on a phone")


def test_the_national_dashboard_fits_a_phone_and_its_tables_scroll_by_keyboard(
        phone: Any, live_url: str, demo: dict[str, str]):  # noqa: F811
    _login(phone, live_url, "national", demo["national"])
    assert _too_wide(phone, live_url, ["/dashboard/"]) == {}
    assert_accessible(phone, "national dashboard on a phone")
    # the municipalities table is wider than the phone: a keyboard user scrolls it in place
    region = phone.get_by_role("region", name="4 municipalities, page 1 of 1").element_handle()
    assert phone.evaluate("el => el.scrollWidth > el.clientWidth", region)
    region.focus()
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function("el => el.scrollLeft > 0", arg=region)  # smooth scrolling takes a while


def test_the_organisers_pages_fit_a_phone(
        phone: Any, live_url: str, session: Session, demo: dict[str, str]):  # noqa: F811
    home = session.scalars(select(Municipality).where(Municipality.name == OPEN_ROUND_OF)).one()
    open_round = next(a for a in home.assessments if a.status == Status.OPEN)
    _login(phone, live_url, "admin", demo["admin"])
    paths = ["/", f"/municipalities/{home.public_id}", f"/assessments/{open_round.public_id}",
             f"/assessments/{open_round.public_id}/links",
             f"/assessments/{open_round.public_id}/context",
             f"/municipalities/{home.public_id}/plan", "/audit/", "/users/", "/account/sessions",
             f"/municipalities/{home.public_id}/assessments/new"]
    assert _too_wide(phone, live_url, paths) == {}
    phone.goto(f"{live_url}/assessments/{open_round.public_id}")
    assert_accessible(phone, "round page on a phone")
    phone.goto(f"{live_url}/municipalities/{home.public_id}/plan")
    assert_accessible(phone, "action plan on a phone")
    phone.goto(f"{live_url}/municipalities/{home.public_id}/assessments/new")
    phone.fill("#conducted_on", "2026-04-01")
    phone.check("input[name=mode][value=survey]")
    ticked = phone.locator("input[name=agencies]:checked").first.get_attribute("value")
    phone.fill(f"#size_{ticked}", "")  # filled in from the last round: take one size away
    with phone.expect_navigation():
        phone.click("text=Create the assessment")
    assert phone.locator(".error-summary a[href^='#size_']").count() >= 1  # ticked, no size
    assert int(phone.evaluate("document.documentElement.scrollWidth")) <= PHONE["width"]
    assert_accessible(phone, "new-round form with its errors on a phone")
