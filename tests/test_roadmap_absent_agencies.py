"""Agencies with no answers are worded by what the data shows: invited or not, and an earlier
round they took part in; the lead that replaces an absent one reads as a name (review 7)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.models import Assessment
from readiness.services import assessments as services
from readiness.web.report_download import roadmap_html
from readiness.web.results import ScoredAssessment
from tests.web_helpers import add_responses, login, make_municipality, make_user


def _second_round(session: Session) -> Assessment:
    """Round 1: youth work answered. Round 2: local authority and youth work invited but silent,
    education never invited; police, health and social services answered."""
    town = make_municipality(session, name="Sint-Aldegonde")
    first, _ = services.create_assessment(
        session, town, q=get_questionnaire(), conducted_on=date(2026, 1, 12),
        agencies=("police", "health", "social_services", "youth_work"))
    for agency in first.agencies:
        add_responses(session, first, agency, 3, "disagree")
    services.close_assessment(session, first)
    second, _ = services.create_assessment(
        session, town, q=get_questionnaire(), conducted_on=date(2026, 12, 6),
        agencies=("local_authority", "police", "health", "social_services", "youth_work"))
    for agency in ("police", "health", "social_services"):
        add_responses(session, second, agency, 3, "disagree")
    services.close_assessment(session, second)
    session.commit()
    return second


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def pages(app: Flask, client: FlaskClient, session: Session) -> dict[str, str]:
    """The round's results page roadmap and its PDF's HTML, as text."""
    found = _second_round(session)
    make_user(session, "ada")
    login(client, "ada")
    page = client.get(f"/assessments/{found.public_id}/results").get_data(as_text=True)
    roadmap = page.split('<h2 id="roadmap">', 1)[1].split('<h2 id="plan-progress">', 1)[0]
    with app.test_request_context():
        q, published = services.publish_assessment(session, found)
        pdf = roadmap_html(session, ScoredAssessment(found, q, published))
    assert "Bring the missing agencies into the cooperation" in roadmap
    return {"web": _text(roadmap), "pdf": _text(pdf)}


@pytest.mark.parametrize("where", ["web", "pdf"])
def test_absent_agencies_are_named_invited_or_not_and_by_an_earlier_round(
        pages: dict[str, str], where: str):
    text = pages[where]
    assert "not yet involved" not in text
    assert "Youth work (invited, no answers; took part in round 1)" in text
    assert "Local authority / city hall (invited, no answers)" in text
    assert "Education and schools (not invited)" in text


@pytest.mark.parametrize("where", ["web", "pdf"])
def test_bringing_in_the_missing_agencies_names_every_absent_one_it_works_with(
        pages: dict[str, str], where: str):
    why = pages[where].split("Taking no part in this round:", 1)[1].split(".", 1)[0]
    for agency in ("Local authority / city hall", "Youth work", "Education and schools"):
        assert agency in why


def test_the_summarys_lead_line_is_one_sentence_not_two_templates_joined(
        pages: dict[str, str]):
    first = pages["pdf"].split("Bring the missing agencies into the cooperation – led by", 1)[1]
    assert first.lstrip().startswith(
        "Police (convening until the partners agree who leads), low effort, by")
    assert "convenes;" not in pages["pdf"]
    assert "Local authority / city hall would usually lead (invited, no answers)." in pages["pdf"]
