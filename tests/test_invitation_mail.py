"""Sending a round's invitation links by e-mail from its links page (issue 15, item 1): only
where an e-mail server is configured; a local SMTP server (aiosmtpd on 127.0.0.1) receives the
messages; the typed addresses are never stored, the audit log keeps only their count."""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.models import AuditEvent, Base, Invitation
from readiness.services.mailer import THREAD_NAME
from tests.test_invitation_pack import LINK, _new_round
from tests.test_join_codes import SHOWN
from tests.test_password_reset import _Inbox, inbox  # noqa: F401 - the inbox fixture
from tests.web_helpers import audited_actions, fresh, post_form

FIRST, SECOND = "first.practitioner@police-zone.example", "second@police-zone.example"


def _send(client: FlaskClient, links_page: str, data: dict[str, Any]) -> Any:
    """Post the e-mail form; returns once what it sent reached the inbox."""
    reply = post_form(client, links_page, data, to=links_page + "/mail")
    for thread in threading.enumerate():
        if thread.name == THREAD_NAME:
            thread.join(timeout=30)
    return reply


def _stored_text(session: Session) -> str:
    """Every row of every table, as text."""
    fresh(session)
    return "\n".join(repr(row) for table in Base.metadata.sorted_tables
                     for row in session.execute(select(table)).all())


def _body(message: Any) -> str:
    return str(message.get_payload(decode=True).decode(message.get_content_charset()))


def test_a_link_sent_by_email_arrives_at_each_address_and_no_address_is_stored(
        client: FlaskClient, session: Session, app: Flask, inbox: _Inbox):  # noqa: F811
    links_page = _new_round(client, session, closes_on="2099-05-31")
    html = client.get(links_page).get_data(as_text=True)
    links, codes = LINK.findall(html), [code for _a, code in SHOWN.findall(html)]
    police = session.scalars(select(Invitation).where(Invitation.agency == "police")).one()
    reply = _send(client, links_page, {"link": police.public_id, "language": "en",
                                       "addresses": f"{FIRST}\n\n  {SECOND.upper()} \n{FIRST}"})
    assert reply.status_code == 302
    assert sorted(m["To"] for m in inbox.messages) == sorted([FIRST, SECOND])
    for message in inbox.messages:
        body = " ".join(_body(message).split())
        assert links[0] in body
        assert links[1] not in body
        assert f"go to localhost/j and type {codes[0]}" in body
        assert "Police" in message["Subject"]
        assert "Mechelen asks the practitioners of Police" in body
        assert "about 17 minutes" in body
        assert "31 May 2099" in body  # the app's one date format, not Babel's US "May 31, 2099"
        assert "anonymous" in body
    stored = _stored_text(session).lower()
    assert FIRST not in stored
    assert "police-zone" not in stored
    details = session.scalars(select(AuditEvent.detail).where(
        AuditEvent.action == "invitations_emailed")).all()
    assert details == ["2 messages"]
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    assert "police-zone" not in repr(
        app.session_interface.get_signing_serializer(app).loads(cookie.value))  # type: ignore[attr-defined]


def test_every_link_goes_in_one_message_in_the_language_chosen(
        client: FlaskClient, session: Session, inbox: _Inbox):  # noqa: F811
    links_page = _new_round(client, session, closes_on="2099-05-31")
    links = LINK.findall(client.get(links_page).get_data(as_text=True))
    reply = _send(client, links_page, {"link": "all", "language": "nl", "addresses": FIRST})
    assert reply.status_code == 302
    [message] = inbox.messages
    body = _body(message)
    assert all(link in body for link in links)
    assert "31 mei 2099" in body


def test_without_a_mail_server_the_form_is_hidden_and_sending_answers_404(
        client: FlaskClient, session: Session):
    links_page = _new_round(client, session)
    html = client.get(links_page).get_data(as_text=True)
    assert "/mail" not in html
    assert 'name="addresses"' not in html
    reply = post_form(client, links_page, {"link": "all", "language": "en",
                                           "addresses": FIRST}, to=links_page + "/mail")
    assert reply.status_code == 404


def test_a_wrong_address_names_its_line_and_nothing_is_sent_or_audited(
        client: FlaskClient, session: Session, inbox: _Inbox):  # noqa: F811
    links_page = _new_round(client, session)
    reply = _send(client, links_page, {"link": "all", "language": "en",
                                       "addresses": f"{FIRST}\nnot an address\n{SECOND}"})
    assert reply.status_code == 400
    assert "Line 2 is not an e-mail address" in reply.get_data(as_text=True)
    assert inbox.messages == []
    fresh(session)
    assert "invitations_emailed" not in session.scalars(audited_actions()).all()


def test_sends_are_capped_per_send_and_throttled_per_organiser(
        client: FlaskClient, session: Session, app: Flask, inbox: _Inbox):  # noqa: F811
    app.config.update(INVITATION_MAIL_MAX_ADDRESSES=3, INVITATION_MAIL_PER_USER=4)
    links_page = _new_round(client, session)
    many = "\n".join(f"p{n}@agency.example" for n in range(4))
    too_many = _send(client, links_page, {"link": "all", "language": "en", "addresses": many})
    assert too_many.status_code == 400
    assert "At most 3 addresses at a time" in too_many.get_data(as_text=True)
    three = "\n".join(f"p{n}@agency.example" for n in range(3))
    assert _send(client, links_page, {"link": "all", "language": "en",
                                      "addresses": three}).status_code == 302
    refused = _send(client, links_page, {"link": "all", "language": "en", "addresses": three})
    assert refused.status_code == 429
    assert len(inbox.messages) == 3
    assert re.search(r"sent many invitations", refused.get_data(as_text=True))


def test_a_refused_address_is_counted_in_the_log_without_the_address(
        client: FlaskClient, session: Session, inbox: _Inbox,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    async def refuse_second(server: Any, smtp: Any, envelope: Any, address: str,
                            options: Any) -> str:
        if address == SECOND:
            return "550 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    monkeypatch.setattr(inbox, "handle_RCPT", refuse_second, raising=False)
    links_page = _new_round(client, session)
    with caplog.at_level(logging.WARNING):
        reply = _send(client, links_page, {"link": "all", "language": "en",
                                           "addresses": f"{FIRST}\n{SECOND}"})
    assert reply.status_code == 302
    assert [m["To"] for m in inbox.messages] == [FIRST]
    assert "1 of 2 e-mails could not be sent" in caplog.text
    assert "police-zone" not in caplog.text
