"""Accounts managed from the browser: create, role, assignments, (de)activation and passwords.

Use cases over a session, free of Flask: they flush, never commit. Each change writes an
`AuditEvent` naming the admin (`user_id`), what they did (`action`) and the account's public id
(`object_id`), never a password. A refusal is a `UserRefused` whose `reason` the web layer turns
into a translated message.

Sessions and API tokens: a session is valid while its row exists (`services.sessions`), its user
is active and its stamp matches the password hash (`auth.current_user`); a token while its user
is active and it is not revoked (`services_national.user_for_token`). A new password and
deactivating delete the user's session rows, and deactivating revokes the tokens.
Reactivating issues a new one-time password, so that neither an old token nor an old session
comes back with the account.

Every change raises the account's `revision` (assignments, which live in another table, raise
it explicitly); the admins' forms carry the revision they were opened on, and
`check_revision` refuses a stale one with `EditConflict`, so a second save cannot silently undo
the first.
"""

from __future__ import annotations

import secrets
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload
from werkzeug.security import check_password_hash

from readiness.models import ApiToken, Municipality, Role, User
from readiness.services import assessments as services
from readiness.services import sessions as user_sessions
from readiness.services.assessments import (
    PASSWORD_MIN_LENGTH,
    EditConflict,
    ServiceError,
    lock,
    record_audit,
)
from readiness.services.national import NATIONAL_ROLES, create_api_token, revoke_api_token
from readiness.services.paging import Page, paginate
from readiness.services.people import public_name

ONE_TIME_PASSWORD_BYTES = 15  # 120 bits: 20 URL-safe characters
USERNAME_MAX = 64
USERS_PER_PAGE = 50


class Reason(StrEnum):
    """Why a use case refused; each has one message in the web layer."""

    USERNAME_LENGTH = "username_length"
    USERNAME_TAKEN = "username_taken"
    UNKNOWN_ROLE = "unknown_role"
    NEEDS_MUNICIPALITY = "needs_municipality"
    NOT_ADVISOR = "not_advisor"
    YOURSELF = "yourself"
    LAST_ADMIN = "last_admin"
    ALREADY_ACTIVE = "already_active"
    PASSWORD_TOO_SHORT = "password_too_short"
    PASSWORD_UNCHANGED = "password_unchanged"
    UNKNOWN_TOKEN = "unknown_token"
    NOT_A_TOKEN_HOLDER = "not_a_token_holder"


class UserRefused(ServiceError):
    """A use case on accounts refused, for `reason`."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def one_time_password() -> str:
    """A fresh random password to hand over once (20 URL-safe characters)."""
    return secrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)


# ---------------------------------------------------------------- reading


def list_users(db: Session, page: int = 1, search: str = "",
               per_page: int = USERS_PER_PAGE) -> Page[User]:
    """Users by username, `per_page` at a time, optionally those whose username, display name
    or organisation contains `search`."""
    text = search.strip()
    where = [User.username.contains(text.lower(), autoescape=True)
             | User.display_name.icontains(text, autoescape=True)
             | User.organisation.icontains(text, autoescape=True)] if text else []
    return paginate(db, select(User).where(*where).order_by(User.username)
                    .options(joinedload(User.municipality), selectinload(User.assigned)),
                    page, per_page)


def find_user(db: Session, public_id: str) -> User | None:
    """The user with this public id, or None."""
    return db.scalar(select(User).where(User.public_id == public_id))


def all_municipalities(db: Session) -> list[Municipality]:
    """Every municipality, by country and name: the choices of the account forms."""
    return list(db.scalars(select(Municipality).order_by(
        Municipality.country, Municipality.name, Municipality.region)))


# ---------------------------------------------------------------- checks


def _check_username(db: Session, username: str) -> str:
    username = username.strip().lower()
    if not username or len(username) > USERNAME_MAX:
        raise UserRefused(Reason.USERNAME_LENGTH,
                          f"a username needs 1 to {USERNAME_MAX} characters")
    if db.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserRefused(Reason.USERNAME_TAKEN, f"the username {username!r} is taken")
    return username


def _check_role(role: str, municipality: Municipality | None) -> None:
    if role not in set(Role):
        raise UserRefused(Reason.UNKNOWN_ROLE, f"unknown role {role!r}")
    if role == Role.MUNICIPALITY_COORDINATOR and municipality is None:
        raise UserRefused(Reason.NEEDS_MUNICIPALITY,
                          "a municipality coordinator needs a municipality")


def _not_yourself(actor: User, user: User) -> None:
    if actor.id == user.id:
        raise UserRefused(Reason.YOURSELF, "an admin cannot do this to their own account")


def _keep_an_admin(db: Session, user: User) -> None:
    """Refuse to take away the last active admin.

    The active admins' rows are locked first (PostgreSQL; SQLite serialises writers), so two
    admins removing each other at once cannot both succeed.
    """
    if user.role != Role.ADMIN or not user.active:
        return
    db.flush()
    admins = db.scalars(select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))
                        .with_for_update()).all()
    if len(admins) <= 1 and user.id in admins:
        raise UserRefused(Reason.LAST_ADMIN, "this is the last active admin")


def _revoke_tokens(db: Session, user: User) -> None:
    for public_id in db.scalars(select(ApiToken.public_id).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all():
        revoke_api_token(db, public_id)


def check_revision(db: Session, user: User, revision: int | None) -> None:
    """Refuse with `EditConflict` when the account changed since the page that asks for a change
    was opened at `revision` (None: not checked). The row is locked first (PostgreSQL), so two
    saves made from the same page cannot both pass."""
    if revision is None:
        return
    lock(db, user)
    if user.revision != revision:
        raise EditConflict("someone else changed this account since you opened it")


def _changed(user: User) -> None:
    """Raise the account's revision for a change that leaves its own row alone (assignments)."""
    user.revision = User.revision + 1


# ---------------------------------------------------------------- changes


def create_account(db: Session, actor: User, username: str, role: str,
                   municipality: Municipality | None = None, *,
                   password_method: str = "scrypt") -> tuple[User, str]:
    """A new account with a one-time password, returned once and stored only as a hash.

    A municipality coordinator needs their municipality; an advisor may get a first one.
    """
    username = _check_username(db, username)
    _check_role(role, municipality)
    password = one_time_password()
    user = services.create_user(db, username, password, role, municipality=municipality,
                                password_method=password_method)
    user.must_change_password = True
    record_audit(db, actor, "user_created", user)
    if role == Role.ADVISOR and municipality is not None:
        record_audit(db, actor, "advisor_assigned", user, municipality)
    db.flush()
    return user, password


def change_role(db: Session, actor: User, user: User, role: str,
                municipality: Municipality | None = None) -> None:
    """Give `user` another role (or, for a coordinator, another municipality).

    Leaving the advisor role removes their assignments; leaving the national roles revokes
    their API tokens; an admin cannot change their own role nor the last active admin's.
    """
    _check_role(role, municipality)
    _not_yourself(actor, user)
    own = municipality if role == Role.MUNICIPALITY_COORDINATOR else None
    if role != user.role or own != user.municipality:
        if user.role == Role.ADMIN and role != Role.ADMIN:
            _keep_an_admin(db, user)
        if user.role == Role.ADVISOR and role != Role.ADVISOR:
            user.assigned.clear()
        if user.role in NATIONAL_ROLES and role not in NATIONAL_ROLES:
            _revoke_tokens(db, user)
        user.role, user.municipality = role, own
        record_audit(db, actor, f"user_role_{role}", user, own)
    if role == Role.ADVISOR and municipality is not None:
        assign(db, actor, user, municipality)
    db.flush()


def assign(db: Session, actor: User, user: User, municipality: Municipality) -> None:
    """Let an advisor see and manage `municipality`."""
    if user.role != Role.ADVISOR:
        raise UserRefused(Reason.NOT_ADVISOR, "only advisors are assigned to municipalities")
    if municipality not in user.assigned:
        user.assigned.append(municipality)
        _changed(user)
        record_audit(db, actor, "advisor_assigned", user, municipality)
    db.flush()


def unassign(db: Session, actor: User, user: User, municipality: Municipality) -> None:
    """Take `municipality` away from an advisor."""
    if municipality in user.assigned:
        user.assigned.remove(municipality)
        _changed(user)
        record_audit(db, actor, "advisor_unassigned", user, municipality)
    db.flush()


def deactivate(db: Session, actor: User, user: User) -> None:
    """Stop an account: its sessions end and its API tokens are revoked.

    An admin cannot deactivate themselves, and the last active admin stays.
    """
    _not_yourself(actor, user)
    if not user.active:
        return
    _keep_an_admin(db, user)
    user.active = False
    _revoke_tokens(db, user)
    user_sessions.end_all(db, user)
    record_audit(db, actor, "user_deactivated", user)
    db.flush()


def reactivate(db: Session, actor: User, user: User, *,
               password_method: str = "scrypt") -> str:
    """Let a deactivated account sign in again, with a one-time password returned once.

    The new password also keeps any session from before the deactivation ended.
    """
    if user.active:
        raise UserRefused(Reason.ALREADY_ACTIVE, "this account is active")
    password = one_time_password()
    services.set_password(user, password, password_method)
    user.active = True
    user.must_change_password = True
    record_audit(db, actor, "user_reactivated", user)
    db.flush()
    return password


def reset_password(db: Session, actor: User, user: User, *,
                   password_method: str = "scrypt") -> str:
    """Replace another user's password by a one-time password returned once; ends sessions.

    Admins change their own password on the change-password page, which asks for the current one.
    """
    _not_yourself(actor, user)
    password = one_time_password()
    services.set_password(user, password, password_method)
    user.must_change_password = True
    user_sessions.end_all(db, user)
    record_audit(db, actor, "password_reset", user)
    db.flush()
    return password


def change_own_password(db: Session, user: User, new_password: str, *,
                        password_method: str = "scrypt") -> None:
    """Set the signed-in user's new password (the caller checked the current one)."""
    if len(new_password) < PASSWORD_MIN_LENGTH:
        raise UserRefused(Reason.PASSWORD_TOO_SHORT,
                          f"a password needs at least {PASSWORD_MIN_LENGTH} characters")
    if check_password_hash(user.password_hash, new_password):
        raise UserRefused(Reason.PASSWORD_UNCHANGED, "the new password is the current one")
    services.set_password(user, new_password, password_method)
    user.must_change_password = False
    user_sessions.end_all(db, user)  # the caller starts a new one for this browser
    record_audit(db, user, "password_changed", user)
    db.flush()


def delete_account(db: Session, actor: User, user: User) -> None:
    """Erase an account (a GDPR erasure request): its sessions, API tokens and assignments go
    with it; rounds it started stay (without its name), and the audit log keeps its username.

    An admin cannot delete themselves, and the last active admin stays.
    """
    _not_yourself(actor, user)
    _keep_an_admin(db, user)
    record_audit(db, actor, "user_deleted", user, detail=user.username)
    db.delete(user)
    db.flush()


def end_sessions(db: Session, actor: User, user: User) -> int:
    """End every session of `user` at once (an admin's "sign out everywhere"); how many."""
    ended = user_sessions.end_all(db, user)
    record_audit(db, actor, "sessions_ended", user)
    db.flush()
    return ended


def api_token_holders(db: Session) -> list[User]:
    """The active users who may hold an API token (admins and national coordinators)."""
    return list(db.scalars(select(User).where(User.active, User.role.in_(NATIONAL_ROLES))
                           .order_by(User.username)))


def issue_token(db: Session, actor: User, holder_public_id: str,
                name: str) -> tuple[ApiToken, str]:
    """A new API token for an active admin or national coordinator, returned once; audited."""
    holder = find_user(db, holder_public_id)
    if holder is None or not holder.active or holder.role not in NATIONAL_ROLES:
        raise UserRefused(Reason.NOT_A_TOKEN_HOLDER,
                          "only active admins and national coordinators may hold API tokens")
    token, secret = create_api_token(db, holder.username, name)
    record_audit(db, actor, "api_token_created", token)
    db.flush()
    return token, secret


def revoke_token(db: Session, actor: User, public_id: str) -> ApiToken:
    """Revoke an API token by its public id, noting who did."""
    token = db.scalar(select(ApiToken).where(ApiToken.public_id == public_id))
    if token is None:
        raise UserRefused(Reason.UNKNOWN_TOKEN, f"no API token {public_id!r}")
    if token.revoked_at is None:
        revoke_api_token(db, public_id)
        record_audit(db, actor, "api_token_revoked", token)
    db.flush()
    return token


def set_language(db: Session, user: User, language: str | None) -> None:
    """Remember the language a user reads pages and PDFs in (None: follow the browser)."""
    user.language = language
    db.flush()


def runner_name(user: User | None) -> str:
    """How an invitation pack names the person who runs a round (`people.public_name`: the
    display name, else the role in the reader's language, never the login)."""
    return public_name(user)
