"""A national coordinator opens the dashboard in a real browser, filters and sorts; axe-core finds
no WCAG 2.1 AA violation, and the filters survive a reload."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
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
    page.wait_for_url("**/dashboard/")  # the click returns once the navigation starts, not loads
    expect(page.locator("svg.chart")).to_have_count(4)
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


def test_a_pilot_dashboard_with_hidden_charts_and_a_dropped_region_passes_axe(
        page: Any, live_url: str, session: Session):  # noqa: F811
    from tests.web_helpers import make_municipality

    make_country(session, municipalities=8)
    finnish = make_municipality(session, "Kallioniemi", country="FI")
    finnish.region = "Uusimaa"
    session.commit()
    _login(page, live_url, "national")
    page.goto(f"{live_url}/dashboard/")
    assert page.get_by_text("Too few municipalities in this selection to show levels").is_visible()
    assert page.get_by_text("How the need score adds up").is_visible()
    assert_accessible(page, "pilot dashboard")

    page.select_option("#f-country", "BE")
    page.select_option("#f-region", "Uusimaa")  # listed until a country is applied
    page.click("button:text('Apply filters')")
    page.wait_for_load_state()
    assert page.get_by_text("Uusimaa is not a region of BE").is_visible()
    regions = page.locator("#f-region option").all_inner_texts()
    assert "Uusimaa" not in regions
    assert regions[0] == "All regions of BE"
    assert_accessible(page, "dashboard after a region of another country")


def test_a_round_filter_labels_the_others_not_in_this_selection_and_passes_axe(
        page: Any, live_url: str, session: Session):  # noqa: F811
    make_country(session)
    _login(page, live_url, "national")
    page.goto(f"{live_url}/dashboard/?round=2&sort=date")
    assert page.locator("text=not in this selection").count() > 0
    offered = page.locator("#f-round option").all_inner_texts()
    assert offered == ["Latest of any round", "Round 1", "Round 2"]
    assert_accessible(page, "dashboard of one round")
