"""Municipalities and their assessment rounds: invitations, responses, scores, results and
findings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from readiness.models.base import Base, _check_in, _utcnow, day_stamp
from readiness.tokens import new_public_id
from readiness.vocabulary import POPULATION_BANDS, InvitationState, Mode, ResponseStatus, Status


class Municipality(Base):
    """A municipality whose readiness is assessed."""

    __tablename__ = "municipality"
    __table_args__ = (
        UniqueConstraint("country", "region", "name", name="uq_municipality_country_region_name"),
        CheckConstraint(_check_in("population_band", POPULATION_BANDS), name="population_band"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(120), default="")
    population_band: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    # +1 on every update (ORM or Core), so the national views' fingerprint sees any edit
    revision: Mapped[int] = mapped_column(default=1, server_default="1",
                                          onupdate=text("revision + 1"))

    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="municipality", order_by="Assessment.round")


class Assessment(Base):
    """One round of assessing a municipality, on a fixed questionnaire version."""

    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("municipality_id", "round", name="uq_assessment_municipality_round"),
        CheckConstraint(_check_in("mode", Mode), name="mode"),
        CheckConstraint(_check_in("status", Status), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    conducted_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(16), default=Mode.SURVEY)
    status: Mapped[str] = mapped_column(String(16), default=Status.OPEN)
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    questionnaire_version: Mapped[str] = mapped_column(String(16))
    questionnaire_hash: Mapped[str] = mapped_column(String(64))
    agencies: Mapped[list[str]] = mapped_column(default=list)
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # the agencies whose agreed answers are recorded in a workshop (all of a workshop round's;
    # in a survey round, those recorded in the room instead of answering through a link)
    workshop_agencies: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None]
    # the last day its links take answers (end of that day in the TIMEZONE setting); optional
    closes_on: Mapped[date | None] = mapped_column(Date, default=None)

    municipality: Mapped[Municipality] = relationship(back_populates="assessments")
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="assessment", order_by="Invitation.id", cascade="all, delete-orphan",
        passive_deletes=True)
    responses: Mapped[list[Response]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True)
    scores: Mapped[list[Score]] = relationship(
        back_populates="assessment", order_by="Score.id", cascade="all, delete-orphan",
        passive_deletes=True)
    result: Mapped[AssessmentResult | None] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True)


class Invitation(Base):
    """A link for one agency's practitioners; only the token's hash is stored."""

    __tablename__ = "invitation"
    __table_args__ = (CheckConstraint(_check_in("state", InvitationState), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    agency: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of the short join code typed at /j (tokens.join_code); None for links made without
    # the link key. Not unique: a withdrawn link's code may come again, never on two active links
    join_code_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16), default=InvitationState.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    revoked_at: Mapped[datetime | None]
    # how many practitioners the organiser sent the link to: it takes at most that many responses
    capacity: Mapped[int | None]

    assessment: Mapped[Assessment] = relationship(back_populates="invitations")


class Response(Base):
    """One respondent's answers (or one agency's agreed answers in a workshop); anonymous."""

    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint(_check_in("status", ResponseStatus), name="status"),
        Index("ix_response_assessment_id_status", "assessment_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id", ondelete="CASCADE"), index=True)
    agency: Mapped[str] = mapped_column(String(64))
    resume_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # SHA-256 of the short resume code that continues this response in another browser
    resume_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=ResponseStatus.IN_PROGRESS)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comments: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # workshop only: {item id: {option value: participants}} rated before agreeing, no names
    ratings: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    # the language the respondent chose on the start page; answers score alike in every language
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    # the day only (`day_stamp`): nothing orders or locks by these times, ids order responses
    created_at: Mapped[datetime] = mapped_column(default=day_stamp)
    updated_at: Mapped[datetime] = mapped_column(default=day_stamp)
    submitted_at: Mapped[datetime | None]
    # left out of the scores by the organiser before closing (e.g. flagged as padding)
    excluded: Mapped[bool] = mapped_column(default=False, server_default=false())

    assessment: Mapped[Assessment] = relationship(back_populates="responses")


class Score(Base):
    """A closed assessment's stored result for one dimension."""

    __tablename__ = "score"
    __table_args__ = (
        UniqueConstraint("assessment_id", "dimension", name="uq_score_assessment_dimension"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(64))
    score: Mapped[float | None]
    level: Mapped[str] = mapped_column(String(64))
    answered_share: Mapped[float]
    dont_know_share: Mapped[float]
    spread: Mapped[float | None]
    divergent: Mapped[bool]

    assessment: Mapped[Assessment] = relationship(back_populates="scores")


class AssessmentResult(Base):
    """A closed assessment's whole result and roadmap, as JSON, with headline figures."""

    __tablename__ = "assessment_result"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=_utcnow)
    respondents: Mapped[int]
    overall: Mapped[float | None]
    stage: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]]
    roadmap: Mapped[dict[str, Any]]
    # set when the retention period removed the round's responses: the day, the scoring input
    # without any tie to a response record (no comments, links, dates or languages) and the
    # practitioners per agency, so the round's pages and PDF are made exactly as before
    retained: Mapped[dict[str, Any] | None] = mapped_column(JSON(), default=None)

    assessment: Mapped[Assessment] = relationship(back_populates="result")



class AssessmentFinding(Base):
    """A barrier or facilitator found by a closed assessment (copied from its result)."""

    __tablename__ = "assessment_finding"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    finding: Mapped[str] = mapped_column(String(64), primary_key=True)

