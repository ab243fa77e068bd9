"""Self-service password reset, only where an e-mail server is configured: a local SMTP server
(aiosmtpd on 127.0.0.1) receives the link; tokens are hashed, single-use, expiring and
throttled, the answer never tells whether an account exists, and a reset ends every session."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.models import AuditEvent, PasswordReset, Role, User
from readiness.services import password_reset, people
from readiness.services.mailer import THREAD_NAME, MailError, MailSettings, send
from tests.web_helpers import PASSWORD, csrf_from, fresh, login, make_user, post_form

NEW_PASSWORD = "a brand new passphrase"
_LINK = re.compile(r"(http://[^\s]+/account/reset/[A-Za-z0-9_-]+)")


class _Inbox:
    """What the local SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Keep the message."""
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox(app: Flask) -> Iterator[_Inbox]:
    """A local SMTP server the app sends to."""
    from aiosmtpd.controller import Controller

    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                      MAIL_FROM="maw@example.gov")
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def ada(session: Session) -> User:
    """An advisor with an e-mail address."""
    user = make_user(session, "ada", Role.ADVISOR)
    people.update_profile(session, user, user, "Ada", "", "ada@example.org")
    session.commit()
    return user


def _ask(client: FlaskClient, email: str) -> Any:
    """Ask for a reset link; returns once any message it sent has reached the inbox."""
    reply = post_form(client, "/account/forgot", {"email": email})
    for thread in threading.enumerate():
        if thread.name == THREAD_NAME:
            thread.join(timeout=30)
    return reply


def _link(inbox: _Inbox) -> str:
    body = inbox.messages[-1].get_payload(decode=True).decode()
    found = _LINK.search(body)
    assert found, body
    return urlsplit(found.group(1)).path


def test_without_an_email_server_the_reset_is_hidden_and_its_pages_404(
        client: FlaskClient, ada: User):
    assert "Forgotten your password?" not in client.get("/login").get_data(as_text=True)
    assert client.get("/account/forgot").status_code == 404
    assert post_form(client, "/login", {"email": "ada@example.org"},
                     to="/account/forgot").status_code == 404
    assert client.get("/account/reset/anything").status_code == 404


def test_a_reset_link_arrives_by_mail_and_sets_a_new_password_once_ending_every_session(
        app: Flask, client: FlaskClient, session: Session, inbox: _Inbox, ada: User):
    elsewhere = app.test_client()
    login(elsewhere, "ada")
    assert "Forgotten your password?" in client.get("/login").get_data(as_text=True)
    reply = _ask(client, "ADA@example.org")
    assert reply.status_code == 200
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == "ada@example.org"
    link = _link(inbox)
    token = link.rsplit("/", 1)[1]
    fresh(session)
    stored = session.scalar(select(PasswordReset))
    assert stored is not None
    assert stored.token_hash != token
    assert stored.expires_at - stored.created_at == timedelta(minutes=30)
    assert "ada" in client.get(link).get_data(as_text=True)
    done = post_form(client, link, {"new_password": NEW_PASSWORD,
                                    "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.headers["Location"] == "/login"
    assert elsewhere.get("/").status_code == 302  # the other session ended
    assert client.get(link).status_code == 410  # single use
    login(client, "ada", NEW_PASSWORD)
    fresh(session)
    actions = list(session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("password_reset%")).order_by(AuditEvent.id)))
    assert actions == ["password_reset_requested", "password_reset_by_email"]


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
        client: FlaskClient, inbox: _Inbox, ada: User):
    def panel(html: str) -> str:
        return re.sub(r"\s+", " ", html.split('role="status"', 1)[1].split("</div>", 1)[0])

    known = _ask(client, "ada@example.org")
    unknown = _ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert panel(known.get_data(as_text=True)) == panel(unknown.get_data(as_text=True))
    assert len(inbox.messages) == 1


def test_two_accounts_sharing_an_address_each_get_their_own_link(
        client: FlaskClient, session: Session, inbox: _Inbox, ada: User):
    bea = make_user(session, "bea", Role.ADVISOR)
    people.update_profile(session, bea, bea, "", "", "ada@example.org")
    session.commit()
    _ask(client, "ada@example.org")
    bodies = sorted(m.get_payload(decode=True).decode() for m in inbox.messages)
    assert len(bodies) == 2
    assert "account ada" in bodies[0]
    assert "account bea" in bodies[1]


def test_a_deactivated_account_gets_no_link(
        client: FlaskClient, session: Session, inbox: _Inbox, ada: User):
    ada.active = False
    session.commit()
    assert _ask(client, "ada@example.org").status_code == 200
    assert inbox.messages == []


def test_an_expired_link_no_longer_works(
        client: FlaskClient, session: Session, inbox: _Inbox, ada: User):
    [(_, token)] = password_reset.request_reset(session, "ada@example.org", 30,
                                                now=datetime.now(UTC) - timedelta(minutes=31))
    session.commit()
    reply = client.get(f"/account/reset/{token}")
    assert reply.status_code == 410
    assert "no longer works" in reply.get_data(as_text=True)


def test_requests_are_throttled_per_email_address_whether_or_not_an_account_has_it(
        app: Flask, client: FlaskClient, inbox: _Inbox, ada: User):
    app.config["PASSWORD_RESET_REQUESTS_PER_ACCOUNT"] = 2
    for email in ("ada@example.org", "nobody@example.org"):
        assert _ask(client, email).status_code == 200
        assert _ask(client, email).status_code == 200
        assert _ask(client, email).status_code == 429
    assert len(inbox.messages) == 2


def test_requests_are_throttled_per_address(
        app: Flask, client: FlaskClient, inbox: _Inbox, ada: User):
    app.config["PASSWORD_RESET_REQUESTS_PER_ADDRESS"] = 2
    _ask(client, "one@example.org")
    _ask(client, "two@example.org")
    assert _ask(client, "ada@example.org").status_code == 429
    assert inbox.messages == []


def test_a_mismatched_new_password_changes_nothing(
        client: FlaskClient, session: Session, inbox: _Inbox, ada: User):
    _ask(client, "ada@example.org")
    link = _link(inbox)
    reply = post_form(client, link, {"new_password": NEW_PASSWORD,
                                     "confirm_password": "something else entirely"})
    assert reply.status_code == 400
    login(client, "ada", PASSWORD)  # the old password still works
    assert client.get(link).status_code == 200  # and the link too


def test_an_unreachable_mail_server_is_a_mail_error():
    settings = MailSettings(server="127.0.0.1", port=_free_port(), use_tls=False, username=None,
                            password=None, sender="maw@example.gov")
    with pytest.raises(MailError):
        send(settings, "ada@example.org", "Subject", "Body")


def test_the_request_form_checks_its_csrf_token(client: FlaskClient, inbox: _Inbox, ada: User):
    reply = client.post("/account/forgot", data={"email": "ada@example.org"})
    assert reply.status_code == 400
    assert inbox.messages == []
    assert csrf_from(client.get("/account/forgot").get_data(as_text=True))
