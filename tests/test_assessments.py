"""Organisers' pages: municipalities, assessments, links, progress, context, workshop, closing."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.core import privacy
from readiness.core.questionnaire import Questionnaire
from readiness.models import Assessment, InvitationState, Mode, Municipality, Role, Status
from readiness.services import assessments as services
from readiness.services import survey as services_survey
from readiness.web.forms import item_field
from tests.web_helpers import (
    add_responses,
    answer_all,
    fresh,
    link_sizes,
    login,
    make_assessment,
    make_municipality,
    make_user,
    post_form,
    recorded_workshop,
)

LINK = re.compile(r'value="(http://localhost/s/[A-Za-z0-9_-]+)"')


def test_an_advisor_creates_a_municipality_and_an_assessment_and_gets_one_link_per_agency(
        client: FlaskClient, session: Session):
    make_user(session, "advisor", Role.ADVISOR)
    login(client, "advisor")
    created = post_form(client, "/municipalities/new", {
        "name": "Mechelen", "country": "be", "region": "Antwerp",
        "population_band": "50k_100k"})
    assert created.status_code == 302
    municipality_url = created.headers["Location"]
    page = client.get(municipality_url).get_data(as_text=True)
    assert "Mechelen" in page
    assert "Start a new assessment" in page
    started = post_form(client, f"{municipality_url}/assessments/new", {
        "conducted_on": "2026-04-01", "mode": "survey",
        "agencies": ["police", "health", "education"],
        **link_sizes("police", "health", "education")})
    assert started.status_code == 302
    overview = client.get(started.headers["Location"]).get_data(as_text=True)
    links = LINK.findall(overview)
    assert len(links) == 3
    assert "Copy all links" in overview
    for link in links:
        assert client.get(link.removeprefix("http://localhost")).status_code == 200
    again = client.get(started.headers["Location"]).get_data(as_text=True)
    assert LINK.findall(again) == links  # the links page shows them again, in the same order
    round_page = client.get(started.headers["Location"].removesuffix("/links"))
    assert "Progress per agency" in round_page.get_data(as_text=True)


def test_the_municipality_form_reports_each_problem(client: FlaskClient, session: Session):
    make_user(session, "advisor", Role.ADVISOR)
    login(client, "advisor")
    reply = post_form(client, "/municipalities/new", {"name": "", "country": "Belgium"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert '<a href="#name">Enter the name of the municipality</a>' in html
    assert '<a href="#country">Enter the country as two letters, like BE</a>' in html
    assert '<a href="#population_band-0">Choose the number of inhabitants</a>' in html
    assert session.scalars(select(Municipality)).all() == []


def test_the_assessment_form_needs_an_agency(client: FlaskClient, session: Session):
    advisor = make_user(session, "advisor", Role.ADVISOR)
    municipality = make_municipality(session, advisor=advisor)
    login(client, "advisor")
    reply = post_form(client, f"/municipalities/{municipality.public_id}/assessments/new",
                      {"conducted_on": "2026-04-01", "mode": "survey"})
    assert reply.status_code == 400
    assert "Choose at least one agency taking part" in reply.get_data(as_text=True)
    assert session.scalars(select(Assessment)).all() == []


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_assessment_form_refuses_a_date_out_of_any_plausible_range(
        client: FlaskClient, session: Session, day: str):
    advisor = make_user(session, "advisor", Role.ADVISOR)
    municipality = make_municipality(session, advisor=advisor)
    login(client, "advisor")
    reply = post_form(client, f"/municipalities/{municipality.public_id}/assessments/new",
                      {"conducted_on": day, "mode": "survey", "agencies": ["police"],
                       **link_sizes("police")})
    assert reply.status_code == 400
    assert "Enter a date from 2000-01-01 to 2099-12-31" in reply.get_data(as_text=True)
    assert session.scalars(select(Assessment)).all() == []


def test_a_municipality_coordinator_sets_up_their_own_assessment(
        client: FlaskClient, session: Session):
    municipality = make_municipality(session)
    make_user(session, "coord", Role.MUNICIPALITY_COORDINATOR, municipality=municipality)
    login(client, "coord")
    assert "Add a municipality" not in client.get("/").get_data(as_text=True)
    assert client.get("/municipalities/new").status_code == 403
    reply = post_form(client, f"/municipalities/{municipality.public_id}/assessments/new",
                      {"conducted_on": "2026-04-01", "mode": "survey", "agencies": ["police"],
                       **link_sizes("police")})
    assert reply.status_code == 302


def test_another_link_can_be_made_and_a_link_withdrawn(client: FlaskClient, session: Session):
    make_user(session, "admin")
    assessment, tokens = make_assessment(session, make_municipality(session), ("police",))
    login(client, "admin")
    page = f"/assessments/{assessment.public_id}"
    made = post_form(client, page, {"agency": "youth_work", "capacity": "4"},
                     to=f"{page}/invitations")
    assert "/links#link-" in made.headers["Location"]
    # the police link was made outside the app (random, shown once): only the new one shows
    [link] = LINK.findall(client.get(made.headers["Location"]).get_data(as_text=True))
    assert client.get(link.removeprefix("http://localhost")).status_code == 200
    police = assessment.invitations[0]
    withdrawn = post_form(client, page, to=f"/invitations/{police.public_id}/revoke")
    assert withdrawn.status_code == 302
    assert client.get(f"/s/{tokens['police']}").status_code == 410
    fresh(session)
    assert session.get(type(police), police.id).state == InvitationState.REVOKED


def test_progress_shows_responses_started_and_sent_per_agency(
        client: FlaskClient, session: Session):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"))
    add_responses(session, assessment, "police", 2)
    login(client, "admin")
    html = client.get(f"/assessments/{assessment.public_id}").get_data(as_text=True)
    police_row = re.search(r"<th scope=\"row\">Police</th>(.*?)</tr>", html, re.S)
    assert police_row is not None
    cells = re.findall(r'<td class="numeric">(\d+)</td>', police_row.group(1))
    assert cells == ["0", "2", "2"]  # started (in progress), sent, active links


def test_context_questions_are_answered_and_kept(client: FlaskClient, session: Session,
                                                 questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session))
    login(client, "admin")
    single = next(i for i in questionnaire.doc.context if not i.multiple)
    multiple = next(i for i in questionnaire.doc.context if i.multiple)
    chosen = [o.value for o in questionnaire.options(multiple)][1:3]
    page = f"/assessments/{assessment.public_id}/context"
    saved = post_form(client, page, {item_field(single.id): questionnaire.options(single)[0].value,
                                     item_field(multiple.id): chosen})
    assert saved.status_code == 302
    fresh(session)
    stored = session.get(Assessment, assessment.id)
    assert stored is not None
    assert stored.context == {single.id: [questionnaire.options(single)[0].value],
                              multiple.id: chosen}
    refused = post_form(client, page, {item_field(single.id): "made_up"})
    assert refused.status_code == 400
    assert "Choose one of the answers shown" in refused.get_data(as_text=True)


def test_a_facilitated_workshop_records_each_agencys_agreed_answers_then_closes(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    advisor = make_user(session, "advisor", Role.ADVISOR)
    assessment, _ = make_assessment(session, make_municipality(session, advisor=advisor),
                                    ("police", "health"), mode=Mode.WORKSHOP)
    login(client, "advisor")
    overview = client.get(f"/assessments/{assessment.public_id}").get_data(as_text=True)
    assert "Record the answers of Police" in overview
    assert "Invitation links" not in overview
    for agency, value in (("police", "agree"), ("health", "disagree")):
        page = f"/assessments/{assessment.public_id}/workshop/{agency}"
        html = client.get(page).get_data(as_text=True)
        assert html.count("<fieldset") == len(questionnaire.doc.items)
        data = {item_field(k): v for k, v in answer_all(questionnaire, value).items()}
        assert post_form(client, page, data).status_code == 302
    assert "Change the answers of Police" in client.get(
        f"/assessments/{assessment.public_id}").get_data(as_text=True)
    closed = post_form(client, f"/assessments/{assessment.public_id}/close")
    assert closed.headers["Location"] == f"/assessments/{assessment.public_id}/results"
    results = client.get(closed.headers["Location"]).get_data(as_text=True)
    assert "Agreed answers of 2 agencies, given in a facilitated workshop" in results
    assert "2 practitioners" not in results  # two agencies' agreed answers, not two persons
    assert "Scores by agency" in results  # one agreed answer per agency is enough


def test_a_workshop_answer_that_is_no_option_stores_nothing(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police",),
                                    mode=Mode.WORKSHOP)
    login(client, "admin")
    page = f"/assessments/{assessment.public_id}/workshop/police"
    first, second = (item.id for item in questionnaire.doc.items[:2])
    reply = post_form(client, page, {item_field(first): "agree", item_field(second): "maybe"})
    assert reply.status_code == 400
    assert "There is a problem" in reply.get_data(as_text=True)
    assert client.get(f"/assessments/{assessment.public_id}/workshop/justice").status_code == 404
    fresh(session)
    assert session.get(Assessment, assessment.id).responses == []  # type: ignore[union-attr]


def test_closing_asks_for_confirmation_and_needs_sent_answers(client: FlaskClient,
                                                              session: Session):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police",))
    login(client, "admin")
    page = f"/assessments/{assessment.public_id}/close"
    assert "Close the assessment and compute the results?" in client.get(page).get_data(
        as_text=True)
    refused = post_form(client, page)
    assert refused.status_code == 400
    assert "nothing to score" in refused.get_data(as_text=True)
    add_responses(session, assessment, "police", 1)
    assert post_form(client, page).status_code == 302
    fresh(session)
    assert session.get(Assessment, assessment.id).status == Status.CLOSED  # type: ignore[union-attr]
    assert client.get(page).status_code == 409
    assert client.get(f"/assessments/{assessment.public_id}/context").status_code == 409


def test_every_organiser_form_refuses_a_post_without_csrf_token(client: FlaskClient,
                                                                session: Session):
    make_user(session, "admin")
    municipality = make_municipality(session)
    assessment, _ = make_assessment(session, municipality, ("police",))
    invitation = assessment.invitations[0]
    login(client, "admin")
    posts = ["/municipalities/new", f"/municipalities/{municipality.public_id}/assessments/new",
             f"/assessments/{assessment.public_id}/invitations",
             f"/invitations/{invitation.public_id}/revoke",
             f"/assessments/{assessment.public_id}/context",
             f"/assessments/{assessment.public_id}/close", "/logout", "/login"]
    for url in posts:
        reply = client.post(url, data={"name": "X"})
        assert reply.status_code == 400, url
        assert "Form expired" in reply.get_data(as_text=True)
    fresh(session)
    assert session.get(Assessment, assessment.id).status == Status.OPEN  # type: ignore[union-attr]


def test_closing_with_fewer_respondents_than_a_group_warns_that_they_could_be_recognised(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"))
    login(client, "admin")
    page = f"/assessments/{assessment.public_id}/close"
    add_responses(session, assessment, "police", 1)
    add_responses(session, assessment, "health", 1)
    warned = client.get(page).get_data(as_text=True)
    assert 'id="too-few"' in warned
    assert "at least 5 practitioners from at least 2 agencies" in warned
    add_responses(session, assessment, "health", questionnaire.doc.settings.min_respondents)
    assert 'id="too-few"' not in client.get(page).get_data(as_text=True)


def test_a_closed_rounds_links_are_shown_closed_not_active(client: FlaskClient,
                                                            session: Session):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police",))
    add_responses(session, assessment, "police", 3)
    services.close_assessment(session, assessment)
    session.commit()
    login(client, "admin")
    html = client.get(f"/assessments/{assessment.public_id}").get_data(as_text=True)
    assert "none of its links opens the survey" in html
    assert "Active links" not in html
    assert "<td>Active</td>" not in html
    assert html.count("<td>Closed</td>") == 2  # the round's own link and add_responses' link


def test_progress_names_its_columns_the_group_threshold_and_each_agencys_links(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"))
    add_responses(session, assessment, "police", 1)
    login(client, "admin")
    html = client.get(f"/assessments/{assessment.public_id}").get_data(as_text=True)
    minimum = privacy.group_size(questionnaire.doc.settings.min_group_size)
    assert "In progress (not sent)" in html
    assert ">Started<" not in html
    assert f"needs at least {minimum} sent responses to be shown separately" in html
    assert f"Not yet: {minimum - 1} more needed" in html
    assert re.search(r"Link 1, made \d{4}-\d\d-\d\d \d\d:\d\d UTC", html)
    assert re.search(r"Link 2, made \d{4}-\d\d-\d\d \d\d:\d\d UTC", html)  # police's second


def test_closing_with_nothing_sent_says_there_is_nothing_to_score_and_offers_no_button(
        client: FlaskClient, session: Session):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police",))
    login(client, "admin")
    html = client.get(f"/assessments/{assessment.public_id}/close").get_data(as_text=True)
    assert "there is nothing to score" in html
    assert "Only 0" not in html
    assert "Close and compute the results</button>" not in html


def test_closing_a_workshop_speaks_of_recorded_answers_not_practitioners_or_links(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment = recorded_workshop(session, ("police", "health"))
    login(client, "admin")
    html = client.get(f"/assessments/{assessment.public_id}/close").get_data(as_text=True)
    total = len(questionnaire.doc.items)
    assert f"Police: {total} of {total} statements recorded" in html
    assert "Health and mental health care: nothing recorded yet" in html
    assert "practitioner" not in html
    assert "links stop working" not in html
    assert "Close and compute the results</button>" in html


def test_none_that_i_know_of_cannot_be_ticked_with_another_answer(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session))
    login(client, "admin")
    item = next(i for i in questionnaire.doc.context if services.exclusive_values(questionnaire, i))
    none = services.exclusive_values(questionnaire, item)[0]
    other = next(o.value for o in questionnaire.options(item) if o.value != none)
    page = f"/assessments/{assessment.public_id}/context"
    refused = post_form(client, page, {item_field(item.id): [none, other]})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "“None that I know of” cannot be chosen together with other answers" in html
    assert f'<a href="#{item_field(item.id)}-0">' in html  # the summary leads to the question
    fresh(session)
    assert session.get(Assessment, assessment.id).context == {  # type: ignore[union-attr]
        "ctx_population": ["from_50k_to_100k"]}  # as created: the size from the record
    assert post_form(client, page, {item_field(item.id): [none]}).status_code == 302


def test_the_size_question_is_filled_in_from_the_municipality_and_says_so(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session))  # band 50k_100k
    login(client, "admin")
    found = services.population_answer(questionnaire, "50k_100k")
    assert found is not None
    item_id, value = found
    html = client.get(f"/assessments/{assessment.public_id}/context").get_data(as_text=True)
    assert "Filled in from the number of inhabitants recorded for Mechelen" in html
    assert re.search(rf'name="{item_field(item_id)}" value="{value}" checked', html)


def test_a_workshop_is_saved_section_by_section_keeping_every_answer_on_the_page(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police",),
                                    mode=Mode.WORKSHOP)
    login(client, "admin")
    page = f"/assessments/{assessment.public_id}/workshop/police"
    first, second = services_survey.pages(questionnaire)[:2]
    one = {item_field(i.id): "agree" for i in questionnaire.items_of(first.id)}
    two = {item_field(i.id): "disagree" for i in questionnaire.items_of(second.id)}
    saved = post_form(client, page, {**one, **two, "section": second.id})
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"?saved={second.id}#save-{second.id}")
    assert "Saved. The answers on this page are recorded." in client.get(
        saved.headers["Location"]).get_data(as_text=True)
    fresh(session)
    [response] = session.get(Assessment, assessment.id).responses  # type: ignore[union-attr]
    assert len(response.answers) == len(one) + len(two)
    overview = client.get(f"/assessments/{assessment.public_id}").get_data(as_text=True)
    total = len(questionnaire.doc.items)
    assert f"{len(one) + len(two)} of {total} statements recorded" in overview
    rest = {item_field(k): v for k, v in answer_all(questionnaire, "agree").items()
            if k not in response.answers}
    finished = post_form(client, page, {**rest, "section": ""})
    assert finished.headers["Location"] == f"/assessments/{assessment.public_id}"
    fresh(session)
    [response] = session.get(Assessment, assessment.id).responses  # type: ignore[union-attr]
    assert len(response.answers) == total  # the first two sections were kept
    assert f"All {total} statements recorded" in client.get(
        f"/assessments/{assessment.public_id}").get_data(as_text=True)


def test_the_workshop_page_explains_it_records_what_the_agency_agreed(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police",),
                                    mode=Mode.WORKSHOP)
    login(client, "admin")
    html = client.get(f"/assessments/{assessment.public_id}/workshop/police").get_data(
        as_text=True)
    assert "record the answer that the representatives of Police agreed on" in html
    assert html.count('name="section"') == len(services_survey.pages(questionnaire))


def test_changing_a_closed_round_says_it_is_closed_with_a_way_back(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment = recorded_workshop(session)
    services.close_assessment(session, assessment)
    session.commit()
    login(client, "admin")
    reply = client.get(f"/assessments/{assessment.public_id}/workshop/police")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 409
    assert "This round is closed" in html
    assert "its answers can no longer be changed" in html
    assert "Conflict" not in html
    assert f'href="/assessments/{assessment.public_id}"' in html


def test_the_new_assessment_form_explains_the_date_and_warns_about_few_agencies(
        client: FlaskClient, session: Session):
    make_user(session, "admin")
    municipality = make_municipality(session)
    login(client, "admin")
    page = f"/municipalities/{municipality.public_id}/assessments/new"
    form = client.get(page).get_data(as_text=True)
    assert "The day the survey opens, or the day the workshop takes place." in form
    assert "YYYY" not in form
    typed = post_form(client, page, {"conducted_on": "1 April", "mode": "survey",
                                     "agencies": ["police"], **link_sizes("police")})
    assert "Enter a date, for example 2026-04-01" in typed.get_data(as_text=True)
    made = post_form(client, page, {"conducted_on": "2026-04-01", "mode": "survey",
                                    "agencies": ["police", "health"],
                                    **link_sizes("police", "health")})
    assert made.status_code == 302
    assert "Only 2 agencies take part" in client.get(made.headers["Location"]).get_data(
        as_text=True)
