"""A municipality's tracked plan (actions and their history) and read-only share links."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from readiness.models.base import Base, _check_in, _utcnow
from readiness.models.people import User
from readiness.models.rounds import Assessment
from readiness.tokens import new_public_id
from readiness.vocabulary import ActionStatus


class PlanAction(Base):
    """A roadmap action the municipality tracks from one round to the next."""

    __tablename__ = "plan_action"
    __table_args__ = (CheckConstraint(_check_in("status", ActionStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    # the round that proposed it; NULL once that round is deleted (the action stays in the plan)
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    dimension: Mapped[str | None] = mapped_column(String(64))
    family: Mapped[str | None] = mapped_column(String(64))
    phase: Mapped[int | None]
    due_on: Mapped[date | None] = mapped_column(Date)
    lead: Mapped[str] = mapped_column(String(64), default="")
    partners: Mapped[list[str]] = mapped_column(default=list)
    contact_role: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.PLANNED)
    drop_reason: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(String(2000), default="")
    links: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=_utcnow)

    assessment: Mapped[Assessment | None] = relationship()
    events: Mapped[list[PlanEvent]] = relationship(
        back_populates="plan_action", order_by="PlanEvent.id", cascade="all, delete-orphan",
        passive_deletes=True)


class PlanEvent(Base):
    """One change to a tracked action: who, when, which field, from what to what."""

    __tablename__ = "plan_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_action_id: Mapped[int] = mapped_column(
        ForeignKey("plan_action.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=_utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(String(32))
    before: Mapped[str] = mapped_column(String(2000), default="")
    after: Mapped[str] = mapped_column(String(2000), default="")

    plan_action: Mapped[PlanAction] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class ShareLink(Base):
    """A read-only link to a closed round's results and the plan; only the token's hash is kept."""

    __tablename__ = "share_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    assessment: Mapped[Assessment] = relationship()

