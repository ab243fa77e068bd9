"""In a real browser: a workshop page saves each answer as it is given, survives leaving the page
and an expired form token, warns before leaving unsaved answers; and a mixed round (links for
some agencies, workshop for others) closes with both kinds of answers and shows both."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.models import Assessment, Mode, Municipality
from readiness.web.forms import item_field
from tests.browser_support import assert_accessible, browser, live_url, page  # noqa: F401
from tests.web_helpers import (
    PASSWORD,
    add_responses,
    fresh,
    make_assessment,
    make_municipality,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.db]

SAVED = "Every answer on this page is saved."
TOKEN = "document.querySelector(\"#workshop-form input[name='csrf_token']\")"


def _login(tab: Any, base: str, username: str = "admin") -> None:
    tab.goto(f"{base}/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", PASSWORD)
    tab.press("input[name=password]", "Enter")
    tab.wait_for_load_state()


def _answer(tab: Any, item_id: str, value: str) -> None:
    tab.check(f"input[name='{item_field(item_id)}'][value='{value}']")


def _wait_saved(tab: Any) -> None:
    tab.wait_for_function(
        "text => document.getElementById('autosave-status').textContent === text", arg=SAVED)


def _stored(session: Session, assessment: Assessment, agency: str) -> dict[str, str]:
    fresh(session)
    found = session.get(Assessment, assessment.id)
    assert found is not None
    return {r.agency: dict(r.answers) for r in found.responses}.get(agency, {})


def test_a_workshop_with_autosave_survives_leaving_the_page_and_an_expired_token(
        page: Any, live_url: str, session: Session, questionnaire: Questionnaire):  # noqa: F811
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"),
                                    mode=Mode.WORKSHOP)
    items = [item.id for item in questionnaire.doc.items]
    _login(page, live_url)
    workshop = f"{live_url}/assessments/{assessment.public_id}/workshop/police"
    page.goto(workshop)
    for item in items[:3]:
        _answer(page, item, "agree")
    page.click("details.ratings >> nth=0 >> summary")
    page.fill(f"input[name='rate-{items[0]}-strongly_disagree']", "1")
    page.fill(f"input[name='rate-{items[0]}-strongly_agree']", "3")
    page.press(f"input[name='rate-{items[0]}-strongly_agree']", "Tab")  # a change: saved
    page.wait_for_function("id => document.getElementById(id).textContent"
                           ".includes('4 points apart')", arg=f"spread-{items[0]}")
    _wait_saved(page)
    assert_accessible(page, "workshop page with its autosave status and a spread shown")
    page.click("a[data-leave-warning]")  # nothing unsaved: leaves without a question
    page.wait_for_url(f"{live_url}/assessments/{assessment.public_id}")
    assert f"3 of {len(items)} statements recorded" in page.content()
    page.goto(workshop)
    for item in items[:3]:
        assert page.is_checked(f"input[name='{item_field(item)}'][value='agree']")

    # the token expires (here: it is spoiled) while the page is open: the next answer is saved
    # all the same, with a fresh token the page fetches itself
    page.evaluate(f"{TOKEN}.value = 'expired'")
    _answer(page, items[3], "disagree")
    _wait_saved(page)
    assert page.evaluate(f"{TOKEN}.value") != "expired"  # a fresh one replaced it
    assert _stored(session, assessment, "police") == {
        items[0]: "agree", items[1]: "agree", items[2]: "agree", items[3]: "disagree"}

    # sent by its button with an expired token (as without script): the answers come back
    page.evaluate(f"{TOKEN}.value = 'expired'")
    page.evaluate("document.querySelectorAll('[data-leave-warning]').forEach("
                  "a => a.removeAttribute('data-leave-warning'))")
    page.click("button[name=section][value='']")
    page.wait_for_load_state()
    assert "Form expired" not in page.content()
    assert "Your answers are filled in below and not lost" in page.content()
    assert page.is_checked(f"input[name='{item_field(items[3])}'][value='disagree']")
    page.click("button[name=section][value='']")
    page.wait_for_url(f"{live_url}/assessments/{assessment.public_id}")
    assert len(_stored(session, assessment, "police")) == 4


def test_leaving_a_workshop_page_with_an_unsaved_answer_asks_first(
        page: Any, live_url: str, session: Session, questionnaire: Questionnaire):  # noqa: F811
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police",),
                                    mode=Mode.WORKSHOP)
    _login(page, live_url)
    workshop = f"{live_url}/assessments/{assessment.public_id}/workshop/police"
    page.goto(workshop)
    page.route("**/autosave", lambda route: route.abort())  # the connection is lost
    _answer(page, questionnaire.doc.items[0].id, "agree")
    page.wait_for_function("document.getElementById('autosave-status').textContent"
                           ".startsWith('Not saved yet')")
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.click("a[data-leave-warning]")
    assert asked == ["Some answers on this page are not saved yet. Leave the page anyway?"]
    assert page.url == workshop  # stayed, with the answer still chosen
    assert page.is_checked(
        f"input[name='{item_field(questionnaire.doc.items[0].id)}'][value='agree']")
    with page.expect_event("dialog") as closing:
        page.close(run_before_unload=True)  # closing the tab or the browser asks too
    assert closing.value.type == "beforeunload"


def test_a_mixed_round_closes_with_both_kinds_of_answers_and_the_results_show_both(
        page: Any, live_url: str, session: Session, questionnaire: Questionnaire):  # noqa: F811
    make_user(session, "admin")
    municipality = make_municipality(session)
    _login(page, live_url)
    page.goto(f"{live_url}/municipalities/{municipality.public_id}/assessments/new")
    page.fill("input[name=conducted_on]", "2026-04-01")
    page.check("input[name=mode][value=mixed]")
    for agency in ("police", "health", "education"):
        page.check(f"input[name=agencies][value={agency}]")
    page.check("input[name=in_workshop][value=health]")
    sizes = page.get_by_role("group", name="Sent to how many practitioners?")
    for title in ("Police", "Education and schools"):  # the workshop agency needs none
        sizes.get_by_label(title, exact=True).fill("8")
    # the script asks only for the agencies that get a link
    assert sizes.get_by_label("Health and mental health care", exact=True).is_hidden()
    assert sizes.get_by_label("Youth work", exact=True).is_hidden()
    assert_accessible(page, "new assessment form with the mixed choice")
    page.click("button[type=submit]:has-text('Create the assessment')")
    page.wait_for_load_state()
    assert page.url.endswith("/links")  # a round with links opens on its links page
    assert page.locator("input[id^=url-]").count() == 2  # links for police and education only
    assert_accessible(page, "links page of a mixed round")
    fresh(session)
    found = session.query(Municipality).one().assessments[-1]
    page.goto(f"{live_url}/assessments/{found.public_id}")
    assert_accessible(page, "assessment page of a mixed round")
    add_responses(session, found, "police", 3, "agree")
    add_responses(session, found, "education", 3, "disagree")

    page.click("a:has-text('Record the answers of Health')")
    page.wait_for_load_state()
    page.evaluate("""() => { for (const group of document.querySelectorAll('fieldset')) {
        const agree = group.querySelector("input[type=radio][value='strongly_agree']")
                      || group.querySelector('input[type=radio]');
        if (agree) { agree.checked = true; } } }""")
    page.click("button[name=section][value='']")
    page.wait_for_url(f"{live_url}/assessments/{found.public_id}")
    page.goto(f"{live_url}/assessments/{found.public_id}/close")
    page.click("button:has-text('Close and compute the results')")
    page.wait_for_url(f"{live_url}/assessments/{found.public_id}/results")
    text = page.inner_text("main")
    assert "6 practitioners in 2 agencies and agreed answers of 1 agency" in text
    assert "Health and mental health care 1" in text
    assert "Police 3" in text
    assert_accessible(page, "results of a mixed round")


def test_an_autosave_after_another_person_saved_says_so_in_an_alert_and_overwrites_nothing(
        page: Any, browser: Any, live_url: str, session: Session,  # noqa: F811
        questionnaire: Questionnaire):
    make_user(session, "admin")
    make_user(session, "cofacilitator")
    assessment, _ = make_assessment(session, make_municipality(session), ("police",),
                                    mode=Mode.WORKSHOP)
    first, second = (item.id for item in questionnaire.doc.items[:2])
    workshop = f"{live_url}/assessments/{assessment.public_id}/workshop/police"
    _login(page, live_url)
    page.goto(workshop)  # the facilitator's laptop
    tablet_context = browser.new_context()
    try:
        tablet = tablet_context.new_page()
        _login(tablet, live_url, "cofacilitator")
        tablet.goto(workshop)  # the co-facilitator's tablet, opened at the same answers
        _answer(tablet, first, "agree")
        _wait_saved(tablet)
    finally:
        tablet_context.close()
    _answer(page, second, "disagree")  # the laptop's page still holds the answers as opened
    page.wait_for_function(
        "text => document.getElementById('autosave-alert').textContent.startsWith(text)",
        arg="Not saved: another person saved answers of Police")
    assert page.get_attribute("#autosave-alert", "role") == "alert"
    assert _stored(session, assessment, "police") == {first: "agree"}
    _answer(page, second, "agree")  # no more saves by script once in conflict
    assert_accessible(page, "workshop page with an autosave conflict")
    page.click("button[name=section][value='']")  # Save: theirs and yours, to compare
    page.wait_for_load_state()
    assert "Someone else saved changes first" in page.inner_text("main")
    assert page.is_checked(f"input[name='{item_field(second)}'][value='agree']")
    _answer(page, second, "disagree")  # comparing: the script does not replace theirs either
    assert page.is_hidden("#autosave-status")
    assert _stored(session, assessment, "police") == {first: "agree"}
    assert_accessible(page, "workshop page showing theirs and yours")


def test_save_pressed_while_the_pages_own_autosave_is_in_flight_saves_and_is_no_conflict(
        page: Any, live_url: str, session: Session, questionnaire: Questionnaire):  # noqa: F811
    """The autosave reaches the server (a new version) but its answer is held back; Save is
    pressed meanwhile. Sent at once, Save carried the version before the page's own autosave
    and was refused as another person's change (seen in a loaded CI run)."""
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police",),
                                    mode=Mode.WORKSHOP)
    first, second = (item.id for item in questionnaire.doc.items[:2])
    held: list[tuple[Any, Any]] = []

    def hold(route: Any) -> None:
        held.append((route, route.fetch()))  # stored on the server; the page not told yet

    _login(page, live_url)
    page.goto(f"{live_url}/assessments/{assessment.public_id}/workshop/police")
    page.route("**/autosave", hold)
    _answer(page, first, "agree")
    page.wait_for_function("() => document.getElementById('autosave-status').textContent"
                           " !== ''")  # saving...
    while not held:
        page.wait_for_timeout(20)  # lets Playwright run the route handler
    assert _stored(session, assessment, "police") == {first: "agree"}
    _answer(page, second, "disagree")  # a change while the save is in flight
    page.click("button[name=section][value='']")  # Save, before the autosave's answer is back
    assert page.url.endswith("/workshop/police")  # held until the page's own save is back
    with page.expect_navigation():
        route, response = held.pop()
        route.fulfill(response=response)
    page.wait_for_load_state()
    assert "Someone else saved changes first" not in page.inner_text("main")
    assert page.url.endswith(f"/assessments/{assessment.public_id}")
    assert _stored(session, assessment, "police") == {first: "agree", second: "disagree"}
