"""Signed-in sessions: starting and ending them, the current user, and the sign-in guard."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import abort, current_app, g, has_request_context, redirect, request, session, url_for

from readiness.db import SAFE_METHODS, get_db, get_session
from readiness.models import User, UserSession
from readiness.services import sessions as user_sessions

F = TypeVar("F", bound=Callable[..., Any])



def session_stamp(user: User) -> str:
    """A value bound to the password hash: changing the password ends existing sessions."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]



def login_user(user: User) -> None:
    """Start a fresh signed-in session for `user`: a row in the sessions table whose random key
    only the cookie holds (the caller commits)."""
    session.clear()
    session.permanent = True
    now = datetime.now(UTC)
    user_sessions.purge_expired(get_session(), now)  # the table keeps live sessions only
    row, key = user_sessions.start(
        get_session(), user, now=now,
        lifetime=current_app.permanent_session_lifetime,
        user_agent=request.headers.get("User-Agent", "") if has_request_context() else "")
    session["sid"] = key
    session["stamp"] = session_stamp(user)
    g.user = user
    g.user_session = row


def logout_user() -> None:
    """End the session: its row is deleted, so a copy of the cookie opens nothing (the caller
    commits)."""
    row = current_session()
    if row is not None:
        user_sessions.end(get_session(), row)
    session.clear()
    g.user = None
    g.user_session = None


def current_session() -> UserSession | None:
    """The sessions-table row of this request's signed-in browser, or None."""
    current_user()
    return cast(UserSession | None, g.get("user_session"))


def current_user() -> User | None:
    """The signed-in, active user of this request, or None."""
    if "user" not in g:
        user, row = None, None
        key = session.get("sid")
        if isinstance(key, str):
            now = datetime.now(UTC)
            row = user_sessions.find(get_session(), key, now)
            found = row.user if row is not None else None
            if found and found.active and session.get("stamp") == session_stamp(found):
                user = found
                _note_seen(row, now)
            else:
                row = None
        g.user, g.user_session = user, row
    return cast(User | None, g.user)


def _note_seen(row: UserSession | None, now: datetime) -> None:
    """Record when a session was last used, at most every few minutes, on its own short
    transaction (never the request's)."""
    if row is None or now - row.last_seen_at < user_sessions.SEEN_EVERY:
        return
    if has_request_context() and request.method not in SAFE_METHODS:
        return  # this request holds the write lock; its own commit is enough
    with get_db().write_session() as db:
        user_sessions.seen(db, row.id, now)


def safe_next(target: str | None) -> str | None:
    """A redirect target only if it stays on this site (a path, no scheme or host)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


# what a user holding a one-time password may still open: choosing their own, and leaving
PASSWORD_CHANGE_ENDPOINTS = frozenset({"account.change_password", "auth.logout"})


def login_required(view: F) -> F:
    """Send anonymous visitors to the sign-in page, then back; a user still holding a
    one-time password to the change-password page first."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("account.change_password"))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def require_user() -> User:
    """The signed-in user (views are wrapped in `login_required`, so one exists)."""
    user = current_user()
    if user is None:
        abort(401)
    return user

