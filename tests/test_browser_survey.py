"""In a real browser: a practitioner completes the survey by keyboard alone, closing the browser
half-way and resuming; and axe-core finds no WCAG 2.1 AA violation on any page type."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.models import Response, ResponseStatus, Role
from readiness.services import assessments as services
from readiness.services.survey import pages
from tests.browser_support import assert_accessible, browser, live_url, page  # noqa: F401
from tests.web_helpers import PASSWORD, add_responses, make_assessment, make_municipality, make_user

pytestmark = [pytest.mark.browser, pytest.mark.db]

MAX_TABS = 120


def _focused(tab: Any) -> dict[str, str]:
    return tab.evaluate(
        """() => { const e = document.activeElement; return {
             tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '',
             value: e.value || '', text: (e.innerText || '').trim(), checked: !!e.checked }; }""")


def _tab_to(tab: Any, wanted: dict[str, str], backwards: bool = False) -> dict[str, str]:
    """Press Tab until the focused element has every attribute in `wanted`."""
    for _ in range(MAX_TABS):
        tab.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = _focused(tab)
        if all(now.get(k) == v for k, v in wanted.items()):
            return now
    raise AssertionError(f"Tab never reached {wanted} on {tab.url}")


def _choose_by_keyboard(tab: Any, field: str, position: int) -> None:
    """Tab into a radio group and pick the option at `position` with the arrow keys."""
    focused = _tab_to(tab, {"type": "radio", "name": field})
    if position == 0:
        tab.keyboard.press("Space")
    for _ in range(position):
        tab.keyboard.press("ArrowRight")
    checked = tab.evaluate(
        "name => document.querySelector(`input[name='${name}']:checked`)?.value", field)
    assert checked is not None, f"nothing chosen for {field} ({focused})"


def _answer_page_by_keyboard(tab: Any, q: Questionnaire, number: int,
                             chosen: dict[str, str]) -> None:
    from readiness.web.forms import comment_field, item_field

    dimension = pages(q)[number - 1]
    for n, item in enumerate(q.items_of(dimension.id)):
        values = [tab.evaluate("e => e.value", e)
                  for e in tab.query_selector_all(f"input[name='{item_field(item.id)}']")]
        position = (number + n) % len(values)  # a spread of answers, don't know included
        _choose_by_keyboard(tab, item_field(item.id), position)
        chosen[item.id] = values[position]
    _tab_to(tab, {"tag": "textarea", "name": comment_field(dimension.id)})
    tab.keyboard.type(f"Comment on page {number} <b>not bold</b>")
    _tab_to(tab, {"tag": "button", "value": "continue"})
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def test_a_practitioner_completes_the_survey_by_keyboard_and_resumes_after_closing_the_browser(
        browser: Any, live_url: str, session: Session, questionnaire: Questionnaire):  # noqa: F811
    _, tokens = make_assessment(session, make_municipality(session), ("police", "health"))
    link = f"{live_url}/s/{tokens['health']}"
    total = len(pages(questionnaire))
    half = total // 2
    chosen: dict[str, str] = {}

    context = browser.new_context()
    tab = context.new_page()
    tab.goto(link)
    _tab_to(tab, {"tag": "button", "text": "Start now"})
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{link}/page/1")
    for number in range(1, half + 1):
        _answer_page_by_keyboard(tab, questionnaire, number, chosen)
    assert tab.url.endswith(f"/page/{half + 1}")
    # Closing the browser keeps only persistent cookies: the resume cookie must be one of them.
    kept = [c for c in context.storage_state()["cookies"] if c["expires"] > 0]
    assert kept, "the resume cookie must outlive the browser session"
    context.close()

    context = browser.new_context(storage_state={"cookies": kept, "origins": []})
    tab = context.new_page()
    tab.goto(link)
    _tab_to(tab, {"tag": "a", "text": "Continue where you left off"})
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{link}/page/{half + 1}")
    for number in range(half + 1, total + 1):
        _answer_page_by_keyboard(tab, questionnaire, number, chosen)
    tab.wait_for_url(f"{link}/check")
    assert "<b>not bold</b>" in tab.inner_text("main")
    _tab_to(tab, {"tag": "button", "type": "submit"}, backwards=True)
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{link}/thanks")
    context.close()

    responses = session.scalars(select(Response)).all()
    assert len(responses) == 1
    assert responses[0].status == ResponseStatus.SUBMITTED
    assert responses[0].agency == "health"
    assert responses[0].answers == chosen
    assert len(responses[0].comments) == total


def _closed_assessment(session: Session) -> tuple[str, str]:
    municipality = make_municipality(session, name="Gent <i>test</i>")
    assessment, tokens = make_assessment(session, municipality, ("police", "health", "education"))
    for agency in ("police", "health", "education"):
        add_responses(session, assessment, agency, 3,
                      value="agree" if agency != "health" else "disagree",
                      comments={"trust": "<script>alert(1)</script>"})
    services.close_assessment(session, assessment)
    session.commit()
    return assessment.public_id, municipality.public_id


def _login(tab: Any, base: str, username: str) -> None:
    tab.goto(f"{base}/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", PASSWORD)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def test_every_page_type_has_no_wcag_21_aa_violation(
        app: Flask, page: Any, live_url: str, session: Session,  # noqa: F811
        questionnaire: Questionnaire):
    make_user(session, "advisor", Role.ADMIN)
    results_id, municipality_id = _closed_assessment(session)
    open_assessment, tokens = make_assessment(session, make_municipality(session, name="Aalst"),
                                              ("police", "health"))
    link = f"{live_url}/s/{tokens['police']}"

    page.goto(link)
    assert page.locator("#privacy-title").is_visible()
    assert_accessible(page, "survey start page (privacy notice not configured)")
    page.goto(f"{live_url}/s/{tokens['police'][:12]}")
    assert "This survey link does not work" in page.inner_text("main")
    assert_accessible(page, "survey link that does not work")
    app.config.update({"PRIVACY_CONTROLLER": "Ministry of the Interior",
                       "PRIVACY_CONTACT": "dpo@interior.example.gov",
                       "PRIVACY_RETENTION": "Two years after the assessment closes.",
                       "PRIVACY_NOTICE_URL": "https://interior.example.gov/privacy"})
    page.goto(link)
    assert "Ministry of the Interior" in page.inner_text("#privacy-title + p + dl")
    assert_accessible(page, "survey start page with the privacy notice")
    page.click("text=Start now")
    page.wait_for_url(f"{link}/page/1")
    assert_accessible(page, "question page")
    with page.expect_navigation():
        page.click("button[value=continue]")
    assert page.locator(".error-summary, [role=alert]").count() > 0
    assert_accessible(page, "question page with errors")
    for number in range(1, len(pages(questionnaire)) + 1):
        page.goto(f"{link}/page/{number}")
        for group in page.query_selector_all("fieldset"):
            radio = group.query_selector("input[type=radio]")
            if radio:
                radio.check()
        with page.expect_navigation():
            page.click("button[value=continue]")
    page.wait_for_url(f"{link}/check")
    assert_accessible(page, "check your answers")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{link}/thanks")
    assert_accessible(page, "thank-you page")

    page.goto(f"{live_url}/login")
    assert_accessible(page, "login page")
    _login(page, live_url, "advisor")
    page.goto(f"{live_url}/")
    assert_accessible(page, "assessments overview")
    page.goto(f"{live_url}/?q=zzz-no-such-town")
    assert page.locator("form[role=search] input#q").input_value() == "zzz-no-such-town"
    assert_accessible(page, "assessments overview, a search that finds nothing")
    page.goto(f"{live_url}/municipalities/{municipality_id}")
    assert_accessible(page, "municipality page")
    page.goto(f"{live_url}/assessments/{open_assessment.public_id}")
    assert_accessible(page, "assessment dashboard")
    page.goto(f"{live_url}/assessments/{results_id}/results")
    assert "Gent <i>test</i>" in page.inner_text("main")
    assert page.locator("main i").count() == 0
    assert_accessible(page, "results page")
