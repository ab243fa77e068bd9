"""The privacy notice on the survey start page (GDPR Art. 13), from the PRIVACY_* settings."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from readiness import create_app
from readiness.core import privacy
from readiness.core.questionnaire import Questionnaire
from readiness.db import get_db
from readiness.models import Base, Response
from readiness.web.survey import privacy_notice
from tests.web_helpers import fresh, make_assessment, make_municipality, page_data, post_form

CONFIGURED = {
    "PRIVACY_CONTROLLER": "Ministry of the Interior",
    "PRIVACY_CONTACT": "dpo@interior.example.gov",
    "PRIVACY_RETENTION": "Two years after the assessment closes.",
    "PRIVACY_NOTICE_URL": "https://interior.example.gov/privacy/maw",
}
_EMPTY_VALUE = re.compile(r'<dd class="summary-list__value">\s*</dd>')


@pytest.fixture
def link(session: Session) -> str:
    """The path of an open survey link for the police of Mechelen."""
    _, tokens = make_assessment(session, make_municipality(session), ("police", "health"))
    return f"/s/{tokens['police']}"


def _notice(client: FlaskClient, link: str) -> str:
    """The privacy notice section of the start page."""
    html = client.get(link).get_data(as_text=True)
    found = re.search(r'<section class="measure privacy-notice".*?</section>', html, re.S)
    assert found, "no privacy notice on the start page"
    return found.group(0)


def test_the_start_page_names_the_configured_controller_contact_retention_and_full_notice(
        app: Flask, client: FlaskClient, link: str):
    app.config.update(CONFIGURED)
    notice = _notice(client, link)
    assert "How your answers are used" in notice
    assert "Ministry of the Interior (the data controller)." in notice
    assert '<a href="mailto:dpo@interior.example.gov">dpo@interior.example.gov</a>' in notice
    assert "Two years after the assessment closes." in notice
    assert '<a href="https://interior.example.gov/privacy/maw">Read the full privacy notice</a>' \
        in notice
    assert "organisation that sent you this link" not in notice


def test_hostile_privacy_settings_are_shown_as_text_not_markup(
        app: Flask, client: FlaskClient, link: str):
    app.config.update({
        "PRIVACY_CONTROLLER": "<script>alert(1)</script>",
        "PRIVACY_CONTACT": "<b>Town hall</b>\nMain Street 1",
        "PRIVACY_RETENTION": "<img src=x onerror=alert(2)>",
        "PRIVACY_NOTICE_URL": 'https://example.gov/"><script>alert(3)</script>',
    })
    notice = _notice(client, link)
    assert "<script>" not in notice
    assert "<b>" not in notice
    assert "<img" not in notice
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (the data controller)" in notice
    assert "&lt;b&gt;Town hall&lt;/b&gt;" in notice
    assert "&lt;img src=x onerror=alert(2)&gt;" in notice
    assert 'href="https://example.gov/&#34;&gt;&lt;script&gt;' in notice
    assert "mailto:" not in notice


def test_without_privacy_settings_the_organisation_that_sent_the_link_is_responsible(
        client: FlaskClient, link: str):
    notice = _notice(client, link)
    assert "The organisation that sent you this link is the data controller." in notice
    assert "Ask the organisation that sent you this link how long answers are kept." in notice
    assert "Ask the person who sent you this link." in notice
    assert "Read the full privacy notice" not in notice
    assert "None" not in notice
    assert "mailto:" not in notice
    assert not _EMPTY_VALUE.search(notice)
    assert notice.count("<dt") == notice.count("<dd") == 5


def test_blank_privacy_settings_count_as_not_configured(
        app: Flask, client: FlaskClient, link: str):
    app.config.update({key: "   " for key in CONFIGURED})
    notice = _notice(client, link)
    assert "The organisation that sent you this link is the data controller." in notice
    assert not _EMPTY_VALUE.search(notice)
    assert "Read the full privacy notice" not in notice


def test_a_contact_that_is_no_email_address_is_shown_as_text_without_a_mail_link(
        app: Flask, client: FlaskClient, link: str):
    app.config["PRIVACY_CONTACT"] = "Data protection officer, Town hall, Main Street 1"
    notice = _notice(client, link)
    assert "Data protection officer, Town hall, Main Street 1" in notice
    assert "mailto:" not in notice


@pytest.mark.parametrize("address", ["javascript:alert(1)", "ftp://example.gov/notice",
                                     "/privacy", "https://"])
def test_only_a_web_address_is_linked_as_the_full_notice(address: str):
    assert privacy_notice({"PRIVACY_NOTICE_URL": address}).url is None
    assert privacy_notice({"PRIVACY_NOTICE_URL": "http://example.gov/p"}).url == \
        "http://example.gov/p"


def test_privacy_settings_come_from_readiness_environment_variables(
        app: Flask, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("READINESS_PRIVACY_CONTROLLER", "City of Mechelen")
    monkeypatch.setenv("READINESS_PRIVACY_RETENTION", "Until the end of 2027")
    configured = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                             "INSTANCE_PATH": app.instance_path})
    notice = privacy_notice(configured.config)
    assert notice.controller == "City of Mechelen"
    assert notice.retention == "Until the end of 2027"
    assert notice.contact is None
    get_db(configured).dispose()


def test_the_group_size_in_the_notice_comes_from_the_privacy_rules(
        client: FlaskClient, link: str, questionnaire: Questionnaire,
        monkeypatch: pytest.MonkeyPatch):
    shipped = privacy.group_size(questionnaire.doc.settings.min_group_size)
    assert f"at least {shipped} of its practitioners answered" in _notice(client, link)
    monkeypatch.setattr(privacy, "group_size", lambda size, workshop=False: 7)
    assert "at least 7 of its practitioners answered" in _notice(client, link)


def test_the_notice_asks_for_no_names_in_comments(client: FlaskClient, link: str):
    assert "Please do not write names or anything that could identify a person in comments." \
        in _notice(client, link)


def test_no_name_email_or_ip_address_is_stored_with_answers_as_the_notice_says(
        app: Flask, link: str, session: Session, questionnaire: Questionnaire):
    address = "203.0.113.77"
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    notice = _notice(client, link)
    assert "the language you chose" in notice
    assert "not your name, email address or IP address" in notice
    post_form(client, link, to=f"{link}/start")
    post_form(client, f"{link}/page/1", page_data(questionnaire, 1, "agree", "Fine"))
    fresh(session)
    [response] = session.scalars(select(Response)).all()
    assert response.comments  # the page was saved
    assert {c.name for c in Response.__table__.columns} == {
        "id", "public_id", "assessment_id", "invitation_id", "agency", "resume_hash",
        "resume_code_hash", "status",
        "answers", "comments", "language", "created_at", "updated_at", "submitted_at",
        "excluded", "ratings"}  # ratings: a workshop's counts per answer, never who gave them
    for table in Base.metadata.sorted_tables:
        for row in session.execute(text(f'SELECT * FROM "{table.name}"')):
            assert address not in repr(tuple(row)), table.name
