"""In a real browser: a practitioner answers a page in one browser, takes the resume code, and
carries on in a second browser (its own cookies) with the answers there."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.services.survey import pages
from readiness.web.forms import item_field
from tests.browser_support import assert_accessible, browser, live_url  # noqa: F401
from tests.web_helpers import make_assessment, make_municipality

pytestmark = [pytest.mark.browser, pytest.mark.db]


def test_a_practitioner_resumes_in_a_second_browser_with_the_code(
        browser: Any, live_url: str, session: Session,  # noqa: F811
        questionnaire: Questionnaire):
    _, tokens = make_assessment(session, make_municipality(session), ("police", "health"))
    link = f"{live_url}/s/{tokens['police']}"
    first_items = questionnaire.items_of(pages(questionnaire)[0].id)

    phone = browser.new_context()
    tab = phone.new_page()
    tab.set_default_timeout(10_000)
    tab.goto(link)
    tab.get_by_role("button", name="Start now").click()
    chosen = {}
    for n, item in enumerate(first_items):
        radios = tab.locator(f"input[name='{item_field(item.id)}']")
        pick = radios.nth(n % radios.count())
        pick.check()
        chosen[item.id] = pick.get_attribute("value")
    tab.get_by_role("button", name="Save and finish later").click()
    code = tab.locator("[data-resume-code]").inner_text().strip()
    assert len(code) == 11
    phone.close()

    desktop = browser.new_context()
    other = desktop.new_page()
    other.set_default_timeout(10_000)
    other.goto(link)
    assert other.locator("[data-resume-code]").count() == 0  # a new browser has no response
    other.get_by_label("Your resume code").fill(code.lower().replace("-", " "))
    other.get_by_role("button", name="Continue with this code").click()
    assert other.url == f"{link}/page/2"
    assert other.locator("[data-resume-code]").inner_text().strip() == code
    assert_accessible(other, "a page continued with a code")
    other.goto(f"{link}/page/1")
    found = {item.id: other.locator(f"input[name='{item_field(item.id)}']:checked")
             .get_attribute("value") for item in first_items}
    assert found == chosen
    desktop.close()


def test_a_wrong_code_says_so_accessibly_in_the_browser(
        browser: Any, live_url: str, session: Session):  # noqa: F811
    _, tokens = make_assessment(session, make_municipality(session), ("police", "health"))
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto(f"{live_url}/s/{tokens['health']}")
    tab.get_by_label("Your resume code").fill("ZZZZZ-ZZZZZ")
    tab.get_by_role("button", name="Continue with this code").click()
    tab.wait_for_load_state()  # the click returns once the answer starts, not once it is read
    assert "does not continue a response on this link" in tab.content()
    assert_accessible(tab, "the start page with a wrong code")
    context.close()
