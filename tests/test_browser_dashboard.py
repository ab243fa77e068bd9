"""A national coordinator opens the dashboard in a real browser, filters and sorts; axe-core finds
no WCAG 2.1 AA violation, and the filters survive a reload."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.orm import Session

from tests.browser_support import assert_accessible, browser, live_url, page  # noqa: F401
from tests.national_web import make_country
from tests.web_helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.db]


def _login(tab: Any, base: str, username: str) -> None:
    tab.goto(f"{base}/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_load_state()


def test_the_dashboard_filters_survive_a_reload_and_pass_axe(
        page: Any, live_url: str, session: Session):  # noqa: F811
    country = make_country(session)
    _login(page, live_url, "national")
    page.click("text=National dashboard")
    assert page.url.endswith("/dashboard/")
    assert page.locator("svg.chart").count() == 4
    assert_accessible(page, "national dashboard")

    page.select_option("#f-country", "BE")
    page.select_option("#f-region", country.region)
    page.fill("#f-since", "2024-01-01")
    page.click("button:text('Apply filters')")
    page.wait_for_load_state()
    query = parse_qs(urlsplit(page.url).query)
    assert query["country"] == ["BE"]
    assert query["region"] == [country.region]
    assert query["since"] == ["2024-01-01"]
    assert_accessible(page, "filtered dashboard")

    page.locator("#municipalities").scroll_into_view_if_needed()
    page.click("th >> a:has-text('Overall')")
    page.wait_for_load_state()
    assert parse_qs(urlsplit(page.url).query)["sort"] == ["overall"]
    page.reload()
    assert page.input_value("#f-region") == country.region
    assert page.input_value("#f-country") == "BE"
    assert page.input_value("#f-since") == "2024-01-01"
    assert page.locator("th[aria-sort]").count() == 1
    assert_accessible(page, "sorted dashboard after a reload")


def test_a_bad_filter_shows_an_accessible_400_page(
        page: Any, live_url: str, session: Session):  # noqa: F811
    make_country(session)
    _login(page, live_url, "national")
    response = page.goto(f"{live_url}/dashboard/?sort=password")
    assert response is not None
    assert response.status == 400
    assert "unknown sort key" in page.content()
    assert_accessible(page, "bad filter page")
