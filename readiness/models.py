"""The database tables as typed SQLAlchemy 2.0 models. No domain logic lives here.

The vocabularies (`Role`, `Mode`, `Status`, `InvitationState`, `ResponseStatus`,
`POPULATION_BANDS`) live in `readiness.vocabulary` and are importable from here too.

Model and field names, for code that builds on them (dashboard, reports, API):

- `User`: public_id, username (lower case), password_hash, role (a `Role`), municipality_id (the
  own municipality of a municipality coordinator, else None), active, must_change_password
  (holding a one-time password), created_at, display_name and organisation (blank: not given),
  email (optional, for a self-service password reset), revision (+1 on every change);
  `assigned`: the municipalities an advisor was assigned or created (table `advisor_assignment`).
- `Municipality`: public_id, name, country (ISO 3166 alpha-2), region, population_band (a
  `POPULATION_BANDS` id), created_at, revision (+1 on every update); `assessments` ordered by round.
- `Assessment`: public_id, municipality_id, round (1, 2, ... per municipality), conducted_on
  (date), mode (`Mode.SURVEY` or `Mode.WORKSHOP`), status (`Status.OPEN` / `Status.CLOSED`),
  questionnaire_id, questionnaire_version, questionnaire_hash, agencies (the questionnaire agency
  ids taking part, in questionnaire order), context ({context item id: [option values]} answered
  by the organisers), workshop_agencies (the agencies recorded in a workshop: all of a workshop
  round's, some of a mixed round's, whose mode stays `Mode.SURVEY`), created_at, created_by_id,
  closed_at; `invitations`,
  `responses`, `scores`, `result`.
- `Invitation`: public_id, assessment_id, agency (questionnaire agency id), token_hash (SHA-256 of
  the link's token; the token itself is never stored), state (`InvitationState`), created_at,
  revoked_at. Several practitioners of the agency may use one link.
- `Response`: one respondent's (or, in workshop mode, one agency's agreed) answers, with no
  personal data: public_id, assessment_id, invitation_id (None in workshop mode), agency,
  resume_hash (SHA-256 of the respondent's browser secret; None in workshop mode),
  resume_code_hash (SHA-256 of the short code that continues it in another browser), status
  (`ResponseStatus`), answers ({item id: option value or "dont_know"}), comments ({dimension id:
  text}), ratings (workshop only: {item id: {option value: participants}} before agreeing),
  created_at, updated_at, submitted_at (the day only, as UTC midnight). Only submitted
  responses are scored.
- `Score`: stored when an assessment is closed, one row per assessment x dimension: dimension,
  score (0..100 or None for insufficient data), level, answered_share, dont_know_share, spread,
  divergent. Aggregation reads these, never raw answers.
- `AssessmentResult`: one row per closed assessment: computed_at, respondents, overall, stage,
  result (`scoring.result_to_dict`), roadmap (`roadmap.roadmap_to_dict`), retained (None, or
  what `services.retention` kept when it removed the round's responses).
- `AuditEvent`: who did, viewed or exported what, without the content: at, user_id, action,
  object_type, object_id (a public id), municipality_id, actor (the username then), source
  (web, api, cli), address (the client's), detail (a short non-personal note). Append-only.
- `LoginThrottle`: failed-login counters per hashed (username, address) and per hashed address.
- `AssessmentFinding`: the barriers and facilitators a closed assessment found, one row each
  (assessment_id, kind `barrier`/`facilitator`, finding id), so national views count them in SQL.
- `PlanAction`: a tracked roadmap action of a municipality's plan (made when a round closes):
  public_id, municipality_id, assessment_id (the round that proposed it), action (library id),
  title, dimension, family, phase, due_on, lead and partners (agency ids), contact_role (a role,
  never a person), status (`ActionStatus`), drop_reason, notes, links (http/https URLs),
  created_at, updated_at; `events`: its history.
- `PlanEvent`: who changed which field of a tracked action, when, from what to what.
- `ShareLink`: a read-only link for partners to one closed round's results and the plan:
  public_id, assessment_id, token_hash (SHA-256; the token is shown once), created_at,
  created_by_id, expires_at, revoked_at.
- `ApiToken`: a user's token for the read-only API: public_id, user_id, name, token_hash (SHA-256;
  the token is shown once), created_at, last_used_at, revoked_at.
- `PasswordReset`: a self-service password reset by e-mail: user_id, token_hash (SHA-256),
  created_at, expires_at, used_at (single use).
- `UserSession`: a signed-in browser: public_id, key_hash (SHA-256 of the cookie's random key),
  user_id, created_at, last_seen_at, expires_at, user_agent (shortened, to recognise it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from readiness.tokens import new_public_id
from readiness.vocabulary import (
    POPULATION_BANDS,
    ActionStatus,
    InvitationState,
    Mode,
    ResponseStatus,
    Role,
    Status,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def day_stamp(moment: datetime | None = None) -> datetime:
    """The UTC day of `moment` (now by default) as its midnight: a response keeps no finer
    time, which access logs could match to a person."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _check_in(column: str, values: Any) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base with constraint names that migrations can rely on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


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


class LoginThrottle(Base):
    """Failed sign-ins counted per hashed key within a window, with a lockout time."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(default=_utcnow)
    locked_until: Mapped[datetime | None]


class AssessmentFinding(Base):
    """A barrier or facilitator found by a closed assessment (copied from its result)."""

    __tablename__ = "assessment_finding"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    finding: Mapped[str] = mapped_column(String(64), primary_key=True)


class ApiToken(Base):
    """A token for the read-only JSON API; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class UserSession(Base):
    """A signed-in browser: the cookie holds a random key, the table only its SHA-256 digest.

    Deleting the row ends the session at once (sign-out, new password, deactivation, an admin).
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=_utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    user_agent: Mapped[str] = mapped_column(String(160), default="")

    user: Mapped[User] = relationship()
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


class PasswordReset(Base):
    """A self-service password reset sent by e-mail: single use, expiring; only the token's
    SHA-256 digest is stored."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
