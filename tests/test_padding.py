"""The padding attack: someone holding an agency's link adds responses with known answers to a
single real practitioner's, closes the round and subtracts them. It must reveal nothing."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.models import Assessment, AssessmentResult
from readiness.services import assessments as services
from tests.browser_support import assert_accessible, browser, live_url, page  # noqa: F401
from tests.web_helpers import (
    PASSWORD,
    add_responses,
    fresh,
    login,
    make_assessment,
    make_municipality,
    make_user,
    page_data,
    post_form,
)

pytestmark = pytest.mark.db
SHOTS = Path(os.environ.get("SCREENSHOTS", tempfile.gettempdir()))

OFFICER = ("disagree", "neither", "strongly_disagree", "agree")  # one answer per page
SECRET = "Only I, the one police officer here, would write this sentence."


def _varied(n: int) -> Callable[[str], str]:
    """Each respondent of the other agencies answers a little differently (not padding)."""
    values = ("agree", "neither", "disagree", "strongly_agree", "strongly_disagree")
    return lambda item: values[(sum(map(ord, item)) + n) % len(values)]


def _round(session: Session, police_capacity: int | None) -> tuple[Assessment, str]:
    """Health and education with five practitioners each, and a police link."""
    assessment, _ = make_assessment(session, make_municipality(session, name="Puurs"),
                                    ("health", "education"))
    for agency in ("health", "education"):
        for n in range(5):
            add_responses(session, assessment, agency, 1, _varied(n))
    _, token = services.new_invitation(session, assessment, "police", capacity=police_capacity)
    session.commit()
    return assessment, f"/s/{token}"


def _answer(client: FlaskClient, link: str, value: str, comment: str = "") -> int:
    """Start and send a whole survey through `link`; the start's status code."""
    started = post_form(client, link, to=f"{link}/start")
    if started.status_code != 302:
        return started.status_code
    pages = 1
    while True:
        answer = OFFICER[pages % len(OFFICER)] if value == "officer" else value
        reply = post_form(client, f"{link}/page/{pages}",
                          page_data(_q(), pages, answer, comment if pages == 1 else ""))
        assert reply.status_code == 302
        if "/check" in reply.headers["Location"]:
            break
        pages += 1
    sent = post_form(client, f"{link}/check")
    assert sent.status_code in (302, 303)
    return started.status_code


def _q():  # type: ignore[no-untyped-def]
    from readiness.core.questionnaire import get_questionnaire
    return get_questionnaire()


def _published_everywhere(app: Flask, client: FlaskClient, session: Session,
                          assessment: Assessment) -> str:
    """The results page, the PDF's text and the stored result the API reads, as one text."""
    make_user(session, "ada")
    login(client, "ada")
    html = client.get(f"/assessments/{assessment.public_id}/results").get_data(as_text=True)
    pdf = client.get(f"/assessments/{assessment.public_id}/roadmap.pdf")
    assert pdf.status_code == 200
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    fresh(session)
    stored = session.scalars(select(AssessmentResult.result).where(
        AssessmentResult.assessment_id == assessment.id)).one()
    for dimension in stored["dimensions"]:
        assert dimension["by_agency"].get("police") is None
    return html + text + str(stored)


def test_a_link_sent_to_one_practitioner_takes_no_padding(app: Flask, client: FlaskClient,
                                                          session: Session):
    assessment, link = _round(session, police_capacity=1)
    officer = app.test_client()
    assert _answer(officer, link, "officer", SECRET) == 302
    for _padding in range(2):  # the link holder, in fresh browsers
        assert _answer(app.test_client(), link, "strongly_agree") == 410
    services.close_assessment(session, assessment)
    session.commit()
    published = _published_everywhere(app, client, session, assessment)
    assert SECRET not in published
    agencies = published.split("Scores by agency", 1)[1].split("</table>", 1)[0]
    assert "Police" not in agencies


def test_padding_a_link_of_unstated_size_is_flagged_and_can_be_left_out(
        app: Flask, client: FlaskClient, session: Session):
    assessment, link = _round(session, police_capacity=None)
    assert _answer(app.test_client(), link, "officer", SECRET) == 302
    for _padding in range(2):
        assert _answer(app.test_client(), link, "strongly_agree") == 302
    make_user(session, "organiser")
    login(client, "organiser")
    close_page = f"/assessments/{assessment.public_id}/close"
    flagged = client.get(close_page).get_data(as_text=True)
    section = flagged.split('id="flagged"', 1)[1].split("</section>", 1)[0]
    # the two padded ones straight-lined; all three (the officer's too) came through one link
    # on one day, mostly alike: a burst
    assert section.count('name="exclude"') == 3
    assert section.count("every statement given the same answer") == 2
    assert section.count("on the same day") == 3
    assert 'id="uncapped"' in flagged
    ids = [chunk.split('"', 1)[0] for chunk in section.split('name="exclude" value="')[1:]
           if "every statement given the same answer" in chunk.split("</div>", 1)[0]]
    assert len(ids) == 2
    assert post_form(client, close_page, {"exclude": ids},
                     to=f"/assessments/{assessment.public_id}/exclude").status_code == 302
    assert post_form(client, close_page).status_code == 302
    client.get("/logout")
    published = _published_everywhere(app, client, session, assessment)
    assert SECRET not in published
    agencies = published.split("Scores by agency", 1)[1].split("</table>", 1)[0]
    assert "Police" not in agencies


def test_three_responses_show_an_agency_s_scores_but_never_its_comments(
        app: Flask, client: FlaskClient, session: Session):
    """Even padding that gets through (a link said to reach three) never reveals the one real
    officer's words: comments need min_comment_group (5) practitioners."""
    assessment, link = _round(session, police_capacity=3)
    assert _answer(app.test_client(), link, "officer", SECRET) == 302
    for _padding in range(2):
        assert _answer(app.test_client(), link, "strongly_agree") == 302
    services.close_assessment(session, assessment)
    session.commit()
    make_user(session, "ada")
    login(client, "ada")
    html = client.get(f"/assessments/{assessment.public_id}/results").get_data(as_text=True)
    assert SECRET not in html


def test_a_browser_signed_in_to_the_app_cannot_answer(client: FlaskClient, session: Session):
    _, link = _round(session, police_capacity=5)
    make_user(session, "organiser")
    login(client, "organiser")
    reply = post_form(client, link, to=f"{link}/start")
    assert reply.status_code == 403
    assert "Signed in: you cannot answer" in reply.get_data(as_text=True)


def test_survey_starts_are_limited_per_address(app: Flask, session: Session):
    app.config["SURVEY_STARTS_PER_ADDRESS"] = 3
    _, link = _round(session, police_capacity=None)
    codes = [post_form(app.test_client(), link, to=f"{link}/start").status_code
             for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]


@pytest.mark.browser
def test_the_close_page_flags_and_the_withheld_results_have_no_wcag_21_aa_violation(
        app: Flask, page: Any, live_url: str, session: Session):  # noqa: F811
    assessment, link = _round(session, police_capacity=None)
    for _padding in range(2):
        assert _answer(app.test_client(), link, "strongly_agree") == 302
    thin, _ = make_assessment(session, make_municipality(session, name="Bornem"), ("police",))
    add_responses(session, thin, "police", 1, _varied(1))
    services.close_assessment(session, thin)
    session.commit()
    make_user(session, "ada")
    page.goto(f"{live_url}/login")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{live_url}/assessments/{assessment.public_id}/close")
    assert page.locator("#flagged input[type=checkbox]").count() == 2
    page.screenshot(path=str(SHOTS / "close-flagged.png"), full_page=True)
    assert_accessible(page, "close page with flagged responses")
    page.goto(f"{live_url}/assessments/{assessment.public_id}")
    assert page.locator("input[name=capacity]").count() >= 2
    assert_accessible(page, "assessment page with link sizes")
    page.goto(f"{live_url}/assessments/{thin.public_id}/results")
    assert page.locator("#withheld").is_visible()
    page.screenshot(path=str(SHOTS / "results-withheld.png"), full_page=True)
    assert_accessible(page, "results page of a round below the minimum")
