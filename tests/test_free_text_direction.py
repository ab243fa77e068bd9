"""Free text (survey and workshop comments, action notes) is held to the names' rule: no
text-direction overrides, isolates or marks, which would make a quoted comment read otherwise
than written; older rows holding them are shown without them; and combining marks survive
into the PDF (composed, never cut from their letter, set in a font that stacks them)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pypdf
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.core.published import publish
from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.core.scoring import score
from readiness.models import Mode, PlanAction, PlanEvent, Response
from readiness.report.context import ReportMeta, _cap, build_report_context
from readiness.report.render import html_to_pdf, render_roadmap_html
from readiness.services import assessments as services
from readiness.services import survey
from readiness.services.assessments import ServiceError
from readiness.services.survey import pages
from readiness.web.forms import comment_field, item_field
from tests.test_plans import Place, world  # noqa: F401  (the plan pages' fixture)
from tests.test_report import _answers
from tests.web_helpers import (
    add_responses,
    answer_all,
    csrf_from,
    fresh,
    login,
    make_assessment,
    make_municipality,
    make_user,
    page_data,
    post_form,
)

pytestmark = pytest.mark.db

# an override, an isolate, a mark and the Arabic letter mark: each turns text around
DIRECTION = ["\u202e", "\u2067", "\u200f", "\u061c"]
REFUSED = "Remove the invisible control characters or text-direction marks from this text"


@pytest.mark.parametrize("mark", DIRECTION)
def test_a_survey_comment_with_a_text_direction_character_is_refused_and_nothing_is_stored(
        client: FlaskClient, session: Session, questionnaire: Questionnaire, mark: str):
    _, tokens = make_assessment(session, make_municipality(session), ("police",))
    link = f"/s/{tokens['police']}"
    assert post_form(client, link, to=f"{link}/start").status_code == 302
    reply = post_form(client, f"{link}/page/1",
                      page_data(questionnaire, 1, comment=f"It reads {mark}RTL\u202c here"))
    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert REFUSED in html
    assert f'<a href="#{comment_field(pages(questionnaire)[0].id)}">' in html
    fresh(session)
    response = session.scalars(select(Response)).one()
    assert (response.answers, response.comments) == ({}, {})


def test_a_comment_may_still_break_lines(client: FlaskClient, session: Session,
                                         questionnaire: Questionnaire):
    _, tokens = make_assessment(session, make_municipality(session), ("police",))
    link = f"/s/{tokens['police']}"
    post_form(client, link, to=f"{link}/start")
    reply = post_form(client, f"{link}/page/1",
                      page_data(questionnaire, 1, comment="First line\r\n\tsecond"))
    assert reply.status_code == 302


def test_a_workshop_comment_with_an_override_is_refused_and_not_recorded(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police",),
                                    mode=Mode.WORKSHOP)
    login(client, "admin")
    page = f"/assessments/{assessment.public_id}/workshop/police"
    data = {item_field(k): v for k, v in answer_all(questionnaire, "agree").items()}
    dimension = pages(questionnaire)[0].id
    data[comment_field(dimension)] = "agreed \u202eRTL\u202c"
    reply = post_form(client, page, data)
    assert REFUSED in reply.get_data(as_text=True)
    fresh(session)
    assert all(dimension not in r.comments for r in session.scalars(select(Response)))


def test_the_survey_service_refuses_an_override_from_any_entrance(
        session: Session, questionnaire: Questionnaire):
    assessment, _ = make_assessment(session, make_municipality(session), ("police",),
                                    mode=Mode.WORKSHOP)
    dimension = pages(questionnaire)[0].id
    with pytest.raises(ServiceError, match="text-direction"):
        survey.save_workshop(session, questionnaire, assessment, "police",
                             answer_all(questionnaire, "agree"), {dimension: "a\u2066b"})


@pytest.mark.parametrize("field", ["notes", "contact_role"])
def test_an_action_note_with_an_override_is_refused_and_changes_nothing(
        client: FlaskClient, session: Session, world: dict[str, Place],  # noqa: F811
        field: str):
    login(client, "coordinator")
    action = world["home"].action
    token = csrf_from(client.get(f"/plan-actions/{action}").get_data(as_text=True))
    reply = client.post(f"/plan-actions/{action}", data={
        "csrf_token": token, "status": "in_progress", field: "met \u202eowt\u202c times"})
    assert reply.status_code == 400
    assert REFUSED in reply.get_data(as_text=True)
    fresh(session)
    found = session.scalars(select(PlanAction).where(PlanAction.public_id == action)).one()
    assert found.status == "planned"
    assert session.scalars(select(PlanEvent)).all() == []


def test_a_comment_stored_before_the_rule_is_shown_without_its_override(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session))
    dimension = pages(questionnaire)[0].id
    for agency in ("police", "health"):
        add_responses(session, assessment, agency, 5, comments={dimension: "plain"})
    old = session.scalars(select(Response).where(Response.agency == "police")).first()
    assert old is not None
    old.comments = {dimension: "It says \u202eRTL\u202c here"}
    session.commit()
    services.close_assessment(session, assessment)
    session.commit()
    login(client, "admin")
    page = client.get(f"/assessments/{assessment.public_id}/results").get_data(as_text=True)
    assert "It says RTL here" in page
    assert "\u202e" not in page
    assert "\u202c" not in page


def test_a_long_comment_is_never_cut_between_a_letter_and_its_marks():
    text = "ab" + "Z\u0353\u0351\u0352" + "cd"
    for limit in range(3, 8):
        cut = _cap(text, limit)
        assert cut.endswith("\u2026")
        assert not any(c in cut for c in "\u0353\u0351\u0352") or "Z\u0353\u0351\u0352" in cut


def test_a_quoted_comment_keeps_its_marks_in_the_pdf_set_in_a_font_that_stacks_them():
    q = get_questionnaire(language="en")
    result = score(q, _answers(q, "legal_basis"))
    published = publish(q, result, assessed_on=date(2025, 3, 7))
    published = replace(published, comment_agencies=("police",))
    comment = "Z\u0353\u0351\u0352a\u0300\u0301 \u202eRTL\u202c"
    meta = ReportMeta(municipality="Liège", assessed_on=date(2025, 3, 7),
                      comments={"legal_basis": [("police", comment)]})
    ctx = build_report_context(q, published, meta)
    quoted = [text for d in ctx.dimensions for _who, text in d.comments]
    assert quoted == ["Z\u0353\u0351\u0352\u00e0\u0301 RTL"]  # composed, no override
    reader = pypdf.PdfReader(io.BytesIO(html_to_pdf(render_roadmap_html(ctx))))
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    # DejaVu Sans draws stacked marks on top of each other ("à́" reads "ă"); Noto Sans stacks
    assert any("Noto-Sans" in f for f in fonts), fonts
