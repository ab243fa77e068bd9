"""What a survey page keeps between requests never shows up on the wrong page.

Form classes and the HTML of each statement's choices are kept per questionnaire version,
language, page and answer; the invitation, its round and the browser's response are read in one
query. These tests switch language, version and page, change answers and send errors, and
check each page is the one it should be; and that a page sends two SQL statements, not seven.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, get_template_attribute
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.db import get_db
from readiness.models import Invitation
from readiness.services import assessments as services
from readiness.services import survey
from readiness.services.survey import pages
from readiness.web import survey_parts
from readiness.web.forms import comment_field, item_field, survey_form
from readiness.web.survey_parts import statement_html
from tests.web_helpers import make_assessment, make_municipality, page_data, post_form

_CHECKED = re.compile(r'name="(q_[a-z_]+)" value="([a-z_]+)" checked')


def _started(client: FlaskClient, token: str) -> str:
    link = f"/s/{token}"
    assert post_form(client, link, to=f"{link}/start").status_code == 302
    return link


def _link_on(session: Session, version: str, name: str) -> str:
    town = make_municipality(session, name=name)
    _, tokens = services.create_assessment(session, town, q=get_questionnaire(version=version),
                                           agencies=("police",))
    session.commit()
    return next(iter(tokens.values()))


@pytest.fixture
def link(client: FlaskClient, session: Session) -> str:
    """A started response's survey link (questionnaire 1.1, the current one)."""
    _, tokens = make_assessment(session, make_municipality(session), ("police", "health"))
    return _started(client, tokens["police"])


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app's engine sends inside the block."""
    seen: list[str] = []

    def listen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(statement)

    engine = get_db(app).engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def test_switching_language_shows_the_page_in_the_new_language_every_time(
        client: FlaskClient, link: str):
    for language in ("en", "fr", "nl", "en", "fr"):
        q = get_questionnaire(version="1.1", language=language)
        html = client.get(f"{link}/page/1?lang={language}").get_data(as_text=True)
        first = q.items_of(pages(q)[0].id)[0]
        assert f"1. {first.text}" in html, language
        assert (q.options(first)[0].label in html), language
        others = [code for code in ("en", "fr", "nl") if code != language]
        for other in others:
            text = get_questionnaire(version="1.1", language=other).items_of(
                pages(q)[0].id)[0].text
            assert text not in html, (language, other)
    french = client.get(f"{link}/page/1?lang=fr").get_data(as_text=True)
    assert "Je ne sais pas" in french
    assert "Don't know" not in french


def test_a_page_of_one_questionnaire_version_never_shows_another_versions_statements(
        client: FlaskClient, session: Session):
    old = _started(client, _link_on(session, "1.0", "Oldtown"))
    new = _started(app_client := client.application.test_client(),
                   _link_on(session, "1.1", "Newtown"))
    q_old = get_questionnaire(version="1.0", language="en")
    q_new = get_questionnaire(version="1.1", language="en")
    only_new = {i.id for i in q_new.items_of("trust")} - {i.id for i in q_old.items_of("trust")}
    assert only_new, "the versions' first pages should differ for this test to mean anything"
    for _ in range(2):
        old_html = client.get(f"{old}/page/1?lang=en").get_data(as_text=True)
        new_html = app_client.get(f"{new}/page/1?lang=en").get_data(as_text=True)
        for item_id in only_new:
            assert item_field(item_id) not in old_html
            assert item_field(item_id) in new_html
        assert old_html.count('class="statement"') == len(q_old.items_of("trust")) + 1
        assert new_html.count('class="statement"') == len(q_new.items_of("trust")) + 1


def test_every_page_shows_its_own_statements_after_other_pages_were_shown(
        client: FlaskClient, link: str):
    q = get_questionnaire(version="1.1", language="en")
    for _ in range(2):
        for number, dimension in enumerate(pages(q), start=1):
            html = client.get(f"{link}/page/{number}?lang=en").get_data(as_text=True)
            shown = set(re.findall(r'name="(q_[a-z_]+)"', html))
            assert shown == {item_field(i.id) for i in q.items_of(dimension.id)}


def test_the_checked_answers_follow_the_response_not_what_an_earlier_page_showed(
        client: FlaskClient, link: str, session: Session):
    q = get_questionnaire(version="1.1", language="en")
    items = q.items_of(pages(q)[0].id)
    before = client.get(f"{link}/page/1?lang=en").get_data(as_text=True)
    assert not _CHECKED.findall(before)
    for value in ("agree", "disagree"):
        reply = post_form(client, f"{link}/page/1?lang=en", page_data(q, 1, value))
        assert reply.status_code == 302
        html = client.get(f"{link}/page/1?lang=en").get_data(as_text=True)
        checked = dict(_CHECKED.findall(html))
        assert set(checked) == {item_field(i.id) for i in items}
        assert checked == {k: v for k, v in page_data(q, 1, value).items()
                           if k.startswith("q_")}
    # a colleague on the same link, with no answers yet, sees nothing checked
    colleague = client.application.test_client()
    _started(colleague, link.removeprefix("/s/"))
    assert not _CHECKED.findall(colleague.get(f"{link}/page/1?lang=en").get_data(as_text=True))


def test_an_error_shows_on_the_page_it_was_made_and_not_on_the_next_visit(
        client: FlaskClient, link: str):
    q = get_questionnaire(version="1.1", language="en")
    data = page_data(q, 1, "agree")
    first = item_field(q.items_of(pages(q)[0].id)[0].id)
    data.pop(first)
    reply = post_form(client, f"{link}/page/1?lang=en", data)
    assert reply.status_code == 400
    assert "Statement 1: choose an answer, or Don&#39;t know" in reply.get_data(as_text=True)
    again = client.get(f"{link}/page/1?lang=en").get_data(as_text=True)
    assert "choose an answer" not in again
    assert "form-group--error" not in again


def test_a_kept_statement_is_the_html_the_choices_macro_renders(app: Flask):
    q = get_questionnaire(version="1.1", language="en")
    dimension = pages(q)[1]
    with app.test_request_context("/?lang=en"):
        macro = get_template_attribute("macros/forms.html", "choices")
        for answers in ({}, {i.id: "agree" for i in q.items_of(dimension.id)}):
            for _ in range(2):  # the second time from what was kept
                form = survey_form(q, [dimension.id], 2000, answers=answers)
                for item in q.items_of(dimension.id):
                    field = form[item_field(item.id)]
                    assert str(statement_html(form, field)) == str(macro(field, inline=True))


def test_a_question_page_reads_the_database_once(app: Flask, client: FlaskClient, link: str):
    client.get(f"{link}/page/2")
    with counted(app) as statements:
        assert client.get(f"{link}/page/2").status_code == 200
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, statements
    assert len(statements) <= 2, statements  # BEGIN, then the one read


def test_saving_a_page_reads_the_link_once_and_still_rereads_the_response_under_its_lock(
        app: Flask, client: FlaskClient, link: str):
    q = get_questionnaire(version="1.1", language="en")
    page = client.get(f"{link}/page/1").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    with counted(app) as statements:
        reply = client.post(f"{link}/page/1", data={"csrf_token": token.group(1),
                                                    **page_data(q, 1, "agree")})
    assert reply.status_code == 302
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 2, statements  # the link, then the response again under its lock
    assert any(s.lstrip().upper().startswith("UPDATE RESPONSE") for s in statements)


def test_one_query_finds_the_link_and_only_this_links_response(session: Session):
    _, tokens = make_assessment(session, make_municipality(session), ("police", "health"))
    police = survey.find_invitation(session, tokens["police"])
    health = survey.find_invitation(session, tokens["health"])
    assert police is not None
    assert health is not None
    _, secret = survey.start_response(session, police)
    session.commit()
    opened = survey.open_link(session, tokens["police"], secret)
    assert opened is not None
    assert opened[0] == _as_read(police)
    response = survey.find_response(session, police, secret)
    assert response is not None
    assert opened[1] == survey.OpenedResponse(response.id, response.status, response.language,
                                              response.answers, response.comments,
                                              response.resume_code_hash)
    # the police browser's secret opens no response through the health link
    assert survey.open_link(session, tokens["health"], secret) == (_as_read(health), None)
    assert survey.open_link(session, tokens["police"], None) == (_as_read(police), None)
    assert survey.open_link(session, tokens["police"], "x" * 200) == (_as_read(police), None)
    assert survey.open_link(session, "not-a-token", secret) is None
    assert survey.open_link(session, "", secret) is None


def _as_read(invitation: Invitation) -> survey.OpenedLink:
    """What `open_link` should read of an invitation, from its ORM object."""
    assessment = invitation.assessment
    return survey.OpenedLink(
        invitation.id, invitation.public_id, invitation.agency, invitation.state,
        assessment.id, assessment.status, assessment.closes_on, assessment.conducted_on,
        assessment.questionnaire_id,
        assessment.questionnaire_version, assessment.municipality.name,
        assessment.municipality.country)


def test_saving_a_page_keeps_what_another_tab_saved_after_this_page_was_read(
        app: Flask, session: Session):
    q = get_questionnaire(version="1.1", language="en")
    _, tokens = make_assessment(session, make_municipality(session), ("police",))
    police = survey.find_invitation(session, tokens["police"])
    assert police is not None
    response, secret = survey.start_response(session, police)
    session.commit()
    first, second = (q.items_of(p.id)[0].id for p in pages(q)[:2])
    with get_db(app).sessions() as tab_one, get_db(app).sessions() as tab_two:
        opened = survey.open_link(tab_one, tokens["police"], secret)  # page 1 read...
        assert opened is not None
        assert opened[1] is not None
        tab_one.rollback()
        survey.save_page(tab_two, q, opened[1].id, {second: "agree"}, {})  # ...page 2 saved
        tab_two.commit()
        survey.save_page(tab_one, q, opened[1].id, {first: "disagree"}, {})  # ...page 1 saved
        tab_one.commit()
    session.refresh(response)
    assert response.answers == {first: "disagree", second: "agree"}


def test_a_sent_response_or_a_closed_round_refuses_a_page_saved_from_an_older_read(
        session: Session):
    q = get_questionnaire(version="1.1", language="en")
    assessment, tokens = make_assessment(session, make_municipality(session), ("police",))
    police = survey.find_invitation(session, tokens["police"])
    assert police is not None
    response, secret = survey.start_response(session, police)
    session.commit()
    opened = survey.open_link(session, tokens["police"], secret)
    assert opened is not None
    assert opened[1] is not None
    item = q.items_of(pages(q)[0].id)[0].id
    assessment.status = "closed"
    session.flush()
    with pytest.raises(survey.ServiceError):
        survey.save_page(session, q, opened[1].id, {item: "agree"}, {})
    assessment.status = "open"
    response.status = "submitted"
    session.flush()
    with pytest.raises(survey.ServiceError):
        survey.save_page(session, q, opened[1].id, {item: "agree"}, {})
    session.refresh(response)
    assert response.answers == {}


_TOKEN = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+"')
_HOSTILE = '</textarea><script>alert("x")</script> & <b>bold</b>'


def _forget_kept_parts() -> None:
    survey_parts._PARTS.clear()
    survey_parts._BOXES.clear()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_page_shown_from_kept_parts_is_the_page_a_built_form_shows(
        client: FlaskClient, link: str, session: Session, language: str):
    q = get_questionnaire(version="1.1", language=language)
    values = ("agree", "disagree", "dont_know")
    for number in range(1, len(pages(q)) + 1):
        data = page_data(q, number, values[number % 3], comment=f"{_HOSTILE} {number}")
        data.pop(next(iter(data)))  # one statement left unanswered: saved, page shown again
        assert post_form(client, f"{link}/page/{number}?lang={language}", data).status_code \
            == 400
    for number in range(1, len(pages(q)) + 1):
        _forget_kept_parts()
        built = client.get(f"{link}/page/{number}?lang={language}").get_data(as_text=True)
        kept = client.get(f"{link}/page/{number}?lang={language}").get_data(as_text=True)
        assert _TOKEN.sub(r"\1", kept) == _TOKEN.sub(r"\1", built)
        assert survey_parts._BOXES, "the second page should come from what was kept"
        assert "<script>" not in kept
        assert f"&lt;/textarea&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; " \
               f"&lt;b&gt;bold&lt;/b&gt; {number}</textarea>" in kept
        assert len(_CHECKED.findall(kept)) == len(q.items_of(pages(q)[number - 1].id)) - 1


def test_a_kept_comment_box_is_the_html_the_textarea_macro_renders_for_the_field(app: Flask):
    q = get_questionnaire(version="1.1", language="en")
    dimension = pages(q)[0]
    with app.test_request_context("/?lang=en"):
        macro = get_template_attribute("macros/forms.html", "textarea")
        for comment in (None, "", "  spaced  ", _HOSTILE):
            form = survey_form(q, [dimension.id], 2000,
                               comments={dimension.id: comment} if comment is not None else {})
            field = form[comment_field(dimension.id)]
            box = survey_parts.CommentBox(field.id, field.name, field.label, comment.strip()
                                          if comment is not None else None)
            assert str(macro(box, 2000)) == str(macro(field, 2000))


def test_a_page_with_an_answer_that_is_no_plain_value_is_built_not_taken_from_kept_parts(
        app: Flask):
    q = get_questionnaire(version="1.1", language="en")
    dimension = pages(q)[0]
    names = [item_field(i.id) for i in q.items_of(dimension.id)]
    built: list[bool] = []

    def build() -> Any:
        built.append(True)
        return survey_form(q, [dimension.id], 2000, answers={names[0][2:]: 3})

    with app.test_request_context("/?lang=en"):
        form_class = type(survey_form(q, [dimension.id], 2000))
        survey_parts.page_parts(survey_form(q, [dimension.id], 2000), names,
                                comment_field(dimension.id))  # everything unanswered kept
        survey_parts.kept_page(form_class, names, comment_field(dimension.id), {}, build)
        assert not built
        statements, _box = survey_parts.kept_page(
            form_class, names, comment_field(dimension.id), {names[0]: 3}, build)
        assert built
        assert statements == survey_parts.page_parts(build(), names,
                                                     comment_field(dimension.id))[0]
