"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from readiness.models.base import Base, _utcnow


class AuditEvent(Base):
    """Who did, viewed or exported what, when and from where; never the content itself.

    Append-only: written only by `services.audit.record`; a database trigger refuses updates
    of everything but the two references (set to NULL when a user or municipality is erased,
    while `actor` keeps the name); rows go only when the log's own retention period ends.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=_utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(80), default="", server_default="")
    source: Mapped[str] = mapped_column(String(8), default="web", server_default="web")
    address: Mapped[str] = mapped_column(String(64), default="", server_default="")
    detail: Mapped[str] = mapped_column(String(200), default="", server_default="")

