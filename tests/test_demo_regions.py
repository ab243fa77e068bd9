"""The demo names regions as they officially call themselves, the names the legal profiles
match on: a roadmap's cover (the stored region) and its legal section (the profile's name)
say the same, and the dashboard's region filter offers that name."""

from __future__ import annotations

import random
from html import unescape

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from readiness.core.legal import profile_for
from readiness.core.questionnaire import Questionnaire
from readiness.demo.municipal import PROFILES, create_demo_municipality
from readiness.demo.national import REGIONS
from readiness.services import assessments as services
from readiness.web.report_download import roadmap_html
from readiness.web.results import ScoredAssessment

ENGLISH_EXONYMS = {"Antwerp", "Bavaria", "East Flanders", "West Flanders", "Flemish Brabant",
                   "Walloon Brabant", "Brussels-Capital"}


def test_demo_regions_are_local_names_not_english_ones():
    used = {p.region for p in PROFILES} | {r for names in REGIONS.values() for r in names}
    assert not used & ENGLISH_EXONYMS
    assert "Antwerpen" in REGIONS["BE"]


def test_the_demo_s_bavarian_town_finds_the_bavarian_legal_profile():
    brunnhausen = next(p for p in PROFILES if p.name == "Brunnhausen")
    assert brunnhausen.region == "Bayern"
    assert profile_for(brunnhausen.country, brunnhausen.region).id == "de-by"


@pytest.mark.db
def test_the_german_roadmap_names_the_region_the_same_on_the_cover_and_in_the_body(
        app: Flask, session: Session, questionnaire: Questionnaire):
    brunnhausen = next(p for p in PROFILES if p.name == "Brunnhausen")
    municipality = create_demo_municipality(session, questionnaire, brunnhausen,
                                            random.Random(1))
    [assessment] = municipality.assessments
    with app.test_request_context("/?lang=de"):
        q, published = services.publish_assessment(session, assessment)
        html = unescape(roadmap_html(session, ScoredAssessment(assessment, q, published)))
    assert "Bavaria" not in html
    assert "Bayern, Deutschland" in html
    assert "Rechtslage in Bayern (Deutschland)" in html
