"""One round in three languages, in a real browser: a Dutch-speaking practitioner answers the
survey in Dutch by keyboard, the organiser downloads the roadmap in French, and the national
coordinator reads the dashboard in German; axe checks every page's `lang`."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pypdf
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.models import Response, ResponseStatus, Role
from readiness.services import assessments as services
from readiness.services.survey import pages
from tests.browser_support import assert_accessible, browser, live_url  # noqa: F401
from tests.test_browser_survey import _answer_page_by_keyboard, _login, _tab_to
from tests.web_helpers import add_responses, make_municipality, make_user

pytestmark = [pytest.mark.browser, pytest.mark.db]


def _round_on_1_0(session: Session) -> tuple[Any, str]:
    """An open survey round of questionnaire 1.0 (translated) in a Belgian municipality, with
    answers from two agencies; returns it and the health link."""
    municipality = make_municipality(session, name="Mechelen")
    assessment, tokens = services.create_assessment(
        session, municipality, q=get_questionnaire(version="1.0", language="en"),
        agencies=("police", "health", "education"), conducted_on=date(2026, 3, 1))
    session.commit()
    add_responses(session, assessment, "police", 3, "agree")
    add_responses(session, assessment, "education", 3, "disagree")
    health = next(i for i in assessment.invitations if i.agency == "health")
    return assessment, tokens[health.public_id]


def _dutch_practitioner_answers(browser: Any, link: str) -> dict[str, str]:  # noqa: F811
    dutch = get_questionnaire(version="1.0", language="nl")
    context = browser.new_context(locale="nl-BE")
    tab = context.new_page()
    tab.goto(link)
    assert tab.get_attribute("html", "lang") == "nl"
    assert dutch.doc.title in tab.inner_text("main")
    assert_accessible(tab, "survey start page in Dutch")
    _tab_to(tab, {"tag": "button", "text": "Nu beginnen"})
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{link}/page/1")
    first = dutch.items_of(pages(dutch)[0].id)[0]
    assert first.text in tab.inner_text("main")
    assert "Helemaal eens" in tab.inner_text("main")
    assert_accessible(tab, "survey page in Dutch")
    chosen: dict[str, str] = {}
    for number in range(1, len(pages(dutch)) + 1):
        _answer_page_by_keyboard(tab, dutch, number, chosen)
    tab.wait_for_url(f"{link}/check")
    assert "Uw antwoorden controleren" in tab.inner_text("main")
    _tab_to(tab, {"tag": "button", "type": "submit"}, backwards=True)
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{link}/thanks")
    assert "Dank u wel" in tab.inner_text("main")
    context.close()
    return chosen


def _french_roadmap(browser: Any, base: str, assessment_id: str) -> bytes:  # noqa: F811
    context = browser.new_context(locale="en-GB", accept_downloads=True)
    tab = context.new_page()
    _login(tab, base, "organiser")
    tab.goto(f"{base}/assessments/{assessment_id}/results")
    assert tab.get_attribute("html", "lang") == "en"
    tab.select_option("#roadmap-language", "fr")
    with tab.expect_download() as download:
        tab.click("form:has(#roadmap-language) button")
    pdf = download.value.path().read_bytes()
    context.close()
    return pdf


def _german_dashboard(browser: Any, base: str) -> str:  # noqa: F811
    context = browser.new_context(locale="en-GB")
    tab = context.new_page()
    _login(tab, base, "national")
    tab.select_option("#language-picker", "de")
    with tab.expect_navigation():
        tab.click("form.language-picker button")
    tab.goto(f"{base}/dashboard/")
    assert tab.get_attribute("html", "lang") == "de"
    assert_accessible(tab, "national dashboard in German")
    text = tab.inner_text("main")
    context.close()
    return text


def test_one_round_is_answered_in_dutch_reported_in_french_and_overseen_in_german(
        browser: Any, live_url: str, session: Session):  # noqa: F811
    make_user(session, "organiser", Role.ADMIN)
    make_user(session, "national", Role.NATIONAL_COORDINATOR)
    assessment, token = _round_on_1_0(session)
    chosen = _dutch_practitioner_answers(browser, f"{live_url}/s/{token}")

    dutch = session.scalars(select(Response).where(Response.agency == "health")).one()
    assert dutch.language == "nl"
    assert dutch.status == ResponseStatus.SUBMITTED
    assert dutch.answers == chosen
    session.refresh(assessment)
    result = services.close_assessment(session, assessment)
    session.commit()
    assert result.respondents_by_agency == {"police": 3, "education": 3, "health": 1}

    pdf = _french_roadmap(browser, live_url, assessment.public_id)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Feuille de route" in text
    assert get_questionnaire(version="1.0", language="fr").doc.dimensions[0].title in text

    dashboard = _german_dashboard(browser, live_url)
    assert "Behördenübergreifende Zusammenarbeit im ganzen Land" in dashboard
    assert "Mechelen" in dashboard
