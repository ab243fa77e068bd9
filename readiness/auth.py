"""Sign-in, roles and every access check, in one place.

Who sees what:
- admin: every municipality, and may manage all of them;
- national coordinator: reads every municipality, manages none;
- advisor (mobile team): reads and manages the municipalities assigned to them or created by them;
- municipality coordinator: reads and manages their own municipality only;
- tracked plan actions and share links follow their municipality: managers edit, viewers read;
  a share link's holder reads one round's results and the plan without an account;
- only admins open the Users area (accounts, roles, advisors' municipalities, API tokens).

Objects a user may not see answer 404, as if they did not exist; objects a user may see but not
change answer 403. Views load municipalities, assessments and invitations only through the
`load_*` functions here.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache, wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from readiness.db import SAFE_METHODS, get_db, get_session
from readiness.models import (
    Assessment,
    Invitation,
    LoginThrottle,
    Municipality,
    PlanAction,
    Role,
    ShareLink,
    User,
    UserSession,
    advisor_assignment,
)
from readiness.services import sessions as user_sessions
from readiness.tokens import is_public_id

F = TypeVar("F", bound=Callable[..., Any])


class Access(StrEnum):
    """What a user wants to do with a municipality's objects."""

    VIEW = "view"
    MANAGE = "manage"


# ---------------------------------------------------------------- passwords and sign-in


@cache
def _dummy_hash(method: str) -> str:
    """A hash to check against when the username is unknown, so both cases take as long."""
    return generate_password_hash("not a password", method=method)


def session_stamp(user: User) -> str:
    """A value bound to the password hash: changing the password ends existing sessions."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


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


# ---------------------------------------------------------------- roles and objects


def municipality_filter(user: User) -> ColumnElement[bool]:
    """A WHERE clause on Municipality selecting what `user` may see."""
    if user.role in (Role.ADMIN, Role.NATIONAL_COORDINATOR):
        return true()
    if user.role == Role.ADVISOR:
        assigned = select(advisor_assignment.c.municipality_id).where(
            advisor_assignment.c.user_id == user.id)
        return Municipality.id.in_(assigned)
    if user.role == Role.MUNICIPALITY_COORDINATOR and user.municipality_id is not None:
        return Municipality.id == user.municipality_id
    return Municipality.id.is_(None)


def can(user: User | None, access: Access, municipality: Municipality) -> bool:
    """May `user` view (or manage) `municipality` and everything in it?"""
    if user is None or not user.active:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.NATIONAL_COORDINATOR:
        return access == Access.VIEW
    if user.role == Role.ADVISOR:
        return any(m.id == municipality.id for m in user.assigned)
    if user.role == Role.MUNICIPALITY_COORDINATOR:
        return user.municipality_id == municipality.id
    return False


def can_delete_round(user: User | None, municipality: Municipality) -> bool:
    """May `user` delete a round of `municipality` for good? An admin, or the municipality's
    own coordinator (its rounds are its own data); advisors and national coordinators not."""
    if user is None or not user.active:
        return False
    return user.role == Role.ADMIN or (user.role == Role.MUNICIPALITY_COORDINATOR
                                       and user.municipality_id == municipality.id)


def can_delete_municipality(user: User | None) -> bool:
    """May `user` delete a municipality with all its rounds? Admins only."""
    return user is not None and user.active and user.role == Role.ADMIN


def can_create_municipality(user: User | None) -> bool:
    """Admins and advisors create municipalities; coordinators work in existing ones."""
    return user is not None and user.active and user.role in (Role.ADMIN, Role.ADVISOR)


def can_see_national(user: User | None, admin_only: bool = False) -> bool:
    """May `user` open the national dashboard, exports, API and PDF (admins only if asked)?"""
    if user is None or not user.active:
        return False
    return user.role == Role.ADMIN or (not admin_only and user.role == Role.NATIONAL_COORDINATOR)


def can_manage_users(user: User | None) -> bool:
    """May `user` open the Users area (accounts, roles, assignments, API tokens)? Admins only."""
    return user is not None and user.active and user.role == Role.ADMIN


def require_user_manager() -> User:
    """The signed-in user if they may manage users; 403 for any other role."""
    user = require_user()
    if not can_manage_users(user):
        abort(403)
    return user


def require_national(admin_only: bool = False) -> User:
    """The signed-in user if they may see national views; 403 for any other role."""
    user = require_user()
    if not can_see_national(user, admin_only):
        abort(403)
    return user


def _check(user: User, access: Access, municipality: Municipality) -> None:
    if not can(user, Access.VIEW, municipality):
        abort(404)
    if not can(user, access, municipality):
        abort(403)


M = TypeVar("M", Municipality, Assessment, Invitation, PlanAction, ShareLink)


def _find(model: type[M], public_id: str) -> M:
    """The object with this public id; 404 for ids no object can have or none has."""
    if not is_public_id(public_id):
        abort(404)  # before reaching the database
    found = get_session().scalar(select(model).where(model.public_id == public_id))
    if found is None:
        abort(404)
    return found


def load_municipality(public_id: str, access: Access = Access.VIEW) -> Municipality:
    """The municipality with this public id, if the current user may have it; else 404/403."""
    user = require_user()
    found = _find(Municipality, public_id)
    _check(user, access, found)
    return found


def load_assessment(public_id: str, access: Access = Access.VIEW) -> Assessment:
    """The assessment with this public id, if the current user may have it; else 404/403."""
    user = require_user()
    found = _find(Assessment, public_id)
    _check(user, access, found.municipality)
    return found


def load_invitation(public_id: str, access: Access = Access.MANAGE) -> Invitation:
    """The invitation with this public id, if the current user may have it; else 404/403."""
    user = require_user()
    found = _find(Invitation, public_id)
    _check(user, access, found.assessment.municipality)
    return found


def load_plan_action(public_id: str, access: Access = Access.MANAGE) -> PlanAction:
    """A tracked plan action of a municipality the current user may have; else 404/403.

    Municipality coordinators and their advisors (and admins) edit; national coordinators read.
    """
    user = require_user()
    found = _find(PlanAction, public_id)
    municipality = get_session().get(Municipality, found.municipality_id)
    if municipality is None:
        abort(404)
    _check(user, access, municipality)
    return found


def load_share_link(public_id: str, access: Access = Access.MANAGE) -> ShareLink:
    """A share link of a municipality the current user may manage; else 404/403."""
    user = require_user()
    found = _find(ShareLink, public_id)
    _check(user, access, found.assessment.municipality)
    return found


def init_app(app: Flask) -> None:
    """Give templates the signed-in user and the access check."""

    @app.context_processor
    def _user() -> dict[str, Any]:
        return {"current_user": current_user(), "can": can, "Access": Access,
                "can_create_municipality": can_create_municipality,
                "can_see_national": can_see_national, "can_manage_users": can_manage_users,
                "can_delete_round": can_delete_round,
                "can_delete_municipality": can_delete_municipality}
