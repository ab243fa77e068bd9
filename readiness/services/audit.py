"""The one writer and reader of the audit log: every security- and data-relevant event.

`record` is the only code that adds an `AuditEvent`. Where an event comes from (web, api, cli)
and the client's address are set once per request or command with `context`, so use cases
need not pass them. Events name objects by public id and say nothing of their content (no
answers, comments or passwords). The log keeps `AUDIT_RETENTION_DAYS`; `purge` removes older
events, and says so in the log. Flask-free: flush, never commit.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from readiness.models import AuditEvent, Municipality, User

_SOURCE: ContextVar[str] = ContextVar("audit_source", default="web")
_ADDRESS: ContextVar[str] = ContextVar("audit_address", default="")


def set_context(source: str, address: str = "") -> None:
    """Where the events of this request or command come from (web, api, cli) and the address."""
    _SOURCE.set(source[:8])
    _ADDRESS.set(address[:64])


@contextmanager
def context(source: str, address: str = "") -> Iterator[None]:
    """Events recorded inside come from `source` (and `address`)."""
    tokens = (_SOURCE.set(source[:8]), _ADDRESS.set(address[:64]))
    try:
        yield
    finally:
        _SOURCE.reset(tokens[0])
        _ADDRESS.reset(tokens[1])


def _actor_name(actor: User | None) -> str:
    if actor is not None:
        return actor.username
    return f"cli:{getpass.getuser()}" if _SOURCE.get() == "cli" else ""


def record(db: Session, actor: User | None, action: str, *, object_type: str = "",
           object_id: str = "", municipality: Municipality | None = None,
           detail: str = "") -> AuditEvent:
    """Add one event: `actor` did `action` to an object (type and public id)."""
    event = AuditEvent(user_id=actor.id if actor else None, actor=_actor_name(actor)[:80],
                       action=action[:64], object_type=object_type[:64],
                       object_id=object_id[:64],
                       municipality_id=municipality.id if municipality else None,
                       source=_SOURCE.get(), address=_ADDRESS.get(), detail=detail[:200])
    db.add(event)
    return event


def record_object(db: Session, actor: User | None, action: str, obj: Any,
                  municipality: Municipality | None = None, detail: str = "") -> AuditEvent:
    """Add one event about a model object, named by its class and public id."""
    return record(db, actor, action, object_type=type(obj).__name__.lower(),
                  object_id=str(getattr(obj, "public_id", "")), municipality=municipality,
                  detail=detail)


@dataclass(frozen=True)
class Filters:
    """What the audit viewer, export and CLI select: each None selects all."""

    since: datetime | None = None
    until: datetime | None = None
    action: str | None = None
    actor: str | None = None
    object_id: str | None = None


def query(filters: Filters) -> Select[Any]:
    """The events matching `filters`, newest first."""
    statement = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if filters.since is not None:
        statement = statement.where(AuditEvent.at >= filters.since)
    if filters.until is not None:
        statement = statement.where(AuditEvent.at < filters.until)
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.actor:
        statement = statement.where(AuditEvent.actor == filters.actor.strip().lower())
    if filters.object_id:
        statement = statement.where(AuditEvent.object_id == filters.object_id.strip())
    return statement


def actions(db: Session) -> list[str]:
    """Every action in the log, for the viewer's filter."""
    return sorted(db.scalars(select(AuditEvent.action).distinct()))


COLUMNS = ("at", "actor", "source", "address", "action", "object_type", "object_id",
           "municipality", "detail")


def as_row(event: AuditEvent, municipalities: dict[int, str]) -> dict[str, str]:
    """One event as text cells (the municipality by public id), for CSV and JSON."""
    return {"at": event.at.isoformat(timespec="seconds"), "actor": event.actor,
            "source": event.source, "address": event.address, "action": event.action,
            "object_type": event.object_type, "object_id": event.object_id,
            "municipality": municipalities.get(event.municipality_id or 0, ""),
            "detail": event.detail}


def municipality_ids(db: Session) -> dict[int, str]:
    """{municipality id: public id}, to name municipalities in exported rows."""
    return {row.id: row.public_id
            for row in db.execute(select(Municipality.id, Municipality.public_id))}


def purge(db: Session, before: datetime) -> int:
    """Delete the events older than `before` (the log's retention); recorded as an event."""
    removed = db.execute(delete(AuditEvent).where(AuditEvent.at < before))
    count = int(getattr(removed, "rowcount", 0))
    record(db, None, "audit_purged", detail=f"{count} events before {before.date()}")
    db.flush()
    return count
