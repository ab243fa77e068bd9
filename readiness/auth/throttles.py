"""Counters that hold back floods and guessing outside sign-in: survey starts, resume and join
codes, invitation e-mails and password-reset requests."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy.orm import Session

from readiness.models import LoginThrottle, User


def _survey_counter(db: Session, kind: str, value: str, now: datetime,
                    window_key: str = "SURVEY_START_WINDOW_SECONDS") -> LoginThrottle:
    """A counter of the survey (and password-reset) throttles, in the sign-in throttle's table
    under its own hashed key, emptied once the window `window_key` passed since it started."""
    config = current_app.config
    secret = config["SECRET_KEY"].encode()
    key = hmac.new(secret, f"{kind}\0{value}".encode(), hashlib.sha256).hexdigest()
    window = timedelta(seconds=config[window_key])
    row = db.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, window_start=now)
        db.add(row)
    elif now - row.window_start > window:
        row.failures, row.window_start, row.locked_until = 0, now, None
    return row


def survey_start_allowed(db: Session, address: str, now: datetime | None = None) -> bool:
    """Count a survey start from `address`; False once it made SURVEY_STARTS_PER_ADDRESS
    starts within SURVEY_START_WINDOW_SECONDS (so a link holder cannot pad an agency with
    responses by the hundred). Shares the sign-in throttle's table, under its own key."""
    row = _survey_counter(db, "survey-start", address, now or datetime.now(UTC))
    if row.failures >= current_app.config["SURVEY_STARTS_PER_ADDRESS"]:
        return False
    row.failures += 1
    db.flush()
    return True


def _resume_counters(db: Session, address: str, link: str,
                     now: datetime | None) -> tuple[LoginThrottle, LoginThrottle]:
    moment = now or datetime.now(UTC)
    return (_survey_counter(db, "survey-resume", address, moment),
            _survey_counter(db, "survey-resume-link", link, moment))


def survey_resume_allowed(db: Session, address: str, link: str,
                          now: datetime | None = None) -> bool:
    """Whether a resume code may be tried from `address` on the link `link` (a public id): not
    once the address made SURVEY_RESUME_FAILURES_PER_ADDRESS wrong tries, or the link took
    SURVEY_RESUME_FAILURES_PER_LINK, within SURVEY_START_WINDOW_SECONDS."""
    config = current_app.config
    by_address, by_link = _resume_counters(db, address, link, now)
    db.flush()
    return (by_address.failures < config["SURVEY_RESUME_FAILURES_PER_ADDRESS"]
            and by_link.failures < config["SURVEY_RESUME_FAILURES_PER_LINK"])


def count_resume_failure(db: Session, address: str, link: str,
                         now: datetime | None = None) -> None:
    """Count a wrong resume code against the address and the link (the caller keeps the
    writes of its error answer)."""
    for row in _resume_counters(db, address, link, now):
        row.failures += 1
    db.flush()


def join_code_allowed(db: Session, address: str, now: datetime | None = None) -> bool:
    """Whether a join code may be tried from `address`: not once it typed
    JOIN_CODE_FAILURES_PER_ADDRESS wrong codes within SURVEY_START_WINDOW_SECONDS."""
    row = _survey_counter(db, "join-code", address, now or datetime.now(UTC))
    db.flush()
    return row.failures < current_app.config["JOIN_CODE_FAILURES_PER_ADDRESS"]


def count_join_failure(db: Session, address: str, now: datetime | None = None) -> None:
    """Count a wrong join code against the address (the caller keeps its error answer's
    writes)."""
    _survey_counter(db, "join-code", address, now or datetime.now(UTC)).failures += 1
    db.flush()


def invitation_mail_allowed(db: Session, user: User, messages: int,
                            now: datetime | None = None) -> bool:
    """Count `messages` invitation e-mails sent by `user`; False (counting nothing) when they
    would pass INVITATION_MAIL_PER_USER within INVITATION_MAIL_WINDOW_SECONDS."""
    row = _survey_counter(db, "invitation-mail", str(user.id), now or datetime.now(UTC),
                          "INVITATION_MAIL_WINDOW_SECONDS")
    if row.failures + messages > current_app.config["INVITATION_MAIL_PER_USER"]:
        db.flush()
        return False
    row.failures += messages
    db.flush()
    return True


def password_reset_allowed(db: Session, address: str, email: str,
                           now: datetime | None = None) -> bool:
    """Count a password-reset request from `address` for the typed `email`; False once the
    address made PASSWORD_RESET_REQUESTS_PER_ADDRESS, or that e-mail address took
    PASSWORD_RESET_REQUESTS_PER_ACCOUNT, within PASSWORD_RESET_WINDOW_SECONDS. Counted alike
    whether or not an account has the address."""
    config = current_app.config
    moment = now or datetime.now(UTC)
    rows = [(_survey_counter(db, kind, value, moment, "PASSWORD_RESET_WINDOW_SECONDS"), limit)
            for kind, value, limit in (
                ("password-reset", address, config["PASSWORD_RESET_REQUESTS_PER_ADDRESS"]),
                ("password-reset-email", email.strip().lower(),
                 config["PASSWORD_RESET_REQUESTS_PER_ACCOUNT"]))]
    if any(row.failures >= limit for row, limit in rows):
        db.flush()
        return False
    for row, _limit in rows:
        row.failures += 1
    db.flush()
    return True

