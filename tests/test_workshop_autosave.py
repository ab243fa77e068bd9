"""A workshop page loses nothing: answers saved as they are given (the page's script posts them
to an autosave address), and an expired form token brings the answers back instead of
"Form expired", as the survey pages do."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from sqlalchemy.orm import Session

import readiness
from readiness.core.questionnaire import Questionnaire
from readiness.models import Assessment, Mode, Role
from readiness.services.survey import pages
from readiness.web.forms import comment_field, item_field
from tests.web_helpers import (
    csrf_from,
    fresh,
    login,
    make_assessment,
    make_municipality,
    make_user,
)


def rating_field(item_id: str, value: str) -> str:
    """The name of a rating count field (`forms.rating_field`, spelled out so that this file
    also runs against a version without consensus mode)."""
    return f"rate-{item_id}-{value}"


def _workshop(client: FlaskClient, session: Session) -> tuple[Assessment, str]:
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"),
                                    mode=Mode.WORKSHOP)
    login(client, "admin")
    return assessment, f"/assessments/{assessment.public_id}/workshop/police"


def _stored(session: Session, assessment: Assessment) -> dict[str, str]:
    fresh(session)
    found = session.get(Assessment, assessment.id)
    assert found is not None
    return {r.agency: r.answers for r in found.responses}.get("police", {})


def test_a_workshop_page_sent_with_an_expired_token_comes_back_with_every_answer_filled_in(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, page = _workshop(client, session)
    first, second = (item.id for item in questionnaire.doc.items[:2])
    reply = client.post(page, data={"csrf_token": "expired-or-tampered",
                                    item_field(first): "agree", item_field(second): "disagree",
                                    comment_field(pages(questionnaire)[0].id): "kept text",
                                    rating_field(first, "agree"): "4"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "Form expired" not in html
    assert "Your answers are filled in below and not lost" in html
    assert re.search(rf'name="{item_field(first)}" value="agree" checked', html)
    assert re.search(rf'name="{item_field(second)}" value="disagree" checked', html)
    assert "kept text" in html
    assert re.search(rf'name="{rating_field(first, "agree")}" value="4"', html)
    assert _stored(session, assessment) == {}  # nothing stored without a valid token...
    again = client.post(page, data={"csrf_token": csrf_from(html), item_field(first): "agree",
                                    item_field(second): "disagree", "section": ""})
    assert again.status_code == 302  # ...and the page it gave back saves them all
    assert _stored(session, assessment) == {first: "agree", second: "disagree"}


def test_answers_are_saved_one_by_one_through_the_autosave_address_and_merged(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, page = _workshop(client, session)
    token = csrf_from(client.get(page).get_data(as_text=True))
    first, second = (item.id for item in questionnaire.doc.items[:2])
    one = client.post(f"{page}/autosave", data={"csrf_token": token, item_field(first): "agree"})
    assert one.status_code == 200
    assert one.get_json()["saved"] is True
    two = client.post(f"{page}/autosave", data={"csrf_token": token,
                                                item_field(second): "strongly_agree"})
    assert two.get_json()["recorded"] == 2
    assert _stored(session, assessment) == {first: "agree", second: "strongly_agree"}


def test_autosave_with_an_expired_token_says_so_and_a_fresh_token_saves(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, page = _workshop(client, session)
    first = questionnaire.doc.items[0].id
    expired = client.post(f"{page}/autosave", data={"csrf_token": "old",
                                                    item_field(first): "agree"})
    assert expired.status_code == 400
    assert expired.get_json() == {"expired": True}
    assert _stored(session, assessment) == {}
    token = client.get(f"{page}/token").get_json()["csrf_token"]
    saved = client.post(f"{page}/autosave", data={"csrf_token": token,
                                                  item_field(first): "agree"})
    assert saved.status_code == 200
    assert _stored(session, assessment) == {first: "agree"}


def test_autosave_keeps_the_valid_answers_and_leaves_out_a_value_that_is_no_option(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, page = _workshop(client, session)
    token = csrf_from(client.get(page).get_data(as_text=True))
    first, second = (item.id for item in questionnaire.doc.items[:2])
    reply = client.post(f"{page}/autosave", data={"csrf_token": token, item_field(first): "agree",
                                                  item_field(second): "<b>maybe</b>"})
    assert reply.status_code == 200
    assert reply.get_json()["left_out"] == 1  # the page says so, and still asks before leaving
    assert _stored(session, assessment) == {first: "agree"}


def test_only_an_organiser_of_the_round_reaches_the_autosave_and_token_addresses(
        client: FlaskClient, session: Session):
    make_user(session, "stranger", Role.ADVISOR)
    assessment, page = _workshop(client, session)
    other = client.application.test_client()
    assert other.post(f"{page}/autosave", data={}).status_code in (302, 401)
    assert other.get(f"{page}/token").status_code in (302, 401)
    login(other, "stranger")
    assert other.get(f"{page}/token").status_code in (403, 404)
    assert client.get(f"/assessments/{assessment.public_id}/workshop/justice/token"
                      ).status_code == 404


def test_the_workshop_page_loads_its_script_from_a_file_and_says_how_to_leave_safely(
        client: FlaskClient, session: Session):
    _assessment, page = _workshop(client, session)
    html = client.get(page).get_data(as_text=True)
    assert re.search(r'<script src="/static/js/workshop\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP)
    assert 'data-autosave-url="' + page + '/autosave"' in html
    assert "data-leave-warning" in html
    assert "Some answers on this page are not saved yet. Leave the page anyway?" in html
    script = Path(readiness.__file__).parent / "static" / "js" / "workshop.js"
    text = script.read_text(encoding="utf-8")
    assert "beforeunload" in text
    assert "data-leave-warning" in text
    served = client.get("/static/js/workshop.js")
    assert served.status_code == 200
    served.close()


def test_a_token_older_than_its_time_limit_brings_the_page_back_with_the_answers(
        client: FlaskClient, session: Session, questionnaire: Questionnaire,
        monkeypatch: pytest.MonkeyPatch):
    assessment, page = _workshop(client, session)
    config = client.application.config
    signer = URLSafeTimedSerializer(config["SECRET_KEY"], salt="wtf-csrf-token")
    raw = signer.loads(csrf_from(client.get(page).get_data(as_text=True)))
    with monkeypatch.context() as past:  # this session's token, as signed an hour and more ago
        past.setattr(TimestampSigner, "get_timestamp",
                     lambda self: int(time.time()) - config["WTF_CSRF_TIME_LIMIT"] - 60)
        old = signer.dumps(raw)
    first = questionnaire.doc.items[0].id
    reply = client.post(page, data={"csrf_token": old, item_field(first): "agree"})
    assert reply.status_code == 400
    assert "Your answers are filled in below and not lost" in reply.get_data(as_text=True)
    assert client.post(f"{page}/autosave", data={"csrf_token": old, item_field(first): "agree"}
                       ).get_json() == {"expired": True}
    assert _stored(session, assessment) == {}
    same_token_now = signer.dumps(raw)  # the same token signed now: only its age was wrong
    assert client.post(f"{page}/autosave", data={"csrf_token": same_token_now,
                                                 item_field(first): "agree"}).status_code == 200
