"""The roadmap in the app: who ran the round, context carried over, notes to weigh (issue 10)."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.models import Assessment, Role
from readiness.services import assessments as services
from tests.test_results import _closed, _page, _roadmap_section
from tests.web_helpers import add_responses, login, make_municipality, make_user


def _round(session: Session, creator_role: str) -> Assessment:
    advisor = make_user(session, f"u-{creator_role}", creator_role,
                        municipality=None if creator_role != Role.MUNICIPALITY_COORDINATOR
                        else make_municipality(session, name="Own town"))
    municipality = (advisor.municipality if creator_role == Role.MUNICIPALITY_COORDINATOR
                    else make_municipality(session, advisor=advisor))
    assessment, _ = services.create_assessment(
        session, municipality, q=get_questionnaire(), agencies=("police", "health"),
        conducted_on=date(2026, 3, 1), creator=advisor)
    session.commit()
    return assessment


def test_round_created_by_an_advisor_is_run_by_a_mobile_team_and_plans_the_follow_up(
        session: Session):
    assessment = _round(session, Role.ADVISOR)
    add_responses(session, assessment, "police", 3, "disagree")
    add_responses(session, assessment, "health", 3, "disagree")
    _, _, roadmap = services.score_assessment(session, assessment)
    assert services.run_by(session, assessment) == "mobile_team"
    ids = [a.id for a in roadmap.actions]
    assert "mobile_team_follow_up" in ids
    assert "request_mobile_team" not in ids


def test_round_created_by_the_municipality_may_ask_for_a_mobile_team(session: Session):
    assessment = _round(session, Role.MUNICIPALITY_COORDINATOR)
    assert services.run_by(session, assessment) == "municipality"
    add_responses(session, assessment, "police", 3, "strongly_disagree")
    add_responses(session, assessment, "health", 3, "strongly_disagree")
    _, _, roadmap = services.score_assessment(session, assessment)
    assert "mobile_team_follow_up" not in [a.id for a in roadmap.actions]


def test_new_round_starts_from_the_previous_rounds_context(session: Session):
    municipality = make_municipality(session)
    first, _ = services.create_assessment(session, municipality, q=get_questionnaire(),
                                          agencies=("police",), conducted_on=date(2026, 1, 1))
    services.set_context(first, {"ctx_formality": ["formal"],
                                 "ctx_existing_structures": ["youth_crime", "mental_health"]})
    add_responses(session, first, "police", 3, "agree")
    services.close_assessment(session, first)
    second, _ = services.create_assessment(session, municipality, q=get_questionnaire(),
                                           agencies=("police",), conducted_on=date(2026, 6, 1))
    assert second.context == {"ctx_formality": ["formal"],
                              "ctx_existing_structures": ["youth_crime", "mental_health"],
                              "ctx_population": ["from_50k_to_100k"]}  # the record's size


def test_organiser_sees_comments_of_shown_agencies_beside_the_roadmap(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    roadmap = _roadmap_section(_page(client, session, _closed(session, questionnaire)))
    assert 'class="notes-to-weigh"' in roadmap
    assert "Good &lt;b&gt;contacts&lt;/b&gt;" in roadmap  # police: shown, escaped
    assert "A comment from a small group" not in roadmap  # education: too few to be shown


def test_national_coordinator_does_not_get_the_notes_to_weigh(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment = _closed(session, questionnaire)
    make_user(session, "nat", Role.NATIONAL_COORDINATOR)
    login(client, "nat")
    page = client.get(f"/assessments/{assessment.public_id}/results").get_data(as_text=True)
    assert 'class="notes-to-weigh"' not in _roadmap_section(page)
