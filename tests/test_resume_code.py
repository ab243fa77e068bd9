"""Resume anywhere: the short code on every survey page continues a response in another browser,
through its own link only, with wrong codes throttled and one message for all of them."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.models import Response
from readiness.services import assessments as services
from readiness.services.survey import pages
from readiness.tokens import (
    RESUME_ALPHABET,
    RESUME_CODE_LENGTH,
    new_resume_code,
    normalise_resume_code,
)
from readiness.web.forms import item_field
from tests.web_helpers import (
    add_responses,
    fresh,
    make_assessment,
    make_municipality,
    page_data,
    post_form,
)

_CODE = re.compile(r"data-resume-code>([0-9A-Z]{5}-[0-9A-Z]{5})<")


@pytest.fixture
def links(session: Session) -> dict[str, str]:
    """Paths of two open survey links of one round: police and health."""
    _, tokens = make_assessment(session, make_municipality(session), ("police", "health"))
    return {agency: f"/s/{token}" for agency, token in tokens.items()}


def _code_on(html: str) -> str:
    found = _CODE.search(html)
    assert found, "no resume code on the page"
    return found.group(1)


def _begin_and_answer_page_one(client: FlaskClient, link: str, q: Questionnaire) -> str:
    """Start a response, answer page 1 "agree"; the code page 2 shows."""
    assert post_form(client, link, to=f"{link}/start").status_code == 302
    reply = post_form(client, f"{link}/page/1", page_data(q, 1, "agree"))
    assert reply.headers["Location"] == f"{link}/page/2"
    return _code_on(client.get(f"{link}/page/2").get_data(as_text=True))


def _resume(client: FlaskClient, link: str, code: str) -> object:
    return post_form(client, link, {"code": code}, to=f"{link}/resume")


def test_codes_are_ten_characters_of_an_alphabet_without_look_alikes():
    code = new_resume_code()
    assert len(code) == RESUME_CODE_LENGTH
    assert set(code) <= set(RESUME_ALPHABET)
    assert not set("01OILU") & set(RESUME_ALPHABET)
    assert normalise_resume_code(f" {code[:5].lower()}-{code[5:]} ") == code
    assert normalise_resume_code("ABCDE-0000O") is None
    assert normalise_resume_code("short") is None


def test_every_survey_page_shows_the_same_code_and_only_its_hash_is_stored(
        client: FlaskClient, links: dict[str, str], questionnaire: Questionnaire,
        session: Session):
    link = links["police"]
    code = _begin_and_answer_page_one(client, link, questionnaire)
    for path in (f"{link}/page/1", f"{link}/page/{len(pages(questionnaire))}", f"{link}/check",
                 f"{link}/saved", link):
        assert _code_on(client.get(path).get_data(as_text=True)) == code, path
    fresh(session)
    stored = session.scalar(select(Response))
    assert stored is not None
    assert stored.resume_code_hash
    assert code.replace("-", "") not in repr(stored.__dict__)


def test_a_code_continues_the_response_in_another_browser_with_its_answers(
        app: Flask, client: FlaskClient, links: dict[str, str], questionnaire: Questionnaire,
        session: Session):
    link = links["police"]
    code = _begin_and_answer_page_one(client, link, questionnaire)
    other = app.test_client()
    assert "Continue with a code" in other.get(link).get_data(as_text=True)
    reply = _resume(other, link, code.lower())
    assert reply.status_code == 303
    assert reply.headers["Location"] == f"{link}/page/2"  # the first page without answers
    first = pages(questionnaire)[0]
    item = questionnaire.items_of(first.id)[0]
    html = other.get(f"{link}/page/1").get_data(as_text=True)
    assert re.search(rf'name="{item_field(item.id)}"[^>]*value="agree"[^>]*checked', html) or \
        re.search(rf'value="agree"[^>]*name="{item_field(item.id)}"[^>]*checked', html)
    assert _code_on(html) == code
    fresh(session)
    assert len(session.scalars(select(Response)).all()) == 1  # continued, not a new response
    # the response moved: the first browser needs the code again
    assert client.get(f"{link}/page/2").headers["Location"] == link


def test_a_wrong_code_or_another_links_code_gets_one_message_and_nothing_changes(
        app: Flask, client: FlaskClient, links: dict[str, str], questionnaire: Questionnaire,
        session: Session):
    code = _begin_and_answer_page_one(client, links["police"], questionnaire)
    other = app.test_client()
    messages = set()
    for typed in (code, "ZZZZZ-ZZZZZ", "not a code"):
        reply = _resume(other, links["health"], typed)
        assert reply.status_code == 400
        html = reply.get_data(as_text=True)
        messages.add(re.findall(r'class="error-message"[^>]*>.*?</span>\s*([^<]+)<', html)[0])
        assert "maw_response" not in reply.headers.get("Set-Cookie", "")
    assert messages == {"This code does not continue a response on this link. Check it against "
                        "the code shown on your survey pages, or start again."}
    # the police response is still the first browser's
    assert client.get(f"{links['police']}/page/2").status_code == 200


def test_wrong_codes_are_throttled_per_address(
        app: Flask, client: FlaskClient, links: dict[str, str], questionnaire: Questionnaire):
    app.config["SURVEY_RESUME_FAILURES_PER_ADDRESS"] = 3
    code = _begin_and_answer_page_one(client, links["police"], questionnaire)
    other = app.test_client()
    for _ in range(3):
        assert _resume(other, links["police"], "ZZZZZ-ZZZZZ").status_code == 400
    reply = _resume(other, links["police"], code)  # even the right code waits now
    assert reply.status_code == 429
    assert "Too many wrong codes" in reply.get_data(as_text=True)


def test_wrong_codes_are_throttled_per_link_across_addresses(
        app: Flask, client: FlaskClient, links: dict[str, str], questionnaire: Questionnaire):
    app.config["SURVEY_RESUME_FAILURES_PER_LINK"] = 2
    code = _begin_and_answer_page_one(client, links["police"], questionnaire)
    for number in range(2):
        guesser = app.test_client()
        address = {"REMOTE_ADDR": f"10.0.0.{number + 1}"}
        assert post_form(guesser, links["police"], {"code": "ZZZZZ-ZZZZZ"},
                         to=f"{links['police']}/resume",
                         environ_base=address).status_code == 400
    assert _resume(app.test_client(), links["police"], code).status_code == 429
    # another link of the round is not held back
    assert _resume(app.test_client(), links["health"], "ZZZZZ-ZZZZZ").status_code == 400


def test_a_code_expires_when_the_round_closes(
        app: Flask, client: FlaskClient, links: dict[str, str], questionnaire: Questionnaire,
        session: Session):
    code = _begin_and_answer_page_one(client, links["police"], questionnaire)
    fresh(session)
    response = session.scalar(select(Response))
    assert response is not None
    add_responses(session, response.assessment, "health", 1)
    services.close_assessment(session, response.assessment)
    session.commit()
    other = app.test_client()
    reply = other.post(f"{links['police']}/resume", data={"code": code})
    assert reply.status_code == 410
