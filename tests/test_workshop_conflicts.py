"""Two people recording the same agency's workshop answers (a facilitator on a laptop, a
co-facilitator on a tablet): the page carries the version of the answers it was opened on, and a
save over answers someone else saved since is refused, says what differs, and writes nothing."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.models import Assessment, AuditEvent, Mode, Role
from readiness.web.forms import item_field
from tests.web_helpers import csrf_from, fresh, login, make_assessment, make_municipality, make_user

_VERSION = re.compile(r'name="workshop_version" value="([^"]*)"')


def _two_devices(client: FlaskClient, session: Session) -> tuple[Assessment, str, FlaskClient]:
    make_user(session, "admin")
    make_user(session, "cofacilitator", Role.ADMIN)
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"),
                                    mode=Mode.WORKSHOP)
    login(client, "admin")
    tablet = client.application.test_client()
    login(tablet, "cofacilitator")
    return assessment, f"/assessments/{assessment.public_id}/workshop/police", tablet


def _opened(client: FlaskClient, page: str) -> dict[str, str]:
    html = client.get(page).get_data(as_text=True)
    found = _VERSION.search(html)
    assert found, "the workshop form carries no version"
    return {"csrf_token": csrf_from(html), "workshop_version": found.group(1)}


def _stored(session: Session, assessment: Assessment) -> dict[str, str]:
    fresh(session)
    found = session.get(Assessment, assessment.id)
    assert found is not None
    return {r.agency: dict(r.answers) for r in found.responses}.get("police", {})


def _saves_audited(session: Session) -> int:
    fresh(session)
    return session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "workshop_answers_saved")) or 0


def test_an_autosave_over_answers_another_person_saved_since_is_refused_and_writes_nothing(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, page, tablet = _two_devices(client, session)
    first = questionnaire.doc.items[0].id
    laptop_page, tablet_page = _opened(client, page), _opened(tablet, page)
    assert tablet.post(f"{page}/autosave", data={**tablet_page, item_field(first): "agree"}
                       ).status_code == 200
    audited = _saves_audited(session)
    reply = client.post(f"{page}/autosave", data={**laptop_page, item_field(first): "disagree"})
    assert reply.status_code == 409
    body = reply.get_json()
    assert body["conflict"] is True
    assert "saved" not in body
    assert "another person saved answers of" in body["message"]
    assert body["changed"] == [f"1. {questionnaire.doc.items[0].text}"]
    assert _stored(session, assessment) == {first: "agree"}  # the tablet's answer stays
    assert _saves_audited(session) == audited  # and no save is logged


def test_each_autosave_answers_the_new_version_so_one_page_keeps_saving(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, page, _tablet = _two_devices(client, session)
    first, second = (item.id for item in questionnaire.doc.items[:2])
    opened = _opened(client, page)
    one = client.post(f"{page}/autosave", data={**opened, item_field(first): "agree"})
    assert one.status_code == 200
    again = {**opened, "workshop_version": one.get_json()["version"]}
    two = client.post(f"{page}/autosave", data={**again, item_field(first): "agree",
                                                item_field(second): "disagree"})
    assert two.status_code == 200
    assert _stored(session, assessment) == {first: "agree", second: "disagree"}
    stale = client.post(f"{page}/autosave", data={**opened, item_field(first): "disagree"})
    assert stale.status_code == 409  # the version the page was first opened at is old now


def test_saving_the_page_over_newer_answers_shows_theirs_and_yours_and_saving_again_replaces(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, page, tablet = _two_devices(client, session)
    first, second = (item.id for item in questionnaire.doc.items[:2])
    laptop_page, tablet_page = _opened(client, page), _opened(tablet, page)
    assert tablet.post(page, data={**tablet_page, item_field(first): "agree", "section": ""}
                       ).status_code == 302
    mine = {item_field(first): "strongly_disagree", item_field(second): "disagree", "section": ""}
    refused = client.post(page, data={**laptop_page, **mine})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else saved changes first" in html
    assert "Nothing of yours is saved yet" in html
    assert "data-autosave-paused" in html  # the script leaves replacing theirs to a Save button
    assert "data-autosave-paused" not in client.get(page).get_data(as_text=True)
    row = re.search(r"<tr><th scope=\"row\">1\. [^<]*</th><td>([^<]*)</td><td>([^<]*)</td></tr>",
                    html)
    assert row is not None
    assert row.groups() == ("Agree", "Strongly disagree")
    assert re.search(rf'name="{item_field(first)}" value="strongly_disagree" checked', html)
    assert _stored(session, assessment) == {first: "agree"}  # nothing of the laptop's written
    current = _VERSION.search(html)
    assert current is not None
    assert current.group(1) != laptop_page["workshop_version"]
    again = client.post(page, data={**laptop_page, **mine, "workshop_version": current.group(1)})
    assert again.status_code == 302  # compared, and chosen on purpose
    assert _stored(session, assessment) == {first: "strongly_disagree", second: "disagree"}


def test_a_page_sent_back_for_an_expired_token_keeps_the_version_it_was_opened_at(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, page, tablet = _two_devices(client, session)
    first = questionnaire.doc.items[0].id
    laptop_page, tablet_page = _opened(client, page), _opened(tablet, page)
    tablet.post(f"{page}/autosave", data={**tablet_page, item_field(first): "agree"})
    expired = client.post(page, data={**laptop_page, "csrf_token": "old",
                                      item_field(first): "disagree"})
    assert expired.status_code == 400
    kept = _VERSION.search(expired.get_data(as_text=True))
    assert kept is not None
    assert kept.group(1) == laptop_page["workshop_version"]
    assert client.post(page, data={**laptop_page, item_field(first): "disagree", "section": ""}
                       ).status_code == 409
    assert _stored(session, assessment) == {first: "agree"}
