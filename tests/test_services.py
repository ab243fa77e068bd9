"""Organisers' use cases: users, municipalities, assessments, links, context, closing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.db import get_db
from readiness.models import (
    Assessment,
    AssessmentResult,
    Invitation,
    InvitationState,
    Mode,
    Response,
    Role,
    Score,
    Status,
)
from readiness.services import assessments as services
from readiness.services import rounds as services_rounds
from readiness.services import survey as services_survey
from readiness.tokens import hash_token
from tests.web_helpers import (
    add_responses,
    audited,
    audited_actions,
    fresh,
    make_assessment,
    make_municipality,
    make_user,
)


def test_users_need_a_known_role_a_long_password_and_a_free_username(session: Session):
    make_user(session, "ada")
    with pytest.raises(services.ServiceError, match="taken"):
        services.create_user(session, "ADA", "long enough password", Role.ADMIN)
    with pytest.raises(services.ServiceError, match="Unknown role"):
        services.create_user(session, "bob", "long enough password", "superuser")
    with pytest.raises(services.ServiceError, match="at least 12"):
        services.create_user(session, "bob", "short", Role.ADMIN)
    with pytest.raises(services.ServiceError, match="needs a municipality"):
        services.create_user(session, "bob", "long enough password", Role.MUNICIPALITY_COORDINATOR)


def test_passwords_are_stored_hashed_with_scrypt(session: Session):
    user = services.create_user(session, "ada", "long enough password", Role.ADMIN)
    assert user.password_hash.startswith("scrypt:")
    assert "long enough password" not in user.password_hash


def test_an_advisor_who_creates_a_municipality_is_assigned_to_it(session: Session):
    advisor = make_user(session, "advisor", Role.ADVISOR)
    municipality = make_municipality(session, "Vilvoorde", advisor=advisor)
    assert advisor.assigned == [municipality]
    with pytest.raises(services.ServiceError, match="already exists"):
        services.create_municipality(session, name="Vilvoorde", country="be",
                                     population_band="10k_50k")


def test_an_assessment_keeps_its_questionnaire_and_gets_one_hashed_link_per_agency(
        session: Session, questionnaire: Questionnaire):
    municipality = make_municipality(session)
    assessment, tokens = make_assessment(session, municipality, ("health", "police"))
    assert assessment.round == 1
    assert assessment.status == Status.OPEN
    assert (assessment.questionnaire_id, assessment.questionnaire_version,
            assessment.questionnaire_hash) == (questionnaire.id, questionnaire.version,
                                               questionnaire.content_hash)
    assert assessment.agencies == ["police", "health"]  # questionnaire order
    for agency, token in tokens.items():
        assert len(token) >= 32  # 24 random bytes, URL-safe
        stored = session.scalar(select(Invitation).where(Invitation.agency == agency))
        assert stored is not None
        assert stored.token_hash == hash_token(token) != token
    assert len({inv.public_id for inv in assessment.invitations}) == 2


def test_one_open_assessment_per_municipality_and_rounds_count_up(session: Session):
    municipality = make_municipality(session)
    first, _ = make_assessment(session, municipality)
    with pytest.raises(services.ServiceError, match="already has an open assessment"):
        make_assessment(session, municipality)
    session.rollback()
    add_responses(session, first, "police", 1)
    services.close_assessment(session, first)
    session.commit()
    second, _ = make_assessment(session, municipality)
    assert second.round == 2


def test_unknown_agencies_are_refused(session: Session, questionnaire: Questionnaire):
    municipality = make_municipality(session)
    with pytest.raises(services.ServiceError, match="Unknown agencies: spies"):
        services.create_assessment(session, municipality, q=questionnaire,
                                   agencies=["police", "spies"])


def test_a_workshop_assessment_has_no_links(session: Session):
    assessment, tokens = make_assessment(session, make_municipality(session),
                                         mode=Mode.WORKSHOP)
    assert tokens == {}
    assert assessment.invitations == []
    with pytest.raises(services.ServiceError, match="no invitation links"):
        services.new_invitation(session, assessment, "police")


def test_another_link_for_a_new_agency_adds_the_agency(session: Session):
    assessment, _ = make_assessment(session, make_municipality(session), ("police",))
    services.new_invitation(session, assessment, "youth_work")
    assert assessment.agencies == ["police", "youth_work"]


def test_a_revoked_link_is_marked_with_its_time(session: Session):
    assessment, _ = make_assessment(session, make_municipality(session), ("police",))
    invitation = assessment.invitations[0]
    services.revoke_invitation(invitation)
    assert invitation.state == InvitationState.REVOKED
    assert invitation.revoked_at is not None


def test_context_answers_are_checked_against_the_questionnaire(
        session: Session, questionnaire: Questionnaire):
    assessment, _ = make_assessment(session, make_municipality(session))
    single = next(i for i in questionnaire.doc.context if not i.multiple)
    multiple = next(i for i in questionnaire.doc.context if i.multiple)
    # past the first option: "none" would exclude the others
    values = [o.value for o in questionnaire.options(multiple)][1:3]
    services.set_context(assessment, {single.id: [questionnaire.options(single)[0].value],
                                      multiple.id: list(reversed(values))})
    assert assessment.context[multiple.id] == values
    with pytest.raises(services.ServiceError, match="Unknown answer"):
        services.set_context(assessment, {single.id: ["made_up"]})
    with pytest.raises(services.ServiceError, match="takes one answer"):
        services.set_context(assessment, {single.id: [o.value for o in
                                                      questionnaire.options(single)][:2]})


def test_progress_counts_started_and_sent_responses_per_agency(session: Session):
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"))
    add_responses(session, assessment, "police", 2)
    rows = {row.agency: row for row in services.progress(session, assessment)}
    assert (rows["police"].submitted, rows["police"].active_links) == (2, 2)
    assert (rows["health"].submitted, rows["health"].started) == (0, 0)


def test_closing_stores_a_score_per_dimension_and_the_whole_result(
        session: Session, questionnaire: Questionnaire):
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"))
    add_responses(session, assessment, "police", 3, "agree")
    add_responses(session, assessment, "health", 3, "strongly_disagree")
    result = services.close_assessment(session, assessment)
    session.commit()
    assert assessment.status == Status.CLOSED
    assert assessment.closed_at is not None
    scores = session.scalars(select(Score).where(Score.assessment_id == assessment.id)).all()
    assert sorted(s.dimension for s in scores) == sorted(questionnaire.dimension_ids)
    assert any(s.divergent for s in scores)
    stored = session.get(AssessmentResult, assessment.id)
    assert stored is not None
    assert stored.respondents == result.respondents == 6
    assert stored.result["respondents_by_agency"] == {"police": 3, "health": 3}
    assert stored.roadmap["actions"][0]["priority"] == 1


def test_closing_without_any_sent_answers_is_refused(session: Session):
    assessment, _ = make_assessment(session, make_municipality(session))
    with pytest.raises(services.ServiceError, match="nothing to score"):
        services.close_assessment(session, assessment)
    assert assessment.status == Status.OPEN


def test_a_closed_assessment_takes_no_more_links_or_context(session: Session):
    assessment, _ = make_assessment(session, make_municipality(session))
    add_responses(session, assessment, "police", 1)
    services.close_assessment(session, assessment)
    with pytest.raises(services.ServiceError, match="closed"):
        services.new_invitation(session, assessment, "police")
    with pytest.raises(services.ServiceError, match="closed"):
        services.set_context(assessment, {})


def test_answers_the_questionnaire_no_longer_knows_are_left_out_of_scoring(
        session: Session, questionnaire: Questionnaire):
    assessment, _ = make_assessment(session, make_municipality(session), ("police",))
    [response] = add_responses(session, assessment, "police", 1)
    response.answers = {**response.answers, "retired_item": "agree"}
    session.commit()
    answers = services.submitted_answers(session, assessment, questionnaire)
    assert {a.item for a in answers} == {i.id for i in questionnaire.doc.items}


def test_the_audit_log_names_the_object_never_its_content(session: Session):
    user = make_user(session, "ada")
    assessment, _ = make_assessment(session, make_municipality(session))
    services.record_audit(session, user, "view_results", assessment, assessment.municipality)
    session.commit()
    event = session.scalars(audited()).one()
    assert (event.action, event.object_type, event.object_id) == (
        "view_results", "assessment", assessment.public_id)


def _race(app: Flask, first_step: Callable[[Session], None],
          second_step: Callable[[Session], None]) -> str:
    """Run `first_step` and hold its transaction open while `second_step` starts in a thread;
    commit the first, then report how the second ended."""
    database = get_db(app)
    outcome: list[str] = []

    def second() -> None:
        with database.sessions() as other:
            database.begin_write(other)
            try:
                second_step(other)
                other.commit()
                outcome.append("done")
            except services.ServiceError as error:
                outcome.append(str(error))

    with database.sessions() as first:
        database.begin_write(first)
        first_step(first)
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        first.commit()
    thread.join(timeout=10)
    return outcome[0]


def test_a_second_close_at_the_same_time_waits_and_is_refused(app: Flask, session: Session):
    assessment, _ = make_assessment(session, make_municipality(session), ("police",))
    add_responses(session, assessment, "police", 1)
    ident = assessment.id

    def close(db: Session) -> None:
        found = db.get(Assessment, ident)
        assert found is not None
        services.close_assessment(db, found)

    assert _race(app, close, close) == "This assessment is closed"
    fresh(session)
    assert len(session.scalars(select(Score).where(Score.assessment_id == ident)).all()) == 5


def test_two_tabs_saving_different_pages_at_once_keep_both(app: Flask, session: Session,
                                                           questionnaire: Questionnaire):
    _, tokens = make_assessment(session, make_municipality(session), ("police",))
    invitation = services_survey.find_invitation(session, tokens["police"])
    assert invitation is not None
    response, _ = services_survey.start_response(session, invitation)
    session.commit()
    first_page, second_page = (questionnaire.items_of(p.id)[0].id
                               for p in services_survey.pages(questionnaire)[:2])

    def save(item: str) -> Callable[[Session], None]:
        def step(db: Session) -> None:
            found = db.get(Response, response.id)
            assert found is not None
            services_survey.save_answers(questionnaire, found, {item: "agree"}, {})
        return step

    assert _race(app, save(first_page), save(second_page)) == "done"
    fresh(session)
    stored = session.get(Response, response.id)
    assert stored is not None
    assert set(stored.answers) == {first_page, second_page}


def test_a_namesake_differing_only_in_case_or_spacing_is_refused_in_the_same_country(
        session: Session):
    make_municipality(session, "Sint-Aldegonde")
    with pytest.raises(services.DuplicateMunicipality) as refused:
        services.create_municipality(session, name="  sint-ALDEGONDE ", country="be",
                                     region="Elsewhere", population_band="10k_50k")
    assert refused.value.existing.name == "Sint-Aldegonde"
    elsewhere = services.create_municipality(session, name="Sint-Aldegonde", country="NL",
                                             population_band="10k_50k")
    assert elsewhere.country == "NL"


def test_correcting_a_municipality_is_audited_and_cannot_take_a_namesakes_name(
        session: Session):
    admin = make_user(session, "admin")
    make_municipality(session, "Aalst")
    town = make_municipality(session, "Mechlen")
    services.update_municipality(session, town, name="Mechelen", country="BE",
                                 population_band="50k_100k", editor=admin)
    services.update_municipality(session, town, name="Mechelen", country="BE",
                                 population_band="50k_100k", editor=admin)  # no change
    with pytest.raises(services.DuplicateMunicipality):
        services.update_municipality(session, town, name="AALST", country="BE",
                                     population_band="50k_100k", editor=admin)
    assert session.scalars(audited_actions()).all() == ["municipality_edited"]


def test_a_region_is_spelled_as_already_stored_and_its_spaces_normalised(session: Session):
    first = services.create_municipality(session, name="Mechelen", country="BE",
                                         region=" Antwerpen ", population_band="50k_100k")
    second = services.create_municipality(session, name="Lier", country="BE",
                                          region="antwerpen", population_band="10k_50k")
    third = services.create_municipality(session, name="Breda", country="NL",
                                         region="noord  brabant", population_band="100k_250k")
    assert (first.region, second.region, third.region) == ("Antwerpen", "Antwerpen",
                                                           "noord brabant")


def test_none_like_context_answers_exclude_the_others(session: Session,
                                                      questionnaire: Questionnaire):
    assessment, _ = make_assessment(session, make_municipality(session))
    item = next(i for i in questionnaire.doc.context if i.multiple
                and services.exclusive_values(questionnaire, i))
    none = services.exclusive_values(questionnaire, item)[0]
    other = next(o.value for o in questionnaire.options(item) if o.value != none)
    with pytest.raises(services.ServiceError, match="excludes the others"):
        services.set_context(assessment, {item.id: [none, other]})
    services.set_context(assessment, {item.id: [none]})
    assert assessment.context == {item.id: [none]}


def test_every_population_band_answers_the_size_question(questionnaire: Questionnaire):
    found = {band: services.population_answer(questionnaire, band)
             for band in ("under_10k", "10k_50k", "50k_100k", "100k_250k", "over_250k")}
    assert all(found.values())
    assert len({value for _item, value in found.values()}) == 5  # type: ignore[misc]


def test_a_closed_rounds_links_count_as_open_nowhere(session: Session):
    assessment, _ = make_assessment(session, make_municipality(session), ("police",))
    add_responses(session, assessment, "police", 1)
    assert services.progress(session, assessment)[0].active_links == 2
    services.close_assessment(session, assessment)
    assert services.progress(session, assessment)[0].active_links == 0


def test_cancelling_refuses_closed_rounds_and_sent_answers_without_an_admins_confirmation(
        session: Session):
    admin = make_user(session, "admin")
    advisor = make_user(session, "advisor", Role.ADVISOR)
    assessment, _ = make_assessment(session, make_municipality(session, advisor=advisor),
                                    ("police",))
    add_responses(session, assessment, "police", 1)
    with pytest.raises(services.ServiceError, match="only an administrator"):
        services_rounds.cancel_assessment(session, assessment, advisor, discard_sent=True)
    with pytest.raises(services.ServiceError, match="Confirm"):
        services_rounds.cancel_assessment(session, assessment, admin)
    services_rounds.cancel_assessment(session, assessment, admin, discard_sent=True)
    session.commit()
    assert session.scalars(select(Assessment)).all() == []
    assert session.scalars(select(Response)).all() == []
    assert session.scalars(select(Invitation)).all() == []
    closed, _ = make_assessment(session, make_municipality(session, "Lier"), ("police",))
    add_responses(session, closed, "police", 1)
    services.close_assessment(session, closed)
    with pytest.raises(services.ServiceError, match="closed"):
        services_rounds.cancel_assessment(session, closed, admin, discard_sent=True)
