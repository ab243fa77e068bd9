"""Checking a username and password, held back by failure counters per account, address and
browser."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from readiness.models import LoginThrottle, User


@cache
def _dummy_hash(method: str) -> str:
    """A hash to check against when the username is unknown, so both cases take as long."""
    return generate_password_hash("not a password", method=method)



@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: a user, or why not (and until when, if locked)."""

    user: User | None
    locked: bool = False
    retry_at: datetime | None = None


def _digest(kind: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{kind}\0{value}".encode(), hashlib.sha256).hexdigest()


def _counter(db: Session, key: str, now: datetime, window: timedelta) -> LoginThrottle:
    """The failure counter under `key`, emptied once a window has passed since its last failure
    (`window_start` holds the time of the latest failure, so the window slides)."""
    row = db.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, window_start=now)
        db.add(row)
    elif now - row.window_start > window and not (row.locked_until and row.locked_until > now):
        row.failures, row.window_start, row.locked_until = 0, now, None
    return row


def _locked_until(row: LoginThrottle, now: datetime) -> datetime | None:
    return row.locked_until if row.locked_until and row.locked_until > now else None


def _refusal(account: LoginThrottle, address: LoginThrottle, device: LoginThrottle | None,
             now: datetime, window: timedelta) -> datetime | None:
    """Until when this attempt is refused without checking the password, or None.

    A browser that signed in to the account before (`device`) answers only for its own failures.
    Otherwise the account's back-off applies from every address; and an address past its own
    limit may still try accounts that have no recent failures, so a busy proxy's users still
    sign in while a guesser there is held back.
    """
    if device is not None:
        return _locked_until(device, now)
    limit = current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    busy = address.failures >= limit and account.failures > 0
    return _locked_until(account, now) or (account.window_start + window if busy else None)


def _count_failure(account: LoginThrottle, address: LoginThrottle, device: LoginThrottle | None,
                   now: datetime, window: timedelta) -> datetime | None:
    """Add a failure to each counter; the account's back-off doubles from the limit on."""
    config = current_app.config
    limit = config["LOGIN_MAX_FAILURES"]
    for row in (account, address, device):
        if row is not None:
            row.failures += 1
            row.window_start = now
    if account.failures >= limit:
        doubling = min(account.failures - limit, 20)
        delay = min(config["LOGIN_BACKOFF_SECONDS"] * 2 ** doubling, window.total_seconds())
        account.locked_until = now + timedelta(seconds=delay)
    if device is not None and device.failures >= limit:
        device.locked_until = now + window
    return device.locked_until if device is not None else account.locked_until


def authenticate(db: Session, username: str, password: str, address: str,
                 now: datetime | None = None, device: str | None = None) -> SignIn:
    """Check a username and password against failure counters per account (across addresses,
    with back-off), per address, and per browser that signed in to this account before.

    A refused attempt checks no password and counts nothing; a wrong one counts everywhere.
    """
    now = now or datetime.now(UTC)
    username = username.strip().lower()
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    account = _counter(db, _digest("account", username), now, window)
    address_row = _counter(db, _digest("address", address), now, window)
    device_row = _counter(db, _digest("device", device), now, window) if device else None
    retry_at = _refusal(account, address_row, device_row, now, window)
    if retry_at is not None:
        db.flush()
        return SignIn(None, locked=True, retry_at=retry_at)
    user = db.scalar(select(User).where(User.username == username))
    valid = check_password_hash(
        user.password_hash if user else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]),
        password)
    if user is not None and valid and user.active:
        # through a known browser only its own count clears: a guesser may still be at work
        row = device_row if device_row is not None else account
        row.failures, row.locked_until = 0, None
        db.flush()
        return SignIn(user)
    locked = _count_failure(account, address_row, device_row, now, window)
    db.flush()
    return SignIn(None, locked=locked is not None and locked > now, retry_at=locked)

