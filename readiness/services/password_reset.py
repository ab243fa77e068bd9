"""Self-service password resets by e-mail, offered only where an e-mail server is configured.

A request names an e-mail address; whether or not an account has it, the answer is the same.
An active account with that address gets a link holding a random token: only its SHA-256 digest
is stored, it works once, for PASSWORD_RESET_MINUTES, and using it ends every session of the
account. Requests and resets are audited (never the address or the token).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from readiness.models import PasswordReset, User
from readiness.services import assessments as services
from readiness.services import sessions as user_sessions
from readiness.services.assessments import record_audit
from readiness.services.people import clean_email
from readiness.services.survey import MAX_TOKEN_LENGTH
from readiness.tokens import hash_token, new_token


def request_reset(db: Session, email: str, minutes: int,
                  now: datetime | None = None) -> list[tuple[User, str]]:
    """A new reset token, returned once, for each active account with this e-mail address
    (an address may serve more than one account); none when no account has it, which the
    caller must not reveal."""
    try:
        address = clean_email(email)
    except services.ServiceError:
        return []
    if address is None:
        return []
    now = now or datetime.now(UTC)
    found = []
    for user in db.scalars(select(User).where(User.email == address, User.active.is_(True))
                           .order_by(User.id)):
        token = new_token()
        db.add(PasswordReset(user_id=user.id, token_hash=hash_token(token), created_at=now,
                             expires_at=now + timedelta(minutes=minutes)))
        record_audit(db, user, "password_reset_requested", user)
        found.append((user, token))
    db.flush()
    return found


def find_reset(db: Session, token: str, now: datetime | None = None) -> PasswordReset | None:
    """The unused, unexpired reset of an active account that `token` opens, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    reset = db.scalar(select(PasswordReset).where(PasswordReset.token_hash == hash_token(token)))
    now = now or datetime.now(UTC)
    if reset is None or reset.used_at is not None or reset.expires_at <= now \
            or not reset.user.active:
        return None
    return reset


def complete_reset(db: Session, reset: PasswordReset, new_password: str, *,
                   password_method: str = "scrypt", now: datetime | None = None) -> User:
    """Set the new password: every reset link of the account stops working and every session
    ends (the caller signs nobody in)."""
    now = now or datetime.now(UTC)
    user = reset.user
    services.set_password(user, new_password, password_method)
    user.must_change_password = False
    db.execute(update(PasswordReset)
               .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
               .values(used_at=now).execution_options(synchronize_session="fetch"))
    user_sessions.end_all(db, user)
    record_audit(db, user, "password_reset_by_email", user)
    db.flush()
    return user
