"""A small mailer over smtplib, for the few messages the app sends (password resets, invitation
links an organiser sends to the addresses they type).

Configured by the MAIL_* settings; with no MAIL_SERVER there is no mailer, and the features that
need one are hidden (their routes answer 404). Messages are plain text. `send_later` sends from
a thread of its own, so the page answers as fast whether or not a message goes out (a request
that sends mail must not be told apart by its time from one that does not).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from readiness.services.assessments import ServiceError
from readiness.translate import lazy_gettext as _l

TIMEOUT_SECONDS = 10
THREAD_NAME = "readiness-mail"
log = logging.getLogger(__name__)


class MailError(ServiceError):
    """The mail server could not be reached or refused the message."""


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send: the MAIL_* settings."""

    server: str
    port: int
    use_tls: bool
    username: str | None
    password: str | None
    sender: str


def mail_settings(config: Mapping[str, Any]) -> MailSettings | None:
    """The mailer's settings, or None where no e-mail server is configured."""
    server = str(config.get("MAIL_SERVER") or "").strip()
    if not server:
        return None
    return MailSettings(server=server, port=int(config.get("MAIL_PORT") or 25),
                        use_tls=bool(config.get("MAIL_USE_TLS")),
                        username=config.get("MAIL_USERNAME") or None,
                        password=config.get("MAIL_PASSWORD") or None,
                        sender=str(config.get("MAIL_FROM") or f"readiness@{server}"))


def send(settings: MailSettings, to: str, subject: str, body: str) -> None:
    """Send one plain-text message; MailError if the server fails."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.server, settings.port, timeout=TIMEOUT_SECONDS) as smtp:
            if settings.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as failed:
        raise MailError(_l("The e-mail could not be sent: %(reason)s",
                           reason=type(failed).__name__)) from failed


def _send_logged(settings: MailSettings, to: str, subject: str, body: str) -> None:
    try:
        send(settings, to, subject, body)
    except MailError:
        log.warning("an e-mail could not be sent", exc_info=True)


def send_later(settings: MailSettings, to: str, subject: str, body: str) -> threading.Thread:
    """Send one message from a background thread (named THREAD_NAME); failures are logged."""
    thread = threading.Thread(target=_send_logged, args=(settings, to, subject, body),
                              name=THREAD_NAME, daemon=True)
    thread.start()
    return thread


def _send_all_logged(settings: MailSettings, messages: Sequence[tuple[str, str, str]]) -> None:
    """Send each message; log only how many failed and why in a word, never an address (an
    SMTP error names the recipient it refused)."""
    failed: list[str] = []
    for to, subject, body in messages:
        try:
            send(settings, to, subject, body)
        except MailError as error:
            failed.append(type(error.__cause__).__name__)
    if failed:
        log.warning("%d of %d e-mails could not be sent (%s)", len(failed), len(messages),
                    ", ".join(sorted(set(failed))))


def send_all_later(settings: MailSettings,
                   messages: Sequence[tuple[str, str, str]]) -> threading.Thread:
    """Send (to, subject, body) messages one by one, each to its own address only, from one
    background thread (named THREAD_NAME); failures are counted in the log, without the
    addresses, which live only in that thread's memory."""
    thread = threading.Thread(target=_send_all_logged, args=(settings, list(messages)),
                              name=THREAD_NAME, daemon=True)
    thread.start()
    return thread
