"""The demo data: each profile's municipality looks the way the profile says."""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.core.scoring import Result
from readiness.demo.municipal import PROFILES, create_demo_municipality, load_demo
from readiness.models import Assessment, Status
from readiness.services import assessments as services
from tests.web_helpers import FAST_HASH


def _scored(session: Session, q: Questionnaire, name: str) -> tuple[Assessment, Result]:
    profile = next(p for p in PROFILES if p.name == name)
    municipality = create_demo_municipality(session, q, profile, random.Random(1))
    [assessment] = municipality.assessments
    return assessment, services.score_assessment(session, assessment)[1]


def test_each_demo_municipality_has_a_closed_assessment_with_enough_respondents(
        session: Session, questionnaire: Questionnaire):
    for profile in PROFILES:
        assessment, result = _scored(session, questionnaire, profile.name)
        assert assessment.status == Status.CLOSED
        assert 5 <= len(result.respondents_by_agency) <= 7
        assert min(result.respondents_by_agency.values()) >= 3
        assert assessment.context


def test_the_profiles_differ_as_intended(session: Session, questionnaire: Questionnaire):
    _, strong = _scored(session, questionnaire, "Kallioniemi")
    _, weak_legal = _scored(session, questionnaire, "Valmont-sur-Lys")
    _, gaps = _scored(session, questionnaire, "Brunnhausen")
    assert all((d.score or 0) >= 70 for d in strong.dimensions)
    legal = weak_legal.dimension("legal_basis").score or 0
    assert legal < min(d.score or 0 for d in weak_legal.dimensions if d.id != "legal_basis")
    assert sum(d.divergent for d in gaps.dimensions) >= 3


def test_the_demo_gives_an_open_round_with_a_link(session: Session,
                                                  questionnaire: Questionnaire):
    summary = load_demo(session, questionnaire, password_method=FAST_HASH)
    session.commit()
    open_rounds = session.scalars(select(Assessment).where(Assessment.status == Status.OPEN))
    [open_round] = list(open_rounds)
    assert open_round.round == 2
    assert summary.open_link_agency in open_round.agencies
    assert len({login.role for login in summary.logins}) == 4


def test_every_demo_link_states_how_many_practitioners_it_went_to_and_took_no_more(
        session: Session, questionnaire: Questionnaire):
    """The demo is what a ministry tries first: its results said 'link size not stated' beside
    every agency, where a round made by the new-round form states each link's size."""
    load_demo(session, questionnaire, password_method=FAST_HASH)
    session.commit()
    for assessment in session.scalars(select(Assessment)):
        for invitation in assessment.invitations:
            assert invitation.capacity, (assessment.municipality.name, invitation.agency)
        _, published = services.publish_assessment(session, assessment)
        assert all(size is not None for size in published.sent_to.values()), published.sent_to
        for agency, answered in published.respondents_by_agency.items():
            assert answered <= (published.sent_to.get(agency) or 0), (agency, published.sent_to)
