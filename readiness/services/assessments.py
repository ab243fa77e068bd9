"""Use cases of organisers and administrators over a session: they flush, never commit.

Users (creating, passwords, advisers), creating an assessment round, and its progress. The rest
lives in smaller modules and is re-exported here, so callers keep importing it from this one:
`base` (ServiceError, lock, the audit record, a round's basic facts), `municipalities`, `links`
(invitation links, closing date), `context` (context answers) and `closing` (scoring and closing).
The respondent's use cases are in `services/survey.py`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from readiness.core.names import name_problem
from readiness.core.questionnaire import Questionnaire
from readiness.models import (
    Assessment,
    Invitation,
    InvitationState,
    Mode,
    Municipality,
    Response,
    ResponseStatus,
    Role,
    Status,
    User,
)
from readiness.services.base import (
    ServiceError as ServiceError,
)
from readiness.services.base import (
    _now as _now,
)
from readiness.services.base import (
    is_mixed as is_mixed,
)
from readiness.services.base import (
    lock as lock,
)
from readiness.services.base import (
    questionnaire_of as questionnaire_of,
)
from readiness.services.base import (
    record_audit as record_audit,
)
from readiness.services.base import (
    records_in_workshop as records_in_workshop,
)
from readiness.services.base import (
    require_open as require_open,
)
from readiness.services.base import (
    workshop_agencies as workshop_agencies,
)
from readiness.services.closing import (
    _counted as _counted,
)
from readiness.services.closing import (
    _kept_counts as _kept_counts,
)
from readiness.services.closing import (
    close_assessment as close_assessment,
)
from readiness.services.closing import (
    comments_of as comments_of,
)
from readiness.services.closing import (
    counted_responses as counted_responses,
)
from readiness.services.closing import (
    facts_of as facts_of,
)
from readiness.services.closing import (
    legal_profile_of as legal_profile_of,
)
from readiness.services.closing import (
    plan_before as plan_before,
)
from readiness.services.closing import (
    practitioners_by_agency as practitioners_by_agency,
)
from readiness.services.closing import (
    previous_closed as previous_closed,
)
from readiness.services.closing import (
    publish_assessment as publish_assessment,
)
from readiness.services.closing import (
    reopened_from as reopened_from,
)
from readiness.services.closing import (
    retained_input as retained_input,
)
from readiness.services.closing import (
    run_by as run_by,
)
from readiness.services.closing import (
    score_assessment as score_assessment,
)
from readiness.services.closing import (
    scores_of as scores_of,
)
from readiness.services.closing import (
    sent_to as sent_to,
)
from readiness.services.closing import (
    submitted_answers as submitted_answers,
)
from readiness.services.closing import (
    workshop_ratings as workshop_ratings,
)
from readiness.services.context import (
    _band_of as _band_of,
)
from readiness.services.context import (
    _previous_context as _previous_context,
)
from readiness.services.context import (
    _record_size as _record_size,
)
from readiness.services.context import (
    check_context_version as check_context_version,
)
from readiness.services.context import (
    context_version as context_version,
)
from readiness.services.context import (
    earlier_participation as earlier_participation,
)
from readiness.services.context import (
    exclusive_values as exclusive_values,
)
from readiness.services.context import (
    invited_agencies as invited_agencies,
)
from readiness.services.context import (
    population_answer as population_answer,
)
from readiness.services.context import (
    round_context as round_context,
)
from readiness.services.context import (
    set_context as set_context,
)
from readiness.services.links import (
    MAX_CAPACITY as MAX_CAPACITY,
)
from readiness.services.links import (
    LinkUsedUp as LinkUsedUp,
)
from readiness.services.links import (
    _check_capacity as _check_capacity,
)
from readiness.services.links import (
    _check_closing as _check_closing,
)
from readiness.services.links import (
    _fresh_public_id as _fresh_public_id,
)
from readiness.services.links import (
    new_invitation as new_invitation,
)
from readiness.services.links import (
    reissue_all as reissue_all,
)
from readiness.services.links import (
    reissue_invitation as reissue_invitation,
)
from readiness.services.links import (
    revoke_invitation as revoke_invitation,
)
from readiness.services.links import (
    set_capacity as set_capacity,
)
from readiness.services.links import (
    set_closing_date as set_closing_date,
)
from readiness.services.links import (
    shown_join_code as shown_join_code,
)
from readiness.services.links import (
    shown_token as shown_token,
)
from readiness.services.municipalities import (
    DuplicateMunicipality as DuplicateMunicipality,
)
from readiness.services.municipalities import (
    EditConflict as EditConflict,
)
from readiness.services.municipalities import (
    _clean_municipality as _clean_municipality,
)
from readiness.services.municipalities import (
    _namesake as _namesake,
)
from readiness.services.municipalities import (
    _stored_region as _stored_region,
)
from readiness.services.municipalities import (
    create_municipality as create_municipality,
)
from readiness.services.municipalities import (
    find_municipality as find_municipality,
)
from readiness.services.municipalities import (
    known_regions as known_regions,
)
from readiness.services.municipalities import (
    normalise_space as normalise_space,
)
from readiness.services.municipalities import (
    update_municipality as update_municipality,
)
from readiness.translate import lazy_gettext as _l

PASSWORD_MIN_LENGTH = 12


# ---------------------------------------------------------------- users


def create_user(db: Session, username: str, password: str, role: str, *,
                municipality: Municipality | None = None,
                password_method: str = "scrypt") -> User:
    """A new user. A municipality coordinator needs their municipality; an advisor may get one."""
    username = username.strip().lower()
    if not username or len(username) > 64:
        raise ServiceError(_l("A username needs 1 to 64 characters"))
    if problem := name_problem(username, "username"):
        raise ServiceError(problem)
    if role not in set(Role):
        raise ServiceError(_l("Unknown role %(role)s; roles: %(roles)s", role=repr(role),
                                roles=", ".join(Role)))
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ServiceError(_l("A password needs at least %(count)d characters",
                              count=PASSWORD_MIN_LENGTH))
    if db.scalar(select(User.id).where(User.username == username)) is not None:
        raise ServiceError(_l("The username %(name)s is taken", name=repr(username)))
    if role == Role.MUNICIPALITY_COORDINATOR and municipality is None:
        raise ServiceError(_l("A municipality coordinator needs a municipality"))
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
        raise ServiceError(_l("A password needs at least %(count)d characters",
                              count=PASSWORD_MIN_LENGTH))
    user.password_hash = generate_password_hash(password, method=password_method)


def assign_advisor(user: User, municipality: Municipality) -> None:
    """Let an advisor see and manage a municipality."""
    if user.role != Role.ADVISOR:
        raise ServiceError(_l("Only advisors are assigned to municipalities"))
    if municipality not in user.assigned:
        user.assigned.append(municipality)


# ---------------------------------------------------------------- assessments


def _check_workshop_agencies(mode: str, agencies: list[str], in_workshop: set[str]) -> None:
    if not in_workshop:
        return
    if mode != Mode.SURVEY:
        raise ServiceError(_l("Only a survey round can record some agencies in a workshop"))
    if not in_workshop <= set(agencies):
        raise ServiceError(_l("An agency recorded in the workshop must take part in the round"))
    if in_workshop >= set(agencies):
        raise ServiceError(_l("Leave at least one agency to answer by survey link, or choose "
                              "a facilitated workshop for all"))


def create_assessment(db: Session, municipality: Municipality, *, q: Questionnaire,
                      agencies: Iterable[str], mode: str = Mode.SURVEY,
                      conducted_on: date | None = None, closes_on: date | None = None,
                      creator: User | None = None, link_key: bytes | None = None,
                      in_workshop: Iterable[str] = (),
                      capacities: Mapping[str, int] | None = None,
                      ) -> tuple[Assessment, dict[str, str]]:
    """A new open assessment round; one invitation link per agency answering by survey.

    `in_workshop`: in a survey round, the agencies recorded in a workshop instead (a mixed
    round). Returns the assessment and {invitation public id: token}; tokens are never stored
    (with `link_key` they can be made again by `shown_token`). `closes_on`: the last day links
    answer. `capacities`: {agency: practitioners its link is sent to}, each link's stated size,
    logged as the "Create another link" form logs it.
    """
    sizes = dict(capacities or {})
    for size in sizes.values():
        _check_capacity(size)
    wanted = set(agencies)
    unknown = wanted - set(q.agency_ids)
    if unknown:
        raise ServiceError(_l("Unknown agencies: %(agencies)s",
                              agencies=", ".join(sorted(unknown))))
    if not wanted:
        raise ServiceError(_l("Choose at least one agency"))
    if mode not in set(Mode):
        raise ServiceError(_l("Unknown mode %(mode)s", mode=repr(mode)))
    chosen = set(in_workshop)
    _check_workshop_agencies(mode, list(wanted), chosen)
    # Lock the municipality (PostgreSQL; SQLite writers are serialised already), so a double
    # submit finds the first round open instead of colliding on the round number.
    lock(db, municipality)
    if any(a.status == Status.OPEN for a in municipality.assessments):
        raise ServiceError(_l("This municipality already has an open assessment; close it first"))
    last = db.scalar(select(func.max(Assessment.round))
                     .where(Assessment.municipality_id == municipality.id))
    conducted_on = conducted_on or _now().date()
    _check_closing(conducted_on, closes_on)
    assessment = Assessment(
        municipality=municipality, round=(last or 0) + 1,
        conducted_on=conducted_on, closes_on=closes_on, mode=mode, status=Status.OPEN,
        questionnaire_id=q.id, questionnaire_version=q.version, questionnaire_hash=q.content_hash,
        agencies=[a for a in q.agency_ids if a in wanted],
        workshop_agencies=[a for a in q.agency_ids if a in (wanted if mode == Mode.WORKSHOP
                                                            else chosen)],
        context=_previous_context(q, municipality),
        created_by_id=creator.id if creator else None)
    db.add(assessment)
    tokens: dict[str, str] = {}
    if mode == Mode.SURVEY:
        for agency in assessment.agencies:
            if agency not in chosen:
                invitation, token = new_invitation(db, assessment, agency,
                                                   capacity=sizes.get(agency), link_key=link_key)
                tokens[invitation.public_id] = token
                _log_stated_size(db, creator, invitation)
    db.flush()
    kind = "mixed" if chosen else mode
    record_audit(db, creator, "assessment_created", assessment, municipality,
                 detail=f"round {assessment.round}, {kind}, {len(tokens)} links")
    return assessment, tokens


def _log_stated_size(db: Session, creator: User | None, invitation: Invitation) -> None:
    """Log who stated how many practitioners a new round's link goes to (as the link form does)."""
    if invitation.capacity is not None:
        record_audit(db, creator, "invitation_created", invitation,
                     invitation.assessment.municipality,
                     detail=f"{invitation.agency}, sent to {invitation.capacity}")


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
    """Per taking-part agency, in questionnaire order (for a round whose responses the
    retention period removed: the responses its results count, from the input kept)."""
    q = questionnaire_of(assessment)
    counts: Counter[tuple[str, str]] = Counter()
    kept = retained_input(assessment)
    rows = _kept_counts(kept) if kept is not None else db.execute(
        select(Response.agency, Response.status, func.count())
        .where(Response.assessment_id == assessment.id)
        .group_by(Response.agency, Response.status))
    for agency, status, count in rows:
        counts[(agency, status)] = count
    links = Counter(i.agency for i in assessment.invitations
                    if i.state == InvitationState.ACTIVE and assessment.status == Status.OPEN)
    recorded: dict[str, int] = {}
    if kept is not None:
        recorded = dict(Counter(str(row[1]) for row in kept.get("answers") or []))
    elif agreed := workshop_agencies(assessment):
        recorded = {agency: len(answers) for agency, answers in db.execute(
            select(Response.agency, Response.answers).where(
                Response.assessment_id == assessment.id, Response.agency.in_(agreed)))}
    titles = {a.id: a.title for a in q.doc.agencies}
    return [AgencyProgress(agency=a, title=titles.get(a, a),
                           started=counts[(a, ResponseStatus.IN_PROGRESS)],
                           submitted=counts[(a, ResponseStatus.SUBMITTED)],
                           active_links=links[a], recorded=recorded.get(a, 0))
            for a in assessment.agencies]
