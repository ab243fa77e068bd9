"""The organiser opens the comments to weigh beside a roadmap action by keyboard; the results
page with them open passes axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from tests.browser_support import assert_accessible, browser, live_url, page  # noqa: F401
from tests.test_results import _closed
from tests.web_helpers import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.db]
SCREENSHOTS = os.environ.get("READINESS_SCREENSHOTS")


def test_organiser_opens_the_notes_to_weigh_and_the_page_passes_axe(
        page: Any, live_url: str, session: Session,  # noqa: F811
        questionnaire: Questionnaire):
    assessment = _closed(session, questionnaire)
    make_user(session, "ada")
    page.goto(f"{live_url}/login")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_url}/assessments/{assessment.public_id}/results")
    summary = page.locator("details.notes-to-weigh summary").first
    summary.focus()
    page.keyboard.press("Enter")
    notes = page.locator("details.notes-to-weigh").first
    assert notes.get_attribute("open") is not None
    assert "Good <b>contacts</b>" in notes.inner_text()
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        notes.screenshot(path=str(Path(SCREENSHOTS) / "roadmap-notes.png"))
    assert_accessible(page, "results page with the notes to weigh open")
