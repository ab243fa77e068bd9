"""The people who sign in, and the municipalities assigned to advisors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from readiness.models.base import Base, _check_in, _utcnow
from readiness.models.rounds import Municipality
from readiness.tokens import new_public_id
from readiness.vocabulary import Role

advisor_assignment = Table(
    "advisor_assignment",
    Base.metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipality.id", ondelete="CASCADE"),
           primary_key=True),
)



class User(Base):
    """A person who signs in: admin, national coordinator, advisor or municipality coordinator."""

    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint(_check_in("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # set while the password is a one-time password an admin handed over: until the user
    # chooses their own, every page sends them to the change-password page
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # the language the user reads the pages and PDFs in; None: the browser's
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    # how the person is named on PDF covers and in lists (the username where blank)
    display_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    organisation: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # only for a self-service password reset, where an e-mail server is configured
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    # +1 on every change an admin makes (role, activation, assignments): the users' edit forms
    # carry it, so a second, stale save is refused as a conflict instead of undoing the first
    revision: Mapped[int] = mapped_column(default=1, server_default="1",
                                          onupdate=text("revision + 1"))

    municipality: Mapped[Municipality | None] = relationship(foreign_keys=[municipality_id])
    assigned: Mapped[list[Municipality]] = relationship(secondary=advisor_assignment)

