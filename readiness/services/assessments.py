"""Use cases of organisers and administrators over a session: they flush, never commit.

Users, municipalities, assessments, invitation links, context answers, progress, closing (which
scores the answers and stores the results), and the audit log. The respondent's use cases are
in `services_survey.py`.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from readiness.core import screening
from readiness.core.consensus import agreed_agencies, is_agreed
from readiness.core.legal import Profile, profile_for
from readiness.core.legal_roadmap import apply_legal
from readiness.core.names import name_problem
from readiness.core.plans import Held
from readiness.core.published import (
    Published,
    RoundFacts,
    publish,
    published_to_dict,
    stored_facts,
)
from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.core.roadmap import Roadmap, build_roadmap, roadmap_to_dict
from readiness.core.schema import DONT_KNOW, Item
from readiness.core.scoring import Answer, Result, result_to_dict, score
from readiness.models import (
    POPULATION_BANDS,
    Assessment,
    AssessmentFinding,
    AssessmentResult,
    Invitation,
    InvitationState,
    Mode,
    Municipality,
    PlanAction,
    Response,
    ResponseStatus,
    Role,
    Score,
    Status,
    User,
)
from readiness.national.records import finding_rows
from readiness.services import audit, link_places
from readiness.tokens import hash_token, join_code, link_token, new_public_id, new_token
from readiness.translate import lazy_gettext as _l

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


# ---------------------------------------------------------------- municipalities


def find_municipality(db: Session, name: str, country: str | None = None) -> Municipality:
    """The one municipality of this name (and country), or a ServiceError saying why not."""
    query = select(Municipality).where(func.lower(Municipality.name) == name.strip().lower())
    if country:
        query = query.where(Municipality.country == country.upper())
    found = db.scalars(query).all()
    if not found:
        raise ServiceError(_l("No municipality named %(name)s", name=repr(name)))
    if len(found) > 1:
        raise ServiceError(_l("%(count)d municipalities are named %(name)s; give the country",
                              count=len(found), name=repr(name)))
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
    for text, what in ((name, "municipality name"), (region, "region")):
        if problem := name_problem(text, what):
            raise ServiceError(problem)
    name, country = normalise_space(name), country.strip().upper()
    if not name:
        raise ServiceError(_l("A municipality needs a name"))
    if population_band not in POPULATION_BANDS:
        raise ServiceError(_l("Unknown population band %(band)s", band=repr(population_band)))
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
    record_audit(db, creator, "municipality_created", municipality, municipality)
    return municipality


class EditConflict(ServiceError):
    """Someone saved the object after the editor opened it: nothing was changed."""


def update_municipality(db: Session, municipality: Municipality, *, name: str, country: str,
                        population_band: str, region: str = "",
                        editor: User | None = None, revision: int | None = None) -> None:
    """Correct a municipality's name, country, region or size; audited, namesakes refused.

    With `revision` (the one the editor started from), a municipality saved since is refused
    with `EditConflict`, under a row lock so that two saves cannot both pass the check.
    """
    if revision is not None:
        lock(db, municipality)
        if municipality.revision != revision:
            raise EditConflict("someone else changed this municipality since you opened it")
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


def workshop_agencies(assessment: Assessment) -> list[str]:
    """The agencies whose agreed answers are recorded in a workshop, in questionnaire order:
    every agency of a workshop round, those chosen of a mixed round, none of a survey round."""
    return agreed_agencies(assessment.mode, assessment.workshop_agencies or (),
                           assessment.agencies)


def records_in_workshop(assessment: Assessment, agency: str) -> bool:
    """Whether an agency's answers are recorded in a workshop (agreed, not sent through a
    link): `readiness.core.consensus.is_agreed`, never whether a response has a link."""
    return agency in assessment.agencies and is_agreed(
        assessment.mode, assessment.workshop_agencies or (), agency)


def is_mixed(assessment: Assessment) -> bool:
    """Some agencies answer through survey links, others are recorded in a workshop."""
    return assessment.mode == Mode.SURVEY and bool(workshop_agencies(assessment))


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


def require_open(assessment: Assessment) -> None:
    if assessment.status != Status.OPEN:
        raise ServiceError(_l("This assessment is closed"))


MAX_CAPACITY = 1000


def new_invitation(db: Session, assessment: Assessment, agency: str,
                   capacity: int | None = None,
                   link_key: bytes | None = None) -> tuple[Invitation, str]:
    """Another link for an agency (earlier links stay valid until revoked), and its token.
    `capacity`: how many practitioners it is sent to, the most responses it takes. With
    `link_key` the token can be made again (`shown_token`); without, it is random, shown once."""
    require_open(assessment)
    _check_capacity(capacity)
    if assessment.mode != Mode.SURVEY:
        raise ServiceError(_l("A workshop assessment has no invitation links"))
    if agency not in questionnaire_of(assessment).agency_ids:
        raise ServiceError(_l("Unknown agency %(agency)s", agency=repr(agency)))
    if records_in_workshop(assessment, agency):
        raise ServiceError(_l("This agency's answers are recorded in the workshop, so it has "
                              "no invitation link"))
    if agency not in assessment.agencies:
        order = questionnaire_of(assessment).agency_ids
        assessment.agencies = [a for a in order if a in {*assessment.agencies, agency}]
    public_id, code_hash = _fresh_public_id(db, link_key)
    token = link_token(link_key, public_id) if link_key is not None else new_token()
    invitation = Invitation(public_id=public_id, assessment=assessment, agency=agency,
                            token_hash=hash_token(token), state=InvitationState.ACTIVE,
                            capacity=capacity, join_code_hash=code_hash)
    db.add(invitation)
    db.flush()
    return invitation, token


def _fresh_public_id(db: Session, link_key: bytes | None) -> tuple[str, str | None]:
    """A new link's public id and its join code's hash (None without `link_key`): drawn again
    in the rare case an active link already has that join code, so a code opens one link."""
    while True:
        public_id = new_public_id()
        if link_key is None:
            return public_id, None
        code_hash = hash_token(join_code(link_key, public_id))
        taken = db.scalar(select(Invitation.id).where(
            Invitation.join_code_hash == code_hash,
            Invitation.state == InvitationState.ACTIVE).limit(1))
        if taken is None:
            return public_id, code_hash


def shown_join_code(invitation: Invitation, link_key: bytes) -> str | None:
    """The join code of an active link of an open round, made again from `link_key`; None
    where it has none (withdrawn, closed, random, made under another key, or made before join
    codes where migration 0015 could not give it one). Reads only: showing never writes."""
    if shown_token(invitation, link_key) is None:
        return None
    code = join_code(link_key, invitation.public_id)
    return code if hash_token(code) == invitation.join_code_hash else None


def shown_token(invitation: Invitation, link_key: bytes) -> str | None:
    """The token of an active link of an open round, made again from `link_key`; None for a
    link that cannot be shown again (withdrawn, closed, random, or made under another key)."""
    if (invitation.state != InvitationState.ACTIVE
            or invitation.assessment.status != Status.OPEN):
        return None
    token = link_token(link_key, invitation.public_id)
    return token if hash_token(token) == invitation.token_hash else None


def reissue_invitation(db: Session, invitation: Invitation,
                       link_key: bytes) -> tuple[Invitation, str]:
    """Withdraw a link and make its agency a new one (a link passed on too far, or one that
    cannot be shown again); answers already sent stay. A link sent to N practitioners that sent
    k answers becomes one for the N - k who have not sent theirs (answers started through the
    old link and not sent are started again through the new one), so reissuing never lets an
    agency count more practitioners than it was sent to."""
    require_open(invitation.assessment)
    if invitation.state != InvitationState.ACTIVE:
        raise ServiceError(_l("This link was withdrawn already"))
    capacity = invitation.capacity
    if capacity is not None:  # the new link is for those who have not sent answers yet
        capacity -= link_places.sent_through(db, invitation.id)
        if capacity < 1:
            raise LinkUsedUp(_l("This link has taken as many responses as it was sent to "
                                  "practitioners, so there is no one left to send a new one "
                                  "to. Create another link if more practitioners join."))
    revoke_invitation(invitation)
    return new_invitation(db, invitation.assessment, invitation.agency, capacity=capacity,
                          link_key=link_key)


class LinkUsedUp(ServiceError):
    """A link took as many responses as it was sent to practitioners: none left to reissue to."""


def reissue_all(db: Session, assessment: Assessment, link_key: bytes) -> tuple[int, int]:
    """Reissue every active link of the round; returns (reissued, left as they are): a link
    that took all its answers is left, as it opens nothing new anyway."""
    reissued = left = 0
    for invitation in [i for i in assessment.invitations if i.state == InvitationState.ACTIVE]:
        try:
            reissue_invitation(db, invitation, link_key)
        except LinkUsedUp:
            left += 1
        else:
            reissued += 1
    return reissued, left


def _check_closing(conducted_on: date, closes_on: date | None) -> None:
    if closes_on is not None and closes_on < conducted_on:
        raise ServiceError(_l("The closing date cannot be before the date of the assessment "
                              "(%(date)s)", date=conducted_on.isoformat()))


def set_closing_date(assessment: Assessment, closes_on: date | None, today: date) -> None:
    """Set, move or remove an open round's closing date; a date already past is refused (close
    the round instead), as is one before the round's own date."""
    require_open(assessment)
    if closes_on is not None and closes_on < today:
        raise ServiceError(_l("The closing date cannot be in the past"))
    _check_closing(assessment.conducted_on, closes_on)
    assessment.closes_on = closes_on


def _check_capacity(capacity: int | None) -> None:
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise ServiceError(f"a link is sent to 1 to {MAX_CAPACITY} practitioners")


def set_capacity(db: Session, invitation: Invitation, capacity: int,
                 shown: str | None = None) -> None:
    """State how many practitioners a link was sent to; never fewer than it already took.

    With `shown` (the number the editor's page showed, "" for none), a link someone else set
    since is refused with `EditConflict`, checked under the row lock.
    """
    require_open(invitation.assessment)
    _check_capacity(capacity)
    lock(db, invitation)
    if shown is not None and shown != str(invitation.capacity or ""):
        raise EditConflict("someone else set this link's size since you opened the page")
    taken = link_places.sent_through(db, invitation.id)  # started, not sent: no place held
    if capacity < taken:
        raise ServiceError(_l("%(num)s answers were already sent through this link: give at "
                              "least that number", num=taken))
    invitation.capacity = capacity


def revoke_invitation(invitation: Invitation) -> None:
    """Stop a link from opening the survey; answers already given stay."""
    if invitation.state != InvitationState.REVOKED:
        invitation.state = InvitationState.REVOKED
        invitation.revoked_at = _now()


def set_context(assessment: Assessment, answers: Mapping[str, Iterable[str]]) -> str | None:
    """Record the organisers' answers to the context questions (unknown values refused); a
    changed size changes the municipality's record too, and the band it had is returned."""
    require_open(assessment)
    q = questionnaire_of(assessment)
    context: dict[str, list[str]] = {}
    for item in q.doc.context:
        values = [v for v in answers.get(item.id, ()) if v]
        allowed = [o.value for o in q.options(item)]
        if any(v not in allowed for v in values):
            raise ServiceError(_l("Unknown answer to %(item)s", item=repr(item.id)))
        if len(values) > 1 and not item.multiple:
            raise ServiceError(_l("%(item)s takes one answer", item=repr(item.id)))
        if len(values) > 1 and set(values) & set(exclusive_values(q, item)):
            raise ServiceError(_l("%(item)s: an answer like 'none' excludes the others",
                                    item=repr(item.id)))
        if values:
            context[item.id] = [v for v in allowed if v in values]
    assessment.context = context
    return _record_size(q, assessment)


def _record_size(q: Questionnaire, assessment: Assessment) -> str | None:
    """Make the municipality's record say the size the organiser answered (the one source the
    municipality page, the dashboard and the roadmap read); the band it replaced, if any."""
    municipality = assessment.municipality
    size = population_answer(q, municipality.population_band)
    chosen = (assessment.context or {}).get(size[0]) if size is not None else None
    band = _band_of(chosen[0]) if chosen else municipality.population_band
    if band not in POPULATION_BANDS or band == municipality.population_band:
        return None
    before, municipality.population_band = municipality.population_band, band
    return before


def round_context(assessment: Assessment) -> dict[str, list[str]]:
    """The round's context answers, its size answer read from the municipality's record: one
    size for the municipality page, the dashboard and the roadmap's reasoning."""
    q = questionnaire_of(assessment)
    context = dict(assessment.context or {})
    size = population_answer(q, assessment.municipality.population_band)
    if size is not None:
        context[size[0]] = [size[1]]
    return context


def invited_agencies(assessment: Assessment) -> tuple[str, ...]:
    """The agencies a round was made for or given a link: those asked to answer."""
    return tuple(dict.fromkeys([*assessment.agencies,
                                *(i.agency for i in assessment.invitations)]))


def earlier_participation(db: Session, assessment: Assessment) -> dict[str, int]:
    """{agency: the latest earlier closed round it answered in}, from the rounds' stored
    results, so the roadmap can say an absent agency took part before."""
    rows = db.execute(
        select(Assessment.round, AssessmentResult.result)
        .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
        .where(Assessment.municipality_id == assessment.municipality_id,
               Assessment.status == Status.CLOSED, Assessment.round < assessment.round)
        .order_by(Assessment.round))
    found: dict[str, int] = {}
    for number, stored in rows:
        for agency, count in ((stored or {}).get("respondents_by_agency") or {}).items():
            if count:
                found[str(agency)] = number
    return found


def context_version(assessment: Assessment) -> str:
    """A short fingerprint of the round's context answers: the context form carries the one it
    was opened on, so a save over someone else's newer answers is caught."""
    text = json.dumps(assessment.context or {}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check_context_version(db: Session, assessment: Assessment, version: str | None) -> None:
    """Refuse with `EditConflict` when the context answers changed since `version` (None: not
    checked), under a row lock so that two saves cannot both pass."""
    if not version:
        return
    lock(db, assessment)
    if context_version(assessment) != version:
        raise EditConflict("someone else saved the context answers since you opened them")


def _previous_context(q: Questionnaire, municipality: Municipality) -> dict[str, list[str]]:
    """The organiser's context answers of the municipality's latest round (the size from the
    municipality's record), as a starting point
    for the new one (answers this questionnaire no longer offers are dropped)."""
    earlier = sorted(municipality.assessments, key=lambda a: a.round)
    previous = dict(earlier[-1].context or {}) if earlier else {}
    context: dict[str, list[str]] = {}
    for item in q.doc.context:
        allowed = [o.value for o in q.options(item)]
        values = [v for v in previous.get(item.id, ()) if v in allowed]
        if values and (item.multiple or len(values) == 1):
            context[item.id] = values
    size = population_answer(q, municipality.population_band)
    if size is not None:  # the size is the municipality record's, not an earlier round's
        context[size[0]] = [size[1]]
    return context


def exclusive_values(q: Questionnaire, item: Item) -> tuple[str, ...]:
    """The options of a multiple-choice context question that exclude every other answer:
    those marked `exclusive` in the questionnaire, or (for a question that marks none, as in
    version 1.0) by their value: `none`, or `none_...` (like "None that I know of")."""
    return q.exclusive(item)


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


# ---------------------------------------------------------------- scoring and closing


def _kept_counts(kept: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(agency, submitted, responses) rows from a reduced round's kept answers."""
    respondents = {(str(row[1]), str(row[0])) for row in kept.get("answers") or []}
    per_agency = Counter(agency for agency, _respondent in respondents)
    return [(agency, ResponseStatus.SUBMITTED, n) for agency, n in per_agency.items()]


def submitted_answers(db: Session, assessment: Assessment, q: Questionnaire,
                      responses: Sequence[Response] | None = None) -> list[Answer]:
    """The submitted answers as scoring input (respondent = the response's public id).

    Answers the questionnaire no longer knows are left out rather than failing the scoring.
    A round whose responses the retention period removed reads the input kept for it.
    `responses`: the round's `counted_responses`, when the caller has read them already.
    """
    kept = retained_input(assessment)
    if kept is not None:
        return [Answer(*(str(part) for part in row)) for row in kept.get("answers") or []]
    answers: list[Answer] = []
    for response in _counted(db, assessment, responses):
        for item_id, value in response.answers.items():
            item = q.items_by_id.get(item_id)
            if item is None or item.dimension is None:
                continue
            if value == DONT_KNOW or value in {o.value for o in q.options(item)}:
                answers.append(Answer(response.public_id, response.agency, item_id, value))
    return answers


def retained_input(assessment: Assessment) -> dict[str, Any] | None:
    """The scoring input kept when the retention period removed the round's responses
    (`services.retention`), else None."""
    stored = assessment.result if assessment.status == Status.CLOSED else None
    return stored.retained if stored is not None else None


def legal_profile_of(assessment: Assessment) -> Profile:
    """The jurisdiction profile of the assessed municipality's country and region."""
    municipality = assessment.municipality
    return profile_for(municipality.country, municipality.region)


def comments_of(db: Session, assessment: Assessment,
                agencies: Collection[str]) -> dict[str, dict[str, list[str]]]:
    """{agency: {page id: [texts]}} of the counted responses (submitted, not excluded) of
    `agencies` only: the one read of comments, whose caller says which agencies may be quoted."""
    found: dict[str, dict[str, list[str]]] = {}
    for response in counted_responses(db, assessment):
        if response.agency in agencies:
            for page, text in (response.comments or {}).items():
                if isinstance(text, str) and text.strip():
                    found.setdefault(response.agency, {}).setdefault(page, []).append(text)
    return found


def counted_responses(db: Session, assessment: Assessment) -> list[Response]:
    """The submitted responses the organiser did not exclude, oldest first."""
    return list(db.scalars(select(Response).where(
        Response.assessment_id == assessment.id, Response.status == ResponseStatus.SUBMITTED,
        Response.excluded.is_(False)).order_by(Response.id)))


def _counted(db: Session, assessment: Assessment,
             responses: Sequence[Response] | None) -> Sequence[Response]:
    """`responses` when the caller read them already, else the round's counted responses."""
    return counted_responses(db, assessment) if responses is None else responses


def practitioners_by_agency(db: Session, assessment: Assessment,
                            responses: Sequence[Response] | None = None) -> dict[str, int]:
    """Distinct practitioners per agency: a link counts at most as many as it was sent to."""
    kept = retained_input(assessment)
    if kept is not None:
        return {str(agency): int(n) for agency, n in (kept.get("practitioners") or {}).items()}
    capacity = {str(i.id): i.capacity for i in assessment.invitations}
    screened = [screening.Submitted(r.public_id, r.agency, str(r.invitation_id or r.agency),
                                    r.answers or {})
                for r in _counted(db, assessment, responses)]
    return screening.distinct_practitioners(screened, capacity)


def score_assessment(db: Session, assessment: Assessment) -> tuple[Questionnaire, Result, Roadmap]:
    """Score an assessment's submitted answers on its own questionnaire version; the roadmap's
    legal actions follow the law of the municipality's jurisdiction."""
    q = questionnaire_of(assessment)
    result = score(q, submitted_answers(db, assessment, q), context=round_context(assessment))
    return q, result, apply_legal(build_roadmap(q, result, run_by=run_by(db, assessment)),
                                  q, result, legal_profile_of(assessment))


def publish_assessment(db: Session, assessment: Assessment) -> tuple[Questionnaire, Published]:
    """Score an assessment and compute the one view of it that may be published."""
    q = questionnaire_of(assessment)
    # read once: the answers, the practitioners, the ratings and the link sizes all come from
    # them (none when the retention period removed them: each then reads what was kept)
    responses = [] if retained_input(assessment) is not None else counted_responses(
        db, assessment)
    result = score(q, submitted_answers(db, assessment, q, responses),
                   context=round_context(assessment))
    workshop = assessment.mode == Mode.WORKSHOP
    counts = None if workshop else practitioners_by_agency(db, assessment, responses)
    held = plan_before(db, assessment)
    previous = previous_closed(db, assessment) if held else None
    return q, publish(q, result, workshop=workshop, respondents_by_agency=counts,
                      assessed_on=assessment.conducted_on,
                      planned_from=(assessment.closed_at or _now()).date(), held=held,
                      before=scores_of(db, previous), before_facts=facts_of(q, previous),
                      profile=legal_profile_of(assessment), run_by=run_by(db, assessment),
                      agreed=workshop_agencies(assessment),
                      ratings=workshop_ratings(db, assessment, responses),
                      sent_to=None if workshop else sent_to(db, assessment, responses))


def plan_before(db: Session, assessment: Assessment) -> list[Held]:
    """The municipality's tracked actions from the rounds before `assessment` (or from a round
    since deleted), oldest first: what its roadmap must not propose again as new. An action
    closing `assessment` re-opened counts with the status it had before, so the round keeps
    saying it proposed that action again."""
    rows = db.scalars(
        select(PlanAction).outerjoin(Assessment, Assessment.id == PlanAction.assessment_id)
        .where(PlanAction.municipality_id == assessment.municipality_id,
               (PlanAction.assessment_id.is_(None)) | (Assessment.round < assessment.round)
               | (PlanAction.assessment_id == assessment.id))
        .order_by(PlanAction.id))
    held = []
    for action in rows:
        status: str | None = action.status
        if action.assessment_id == assessment.id:
            status = reopened_from(action, assessment.round)
        if status is not None:
            held.append(Held(action.action, action.title, status, action.dimension,
                             action.due_on))
    return held


def reopened_from(action: PlanAction, round_number: int) -> str | None:
    """The status a tracked action had before closing round `round_number` re-opened it for
    that round (None: that round did not re-open it)."""
    events = sorted(action.events, key=lambda e: e.id)
    marks = [n for n, e in enumerate(events) if e.field == "round" and e.after == str(round_number)]
    if not marks:
        return None
    before = events[:marks[-1]]
    return next((e.before for e in reversed(before) if e.field == "status"), action.status)


def previous_closed(db: Session, assessment: Assessment) -> Assessment | None:
    """The municipality's last closed round before `assessment`, if any."""
    return db.scalars(select(Assessment).where(
        Assessment.municipality_id == assessment.municipality_id,
        Assessment.status == Status.CLOSED, Assessment.round < assessment.round)
        .order_by(Assessment.round.desc()).limit(1)).first()


def scores_of(db: Session, assessment: Assessment | None) -> dict[str, float | None]:
    """A closed round's stored score per dimension ({} for no round)."""
    if assessment is None:
        return {}
    rows = db.execute(select(Score.dimension, Score.score)
                      .where(Score.assessment_id == assessment.id))
    return {dimension: score for dimension, score in rows}


def facts_of(q: Questionnaire, assessment: Assessment | None) -> RoundFacts | None:
    """A closed round's comparison facts from its stored result (None: no round or result)."""
    if assessment is None or assessment.result is None:
        return None
    return stored_facts(q, assessment.round, assessment.result.result or {},
                        workshop=assessment.mode == Mode.WORKSHOP)


def workshop_ratings(db: Session, assessment: Assessment,
                     responses: Sequence[Response] | None = None) -> dict[str, dict[str, Any]]:
    """{agency: {item id: {option value: participants}}}: the counted workshop responses'
    participants' ratings given before agreeing (consensus mode); no names exist to read."""
    kept = retained_input(assessment)
    if kept is not None and "ratings" in kept:
        return {str(a): dict(r) for a, r in (kept["ratings"] or {}).items()}
    agreed = workshop_agencies(assessment)
    return {r.agency: dict(r.ratings or {}) for r in _counted(db, assessment, responses)
            if r.agency in agreed and r.ratings}


def sent_to(db: Session, assessment: Assessment,
            responses: Sequence[Response] | None = None) -> dict[str, int | None]:
    """Per agency, the practitioners its links were stated to go to (None when a link that
    took answers has no stated size; an unused link without one is left out): published
    beside the respondents, so that the agencies reading the results can see a size stated
    larger than they know it to be."""
    kept = retained_input(assessment)
    if kept is not None and "sent_to" in kept:
        return {str(a): None if n is None else int(n) for a, n in kept["sent_to"].items()}
    used = {r.invitation_id for r in _counted(db, assessment, responses)}
    out: dict[str, int | None] = {}
    for invitation in assessment.invitations:
        if invitation.capacity is None and invitation.id not in used:
            continue
        before = out.get(invitation.agency, 0)
        size = invitation.capacity
        out[invitation.agency] = None if before is None or size is None else before + size
    return out


def run_by(db: Session, assessment: Assessment) -> str | None:
    """Who ran the round, from its organiser's role: an advisor is a mobile team, a
    municipality coordinator the municipality itself; unknown otherwise."""
    if assessment.created_by_id is None:
        return None
    creator = db.get(User, assessment.created_by_id)
    roles = {Role.ADVISOR: "mobile_team", Role.MUNICIPALITY_COORDINATOR: "municipality"}
    return roles.get(Role(creator.role)) if creator is not None else None


def close_assessment(db: Session, assessment: Assessment) -> Result:
    """Close the assessment: score it and store its scores, result and roadmap.

    The assessment's row is locked first, so a second, concurrent close waits and is refused.
    """
    lock(db, assessment)
    require_open(assessment)
    if not counted_responses(db, assessment):
        raise ServiceError(_l("No submitted answers yet: there is nothing to score"))
    assessment.closed_at = _now()  # first: the roadmap's due dates count from it
    q, published = publish_assessment(db, assessment)
    result = published.result  # stored as published: the API and national figures read these
    roadmap = published.roadmap or replace(build_roadmap(q, result), actions=())
    assessment.status = Status.CLOSED
    for dimension in result.dimensions:
        db.add(Score(assessment=assessment, dimension=dimension.id, score=dimension.score,
                     level=dimension.level, answered_share=dimension.answered_share,
                     dont_know_share=dimension.dont_know_share, spread=dimension.spread,
                     divergent=dimension.divergent))
    db.add(AssessmentResult(assessment=assessment, respondents=result.respondents,
                            overall=result.overall, stage=result.stage,
                            result={**result_to_dict(result), **published_to_dict(published)},
                            roadmap=roadmap_to_dict(roadmap)))
    db.add_all(AssessmentFinding(assessment_id=assessment.id, kind=kind, finding=ident)
               for kind, ident in finding_rows(result))
    db.flush()
    return result


# ---------------------------------------------------------------- audit


def record_audit(db: Session, user: User | None, action: str, obj: Any,
                 municipality: Municipality | None = None, detail: str = "") -> None:
    """Log that `user` did `action` on `obj`, without any content (`services.audit`)."""
    audit.record_object(db, user, action, obj, municipality, detail)
