"""Signed-in browsers kept server-side: start, find, list and end them.

The browser's cookie holds a random key; the table holds only its SHA-256 digest, so a copy of
the table opens no session. Deleting a row ends that session at once, whatever the cookie says.
Use cases over a session, free of Flask: they flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from readiness.models import User, UserSession

SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is written no more often than this
USER_AGENT_MAX = 160


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(db: Session, user: User, *, now: datetime, lifetime: timedelta,
          user_agent: str = "") -> tuple[UserSession, str]:
    """A new session for `user` and the key its cookie holds (shown to nobody else)."""
    key = secrets.token_urlsafe(32)
    row = UserSession(key_hash=_digest(key), user_id=user.id, created_at=now, last_seen_at=now,
                      expires_at=now + lifetime, user_agent=user_agent[:USER_AGENT_MAX])
    db.add(row)
    db.flush()
    return row, key


def find(db: Session, key: str, now: datetime) -> UserSession | None:
    """The unexpired session whose cookie holds `key`, or None."""
    row = db.scalar(select(UserSession).where(UserSession.key_hash == _digest(key)))
    if row is None or row.expires_at <= now:
        return None
    return row


def seen(db: Session, session_id: int, now: datetime) -> None:
    """Record that a session was used now."""
    db.execute(update(UserSession).where(UserSession.id == session_id)
               .values(last_seen_at=now))


def of_user(db: Session, user: User, now: datetime) -> list[UserSession]:
    """A user's unexpired sessions, the most recently used first."""
    return list(db.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def end(db: Session, row: UserSession) -> None:
    """End one session."""
    db.delete(row)
    db.flush()


def end_one_of(db: Session, user: User, public_id: str) -> bool:
    """End the session `public_id` if it is `user`'s; whether there was one to end."""
    ended = db.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.public_id == public_id))
    return bool(getattr(ended, "rowcount", 0))


def end_all(db: Session, user: User, keep: UserSession | None = None) -> int:
    """End every session of `user` (but `keep`, if given); how many ended."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    ended = db.execute(query.execution_options(synchronize_session="fetch"))
    return int(getattr(ended, "rowcount", 0))


def purge_expired(db: Session, now: datetime) -> int:
    """Delete the sessions past their end; how many."""
    ended = db.execute(delete(UserSession).where(UserSession.expires_at <= now))
    return int(getattr(ended, "rowcount", 0))
