"""The legal position on the results page, and the stale-profile flag on the dashboard, in a real
browser: axe-core finds no WCAG 2.1 AA violation."""

from __future__ import annotations

import os
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.browser_support import assert_accessible, browser, live_url, page  # noqa: F401
from tests.national_web import make_country
from tests.test_browser_dashboard import _login
from tests.test_legal_web import _closed
from tests.web_helpers import make_user

pytestmark = [pytest.mark.browser, pytest.mark.db]
SHOTS = os.environ.get("READINESS_SCREENSHOTS")  # a folder: keep screenshots to look at


def test_the_legal_position_on_the_results_page_passes_axe(
        page: Any, live_url: str, session: Session):  # noqa: F811
    assessment = _closed(session, "DE", "Augsburg")
    assessment.municipality.region = "Bavaria"
    session.commit()
    make_user(session, "ada")
    _login(page, live_url, "ada")
    page.goto(f"{live_url}/assessments/{assessment.public_id}/results#legal")
    heading = page.locator("h2#legal")
    assert heading.inner_text() == "Legal position in Bavaria (Germany)"
    assert page.locator("a[href='https://www.gesetze-im-internet.de/stgb/__203.html']").count()
    assert_accessible(page, "results page with the legal position")
    if SHOTS:
        heading.scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SHOTS, "results-legal.png"))


def test_the_stale_profile_flag_on_the_dashboard_passes_axe(
        app: Flask, page: Any, live_url: str, session: Session):  # noqa: F811
    make_country(session)
    app.config["LEGAL_PROFILE_MAX_AGE_DAYS"] = -1
    _login(page, live_url, "national")
    page.goto(f"{live_url}/dashboard/")
    assert page.get_by_text("Legal profiles to re-check").count() == 1
    assert_accessible(page, "dashboard with stale legal profiles")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "dashboard-legal.png"))
