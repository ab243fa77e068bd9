"""Correcting mistakes: a municipality's details, namesakes refused, an open round cancelled.
The pages pass axe-core (WCAG 2.1 AA) in a real browser."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.models import (
    Assessment,
    Invitation,
    Mode,
    Municipality,
    Response,
    Role,
    Status,
)
from readiness.services import assessments as services
from readiness.services import rounds as services_rounds
from readiness.services import survey as services_survey
from readiness.web.forms import item_field
from tests.browser_support import assert_accessible, browser, live_url, page  # noqa: F401
from tests.web_helpers import (
    PASSWORD,
    add_responses,
    audited,
    audited_actions,
    csrf_from,
    fresh,
    link_sizes,
    login,
    make_assessment,
    make_municipality,
    make_user,
    post_form,
    recorded_workshop,
)

SCREENSHOTS = os.environ.get("READINESS_SCREENSHOTS")
# a new municipality is at revision 1: the edit form carries the revision it was opened on
DETAILS = {"name": "Sint-Aldegonde", "country": "BE", "region": "Antwerpen",
           "population_band": "10k_50k", "revision": "1"}


def _count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


# ---------------------------------------------------------------- editing a municipality


def test_a_manager_corrects_a_municipalitys_details(client: FlaskClient, session: Session):
    advisor = make_user(session, "advisor", Role.ADVISOR)
    municipality = make_municipality(session, "Mechlen", advisor=advisor)
    login(client, "advisor")
    url = f"/municipalities/{municipality.public_id}"
    assert "Change these details" in client.get(url).get_data(as_text=True)
    form = client.get(f"{url}/edit").get_data(as_text=True)
    assert 'value="Mechlen"' in form
    saved = post_form(client, f"{url}/edit", {**DETAILS, "name": "  Mechelen  "})
    assert saved.status_code == 302
    assert saved.headers["Location"] == url
    fresh(session)
    stored = session.get(Municipality, municipality.id)
    assert stored is not None
    assert (stored.name, stored.region, stored.population_band) == (
        "Mechelen", "Antwerpen", "10k_50k")
    assert session.scalars(audited_actions()).all() == ["municipality_edited"]


def test_a_read_only_role_may_not_edit_and_others_do_not_find_the_page(
        client: FlaskClient, session: Session):
    municipality = make_municipality(session)
    make_user(session, "national", Role.NATIONAL_COORDINATOR)
    make_user(session, "stranger", Role.ADVISOR)
    url = f"/municipalities/{municipality.public_id}/edit"
    login(client, "national")
    assert "Change these details" not in client.get(
        f"/municipalities/{municipality.public_id}").get_data(as_text=True)
    assert client.get(url).status_code == 403
    client.get("/logout")
    client = client.application.test_client()
    login(client, "stranger")
    assert client.get(url).status_code == 404


def test_a_namesake_in_the_same_country_is_refused_and_nothing_is_stored(
        client: FlaskClient, session: Session):
    make_municipality(session, "Sint-Aldegonde")  # nobody's: the advisor cannot see it
    make_user(session, "advisor", Role.ADVISOR)
    login(client, "advisor")
    reply = post_form(client, "/municipalities/new",
                      {**DETAILS, "name": " sint-ALDEGONDE ", "region": "Elsewhere"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "A municipality named “sint-ALDEGONDE” already exists in BE" in html
    assert "ask an administrator" in html
    assert "Open Sint-Aldegonde" not in html  # the advisor may not see it: no link to it
    fresh(session)
    assert _count(session, Municipality) == 1
    # in another country the same name is another place
    assert post_form(client, "/municipalities/new",
                     {**DETAILS, "country": "NL"}).status_code == 302


def test_a_namesake_the_user_can_see_is_offered_as_a_link(client: FlaskClient, session: Session):
    existing = make_municipality(session, "Sint-Aldegonde")
    make_user(session, "admin")
    login(client, "admin")
    html = post_form(client, "/municipalities/new", DETAILS).get_data(as_text=True)
    assert f'href="/municipalities/{existing.public_id}"' in html


def test_renaming_onto_a_namesake_is_refused(client: FlaskClient, session: Session):
    make_municipality(session, "Sint-Aldegonde")
    other = make_municipality(session, "Aalst")
    make_user(session, "admin")
    login(client, "admin")
    reply = post_form(client, f"/municipalities/{other.public_id}/edit", DETAILS)
    assert reply.status_code == 400
    assert "already exists in BE" in reply.get_data(as_text=True)
    fresh(session)
    assert session.get(Municipality, other.id).name == "Aalst"  # type: ignore[union-attr]


def test_regions_already_stored_are_suggested_and_their_spelling_kept(
        client: FlaskClient, session: Session):
    make_user(session, "admin")
    login(client, "admin")
    assert post_form(client, "/municipalities/new", DETAILS).status_code == 302
    form = client.get("/municipalities/new").get_data(as_text=True)
    assert 'list="region-suggestions"' in form
    assert '<option value="Antwerpen" label="Antwerpen (BE)">' in form
    assert post_form(client, "/municipalities/new", {
        **DETAILS, "name": "Mechelen", "region": "  antwerpen "}).status_code == 302
    fresh(session)
    assert set(session.scalars(select(Municipality.region))) == {"Antwerpen"}


# ---------------------------------------------------------------- cancelling a round


def test_an_open_round_without_answers_is_cancelled_and_a_new_one_can_start(
        client: FlaskClient, session: Session):
    advisor = make_user(session, "advisor", Role.ADVISOR)
    municipality = make_municipality(session, advisor=advisor)
    assessment, tokens = make_assessment(session, municipality, ("police", "health"))
    public_id = assessment.public_id
    login(client, "advisor")
    overview = client.get(f"/assessments/{public_id}").get_data(as_text=True)
    assert f'href="/assessments/{public_id}/cancel"' in overview
    url = f"/assessments/{public_id}/cancel"
    assert "Cancel round 1?" in client.get(url).get_data(as_text=True)
    cancelled = post_form(client, url)
    assert cancelled.status_code == 302
    assert cancelled.headers["Location"] == f"/municipalities/{municipality.public_id}"
    assert client.get(f"/s/{tokens['police']}").status_code == 404
    fresh(session)
    assert _count(session, Assessment) == _count(session, Invitation) == 0
    [event] = session.scalars(audited()).all()
    assert (event.action, event.object_id) == ("round_cancelled", public_id)
    again = post_form(client, f"/municipalities/{municipality.public_id}/assessments/new",
                      {"conducted_on": "2026-04-01", "mode": "survey",
                       "agencies": ["police", "health", "education"],
                       **link_sizes("police", "health", "education")})
    assert again.status_code == 302
    fresh(session)
    assert session.scalars(select(Assessment.round)).all() == [1]


def test_a_round_with_sent_answers_is_not_cancelled_by_an_advisor(
        client: FlaskClient, session: Session):
    advisor = make_user(session, "advisor", Role.ADVISOR)
    assessment, _ = make_assessment(session, make_municipality(session, advisor=advisor),
                                    ("police",))
    add_responses(session, assessment, "police", 1)
    login(client, "advisor")
    url = f"/assessments/{assessment.public_id}/cancel"
    html = client.get(url).get_data(as_text=True)
    assert "Only an administrator can cancel a round whose answers were sent" in html
    assert "Cancel round 1</button>" not in html
    assert post_form(client, url, {"discard_sent": "y"}).status_code == 403
    fresh(session)
    assert _count(session, Assessment) == 1
    assert _count(session, Response) == 1


def test_an_admin_cancels_a_round_with_sent_answers_only_after_ticking_the_box(
        client: FlaskClient, session: Session):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police",))
    add_responses(session, assessment, "police", 2)
    login(client, "admin")
    url = f"/assessments/{assessment.public_id}/cancel"
    unticked = post_form(client, url)
    assert unticked.status_code == 400
    assert "Tick the box to confirm" in unticked.get_data(as_text=True)
    fresh(session)
    assert _count(session, Response) == 2
    assert post_form(client, url, {"discard_sent": "y"}).status_code == 302
    fresh(session)
    assert _count(session, Assessment) == _count(session, Response) == 0
    assert session.scalars(audited_actions()).all() == [
        "round_cancelled_with_sent_answers"]


def test_a_closed_round_can_never_be_cancelled(client: FlaskClient, session: Session):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police",))
    add_responses(session, assessment, "police", 3)
    services.close_assessment(session, assessment)
    session.commit()
    login(client, "admin")
    url = f"/assessments/{assessment.public_id}/cancel"
    reply = client.get(url)
    assert reply.status_code == 409
    assert "This round is closed" in reply.get_data(as_text=True)
    with pytest.raises(services.ServiceError, match="closed"):
        services_rounds.cancel_assessment(session, assessment, None, discard_sent=True)
    fresh(session)
    assert session.get(Assessment, assessment.id).status == Status.CLOSED  # type: ignore[union-attr]


def test_a_failure_half_way_through_cancelling_leaves_the_round_whole(
        client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch):
    make_user(session, "admin")
    assessment, tokens = make_assessment(session, make_municipality(session), ("police",))
    add_responses(session, assessment, "police", 1)
    login(client, "admin")
    url = f"/assessments/{assessment.public_id}/cancel"
    token = csrf_from(client.get(url).get_data(as_text=True))

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the audit log is unavailable")  # after links and answers went

    monkeypatch.setattr(services_rounds, "record_audit", broken)
    with pytest.raises(RuntimeError, match="audit log"):
        client.post(url, data={"csrf_token": token, "discard_sent": "y"})
    fresh(session)
    assert _count(session, Assessment) == 1
    assert _count(session, Invitation) == 2
    assert _count(session, Response) == 1
    assert session.scalars(audited()).all() == []
    assert client.get(f"/s/{tokens['police']}").status_code == 200


def test_a_workshop_round_with_recorded_answers_is_the_admins_to_cancel(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment = recorded_workshop(session)
    login(client, "admin")
    html = client.get(f"/assessments/{assessment.public_id}/cancel").get_data(as_text=True)
    assert "The answers of 1 agency were already recorded in this round." in html
    assert "invitation link" not in html


# ---------------------------------------------------------------- in a real browser


def _login(tab: Any, base: str, username: str) -> None:
    tab.goto(f"{base}/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", PASSWORD)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def _shot(tab: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_the_edit_cancel_and_workshop_pages_have_no_wcag_21_aa_violation(
        page: Any, live_url: str, session: Session,  # noqa: F811
        questionnaire: Questionnaire):
    make_user(session, "admin")
    make_municipality(session, "Sint-Aldegonde")
    municipality = make_municipality(session, "Mechelen")
    assessment, _ = make_assessment(session, municipality, ("police", "health"))
    add_responses(session, assessment, "police", 1)
    workshop_place = make_municipality(session, "Lier")
    workshop, _ = make_assessment(session, workshop_place, ("police",), mode=Mode.WORKSHOP)
    _login(page, live_url, "admin")

    page.goto(f"{live_url}/municipalities/{municipality.public_id}/edit")
    assert_accessible(page, "edit municipality page")
    _shot(page, "municipality-edit")
    page.fill("#name", "sint-aldegonde")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "already exists in BE" in page.inner_text("[data-error-summary]")
    assert_accessible(page, "edit municipality page with a namesake refused")
    _shot(page, "municipality-edit-namesake")

    page.goto(f"{live_url}/assessments/{assessment.public_id}")
    _shot(page, "assessment-open")
    page.goto(f"{live_url}/assessments/{assessment.public_id}/cancel")
    assert_accessible(page, "cancel confirmation page")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "Tick the box" in page.inner_text("[data-error-summary]")
    assert_accessible(page, "cancel confirmation page with an error")
    _shot(page, "cancel-confirm-error")

    page.goto(f"{live_url}/assessments/{workshop.public_id}/workshop/police")
    assert_accessible(page, "workshop page")
    first = services_survey.pages(questionnaire)[0]
    for item in questionnaire.items_of(first.id):
        page.check(f"input[name={item_field(item.id)}][value=agree]")
    with page.expect_navigation():
        page.click(f"button[value={first.id}]")
    assert page.url.endswith(f"#save-{first.id}")
    assert page.locator("[role=status]", has_text="Saved").is_visible()
    assert_accessible(page, "workshop page after saving a section")
    _shot(page, "workshop-saved")

    page.goto(f"{live_url}/assessments/{workshop.public_id}/close")
    _shot(page, "workshop-close")
