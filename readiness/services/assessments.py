"""Use cases of organisers and administrators over a session: they flush, never commit.

Users, municipalities, assessments, invitation links, context answers, progress, closing (which
scores the answers and stores the results), and the audit log. The respondent's use cases are
in `services_survey.py`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.core.roadmap import Roadmap, build_roadmap, roadmap_to_dict
from readiness.core.schema import DONT_KNOW, Item
from readiness.core.scoring import Answer, Result, result_to_dict, score
from readiness.models import (
    POPULATION_BANDS,
    Assessment,
    AssessmentFinding,
    AssessmentResult,
    AuditEvent,
    Invitation,
    InvitationState,
    Mode,
    Municipality,
    Response,
    ResponseStatus,
    Role,
    Score,
    Status,
    User,
)
from readiness.national.records import finding_rows
from readiness.tokens import hash_token, new_token

PASSWORD_MIN_LENGTH = 12


class ServiceError(ValueError):
    """A use case refused; the message can be shown to the user."""


def _now() -> datetime:
    return datetime.now(UTC)


def lock(db: Session, obj: object) -> None:
    """Write pending changes, then re-read `obj` holding its row lock until the transaction ends.

    PostgreSQL takes the row lock (SELECT ... FOR UPDATE); SQLite, whose writers are serialised
    by BEGIN IMMEDIATE, just re-reads. Concurrent read-modify-write use cases lock first.
    """
    db.flush()
    db.refresh(obj, with_for_update=True)


# ---------------------------------------------------------------- users


def create_user(db: Session, username: str, password: str, role: str, *,
                municipality: Municipality | None = None,
                password_method: str = "scrypt") -> User:
    """A new user. A municipality coordinator needs their municipality; an advisor may get one."""
    username = username.strip().lower()
    if not username or len(username) > 64:
        raise ServiceError("a username needs 1 to 64 characters")
    if role not in set(Role):
        raise ServiceError(f"unknown role {role!r}; roles: {', '.join(Role)}")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ServiceError(f"a password needs at least {PASSWORD_MIN_LENGTH} characters")
    if db.scalar(select(User.id).where(User.username == username)) is not None:
        raise ServiceError(f"the username {username!r} is taken")
    if role == Role.MUNICIPALITY_COORDINATOR and municipality is None:
        raise ServiceError("a municipality coordinator needs a municipality")
    user = User(username=username, role=role,
                password_hash=generate_password_hash(password, method=password_method),
                municipality=municipality if role == Role.MUNICIPALITY_COORDINATOR else None)
    if role == Role.ADVISOR and municipality is not None:
        user.assigned.append(municipality)
    db.add(user)
    db.flush()
    return user


def set_password(user: User, password: str, password_method: str = "scrypt") -> None:
    """Replace a user's password (which also ends their open sessions)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ServiceError(f"a password needs at least {PASSWORD_MIN_LENGTH} characters")
    user.password_hash = generate_password_hash(password, method=password_method)


def assign_advisor(user: User, municipality: Municipality) -> None:
    """Let an advisor see and manage a municipality."""
    if user.role != Role.ADVISOR:
        raise ServiceError("only advisors are assigned to municipalities")
    if municipality not in user.assigned:
        user.assigned.append(municipality)


# ---------------------------------------------------------------- municipalities


def find_municipality(db: Session, name: str, country: str | None = None) -> Municipality:
    """The one municipality of this name (and country), or a ServiceError saying why not."""
    query = select(Municipality).where(func.lower(Municipality.name) == name.strip().lower())
    if country:
        query = query.where(Municipality.country == country.upper())
    found = db.scalars(query).all()
    if not found:
        raise ServiceError(f"no municipality named {name!r}")
    if len(found) > 1:
        raise ServiceError(f"{len(found)} municipalities are named {name!r}; give the country")
    return found[0]


def normalise_space(text: str) -> str:
    """`text` with its runs of whitespace made one space, and none at either end."""
    return " ".join(text.split())


class DuplicateMunicipality(ServiceError):
    """A municipality of this name already exists in the country (`existing`)."""

    def __init__(self, existing: Municipality) -> None:
        super().__init__("a municipality with this name already exists in this country")
        self.existing = existing


def _namesake(db: Session, name: str, country: str,
              other_than: Municipality | None = None) -> Municipality | None:
    """The stored municipality of `country` whose name differs from `name` only in case or
    spacing (stored names may predate the normalisation, so they are compared in Python)."""
    key = normalise_space(name).casefold()
    query = select(Municipality).where(Municipality.country == country)
    if other_than is not None:
        query = query.where(Municipality.id != other_than.id)
    return next((m for m in db.scalars(query) if normalise_space(m.name).casefold() == key),
                None)


def _stored_region(db: Session, country: str, region: str) -> str:
    """`region` spelled as a region already stored for `country` when only case differs."""
    region = normalise_space(region)
    stored = db.scalars(select(Municipality.region).distinct()
                        .where(Municipality.country == country)).all()
    return next((r for r in stored if r and normalise_space(r).casefold() == region.casefold()),
                region)


def _clean_municipality(db: Session, name: str, country: str, region: str,
                        population_band: str) -> tuple[str, str, str]:
    name, country = normalise_space(name), country.strip().upper()
    if not name:
        raise ServiceError("a municipality needs a name")
    if population_band not in POPULATION_BANDS:
        raise ServiceError(f"unknown population band {population_band!r}")
    return name, country, _stored_region(db, country, region)


def create_municipality(db: Session, *, name: str, country: str, population_band: str,
                        region: str = "", creator: User | None = None) -> Municipality:
    """A new municipality; an advisor who creates one is assigned to it.

    A namesake in the same country (case and spacing aside) is refused with
    `DuplicateMunicipality`, whatever its region: it is almost always the same place typed again.
    """
    name, country, region = _clean_municipality(db, name, country, region, population_band)
    existing = _namesake(db, name, country)
    if existing is not None:
        raise DuplicateMunicipality(existing)
    municipality = Municipality(name=name, country=country, region=region,
                                population_band=population_band)
    db.add(municipality)
    if creator is not None and creator.role == Role.ADVISOR:
        creator.assigned.append(municipality)
    db.flush()
    return municipality


def update_municipality(db: Session, municipality: Municipality, *, name: str, country: str,
                        population_band: str, region: str = "",
                        editor: User | None = None) -> None:
    """Correct a municipality's name, country, region or size; audited, namesakes refused."""
    name, country, region = _clean_municipality(db, name, country, region, population_band)
    existing = _namesake(db, name, country, other_than=municipality)
    if existing is not None:
        raise DuplicateMunicipality(existing)
    changed = (municipality.name, municipality.country, municipality.region,
               municipality.population_band) != (name, country, region, population_band)
    municipality.name, municipality.country = name, country
    municipality.region, municipality.population_band = region, population_band
    if changed:
        record_audit(db, editor, "municipality_edited", municipality, municipality)
    db.flush()


def known_regions(db: Session, visible: ColumnElement[bool],
                  country: str | None = None) -> list[tuple[str, str]]:
    """(region, country) pairs stored for the municipalities `visible` selects, for suggestions."""
    query = (select(Municipality.region, Municipality.country).distinct()
             .where(visible, Municipality.region != ""))
    if country:
        query = query.where(Municipality.country == country)
    return sorted({(normalise_space(r), c) for r, c in db.execute(query)},
                  key=lambda rc: (rc[1], rc[0].casefold()))


# ---------------------------------------------------------------- assessments and links


def questionnaire_of(assessment: Assessment) -> Questionnaire:
    """The questionnaire version the assessment was created on."""
    return get_questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)


def create_assessment(db: Session, municipality: Municipality, *, q: Questionnaire,
                      agencies: Iterable[str], mode: str = Mode.SURVEY,
                      conducted_on: date | None = None,
                      creator: User | None = None) -> tuple[Assessment, dict[str, str]]:
    """A new open assessment round; in survey mode, one invitation link per agency.

    Returns the assessment and {invitation public id: token}: tokens are shown once, never stored.
    """
    wanted = set(agencies)
    unknown = wanted - set(q.agency_ids)
    if unknown:
        raise ServiceError(f"unknown agencies: {', '.join(sorted(unknown))}")
    if not wanted:
        raise ServiceError("choose at least one agency")
    if mode not in set(Mode):
        raise ServiceError(f"unknown mode {mode!r}")
    # Lock the municipality (PostgreSQL; SQLite writers are serialised already), so a double
    # submit finds the first round open instead of colliding on the round number.
    lock(db, municipality)
    if any(a.status == Status.OPEN for a in municipality.assessments):
        raise ServiceError("this municipality already has an open assessment; close it first")
    last = db.scalar(select(func.max(Assessment.round))
                     .where(Assessment.municipality_id == municipality.id))
    assessment = Assessment(
        municipality=municipality, round=(last or 0) + 1,
        conducted_on=conducted_on or _now().date(), mode=mode, status=Status.OPEN,
        questionnaire_id=q.id, questionnaire_version=q.version, questionnaire_hash=q.content_hash,
        agencies=[a for a in q.agency_ids if a in wanted],
        context=_previous_context(municipality, q),
        created_by_id=creator.id if creator else None)
    db.add(assessment)
    tokens: dict[str, str] = {}
    if mode == Mode.SURVEY:
        for agency in assessment.agencies:
            invitation, token = new_invitation(db, assessment, agency)
            tokens[invitation.public_id] = token
    db.flush()
    return assessment, tokens


def _previous_context(municipality: Municipality, q: Questionnaire) -> dict[str, list[str]]:
    """The last round's context answers that `q` still asks and allows, to start from."""
    if not municipality.assessments:
        return {}
    allowed = {item.id: {o.value for o in q.options(item)} for item in q.doc.context}
    return {key: list(values) for key, values in municipality.assessments[-1].context.items()
            if key in allowed and isinstance(values, list) and set(values) <= allowed[key]}


def require_open(assessment: Assessment) -> None:
    if assessment.status != Status.OPEN:
        raise ServiceError("this assessment is closed")


def new_invitation(db: Session, assessment: Assessment, agency: str) -> tuple[Invitation, str]:
    """Another link for an agency (earlier links stay valid until revoked); the token once."""
    require_open(assessment)
    if assessment.mode != Mode.SURVEY:
        raise ServiceError("a workshop assessment has no invitation links")
    if agency not in questionnaire_of(assessment).agency_ids:
        raise ServiceError(f"unknown agency {agency!r}")
    if agency not in assessment.agencies:
        order = questionnaire_of(assessment).agency_ids
        assessment.agencies = [a for a in order if a in {*assessment.agencies, agency}]
    token = new_token()
    invitation = Invitation(assessment=assessment, agency=agency, token_hash=hash_token(token),
                            state=InvitationState.ACTIVE)
    db.add(invitation)
    db.flush()
    return invitation, token


def revoke_invitation(invitation: Invitation) -> None:
    """Stop a link from opening the survey; answers already given stay."""
    if invitation.state != InvitationState.REVOKED:
        invitation.state = InvitationState.REVOKED
        invitation.revoked_at = _now()


def set_context(assessment: Assessment, answers: Mapping[str, Iterable[str]]) -> None:
    """Record the organisers' answers to the context questions (unknown values refused)."""
    require_open(assessment)
    q = questionnaire_of(assessment)
    context: dict[str, list[str]] = {}
    for item in q.doc.context:
        values = [v for v in answers.get(item.id, ()) if v]
        allowed = [o.value for o in q.options(item)]
        if any(v not in allowed for v in values):
            raise ServiceError(f"unknown answer to {item.id!r}")
        if len(values) > 1 and not item.multiple:
            raise ServiceError(f"{item.id!r} takes one answer")
        if len(values) > 1 and set(values) & set(exclusive_values(q, item)):
            raise ServiceError(f"{item.id!r}: an answer like 'none' excludes the others")
        if values:
            context[item.id] = [v for v in allowed if v in values]
    assessment.context = context


def exclusive_values(q: Questionnaire, item: Item) -> tuple[str, ...]:
    """The options of a multiple-choice context question that exclude every other answer.

    The questionnaire does not mark them yet, so by their value: `none`, or `none_...` (like
    "None that I know of").
    """
    if not item.multiple:
        return ()
    return tuple(o.value for o in q.options(item)
                 if o.value == "none" or o.value.startswith("none_"))


def _band_of(value: str) -> str:
    """A population option value as a band id: `from_10k_to_50k` -> `10k_50k`."""
    return value.removeprefix("from_").replace("_to_", "_")


def population_answer(q: Questionnaire, band: str) -> tuple[str, str] | None:
    """(context item id, option value) of the context question on the municipality's size
    matching `band`: the single-choice question whose options are the population bands."""
    for item in q.doc.context:
        options = {_band_of(o.value): o.value for o in q.options(item)}
        if not item.multiple and set(options) == set(POPULATION_BANDS) and band in options:
            return item.id, options[band]
    return None


@dataclass(frozen=True)
class AgencyProgress:
    """How far one agency is: responses started (not sent) and sent, links that still open
    the survey (none once the round is closed), and in a workshop the statements recorded."""

    agency: str
    title: str
    started: int
    submitted: int
    active_links: int
    recorded: int = 0


def progress(db: Session, assessment: Assessment) -> list[AgencyProgress]:
    """Per taking-part agency, in questionnaire order."""
    q = questionnaire_of(assessment)
    counts: Counter[tuple[str, str]] = Counter()
    rows = db.execute(select(Response.agency, Response.status, func.count())
                      .where(Response.assessment_id == assessment.id)
                      .group_by(Response.agency, Response.status))
    for agency, status, count in rows:
        counts[(agency, status)] = count
    links = Counter(i.agency for i in assessment.invitations
                    if i.state == InvitationState.ACTIVE and assessment.status == Status.OPEN)
    recorded: dict[str, int] = {}
    if assessment.mode == Mode.WORKSHOP:
        recorded = {agency: len(answers) for agency, answers in db.execute(
            select(Response.agency, Response.answers).where(
                Response.assessment_id == assessment.id, Response.invitation_id.is_(None)))}
    titles = {a.id: a.title for a in q.doc.agencies}
    return [AgencyProgress(agency=a, title=titles.get(a, a),
                           started=counts[(a, ResponseStatus.IN_PROGRESS)],
                           submitted=counts[(a, ResponseStatus.SUBMITTED)],
                           active_links=links[a], recorded=recorded.get(a, 0))
            for a in assessment.agencies]


# ---------------------------------------------------------------- scoring and closing


def submitted_answers(db: Session, assessment: Assessment, q: Questionnaire) -> list[Answer]:
    """The submitted answers as scoring input (respondent = the response's public id).

    Answers the questionnaire no longer knows are left out rather than failing the scoring.
    """
    answers: list[Answer] = []
    responses = db.scalars(select(Response).where(
        Response.assessment_id == assessment.id, Response.status == ResponseStatus.SUBMITTED)
        .order_by(Response.id))
    for response in responses:
        for item_id, value in response.answers.items():
            item = q.items_by_id.get(item_id)
            if item is None or item.dimension is None:
                continue
            if value == DONT_KNOW or value in {o.value for o in q.options(item)}:
                answers.append(Answer(response.public_id, response.agency, item_id, value))
    return answers


def score_assessment(db: Session, assessment: Assessment) -> tuple[Questionnaire, Result, Roadmap]:
    """Score an assessment's submitted answers on its own questionnaire version."""
    q = questionnaire_of(assessment)
    result = score(q, submitted_answers(db, assessment, q), context=assessment.context)
    return q, result, build_roadmap(q, result)


def close_assessment(db: Session, assessment: Assessment) -> Result:
    """Close the assessment: score it and store its scores, result and roadmap.

    The assessment's row is locked first, so a second, concurrent close waits and is refused.
    """
    lock(db, assessment)
    require_open(assessment)
    submitted = db.scalar(select(func.count()).select_from(Response).where(
        Response.assessment_id == assessment.id, Response.status == ResponseStatus.SUBMITTED))
    if not submitted:
        raise ServiceError("no submitted answers yet: there is nothing to score")
    _, result, roadmap = score_assessment(db, assessment)
    assessment.status = Status.CLOSED
    assessment.closed_at = _now()
    for dimension in result.dimensions:
        db.add(Score(assessment=assessment, dimension=dimension.id, score=dimension.score,
                     level=dimension.level, answered_share=dimension.answered_share,
                     dont_know_share=dimension.dont_know_share, spread=dimension.spread,
                     divergent=dimension.divergent))
    db.add(AssessmentResult(assessment=assessment, respondents=result.respondents,
                            overall=result.overall, stage=result.stage,
                            result=result_to_dict(result), roadmap=roadmap_to_dict(roadmap)))
    db.add_all(AssessmentFinding(assessment_id=assessment.id, kind=kind, finding=ident)
               for kind, ident in finding_rows(result))
    db.flush()
    return result


# ---------------------------------------------------------------- audit


def record_audit(db: Session, user: User | None, action: str, obj: Any,
                 municipality: Municipality | None = None) -> None:
    """Log that `user` did `action` (viewed, exported...) on `obj`, without any content."""
    db.add(AuditEvent(user_id=user.id if user else None, action=action,
                      object_type=type(obj).__name__.lower(), object_id=obj.public_id,
                      municipality_id=municipality.id if municipality else None))
