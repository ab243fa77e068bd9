"""Failure counters of the sign-in, survey, join-code, e-mail and password-reset throttles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from readiness.models.base import Base, _utcnow


class LoginThrottle(Base):
    """Failed sign-ins counted per hashed key within a window, with a lockout time."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(default=_utcnow)
    locked_until: Mapped[datetime | None]

