"""The respondent's use cases, and the workshop's: they flush, never commit.

A respondent has no account. The invitation link's token finds the invitation; a second random
secret, kept in the respondent's browser, finds their own response, so the same link resumes for
the same browser while colleagues of the same agency get responses of their own. A short resume
code, as good as that secret, moves the response to another browser through the same link. All
three are stored only as hashes. Nothing identifying a person is stored with the answers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import Session, object_session

from readiness.core.names import unsafe_characters
from readiness.core.questionnaire import Questionnaire
from readiness.core.schema import DONT_KNOW, Dimension
from readiness.models import (
    Assessment,
    Invitation,
    InvitationState,
    Municipality,
    Response,
    ResponseStatus,
    Status,
    day_stamp,
)
from readiness.services.assessments import EditConflict, ServiceError, lock, records_in_workshop
from readiness.services.link_places import is_full, sent_through
from readiness.tokens import hash_token, new_resume_code, new_token, normalise_resume_code
from readiness.translate import lazy_gettext as _l

MAX_TOKEN_LENGTH = 128


def pages(q: Questionnaire) -> list[Dimension]:
    """The survey's pages: one per dimension that has statements, in questionnaire order."""
    return [d for d in q.doc.dimensions if q.items_of(d.id)]


def find_invitation(db: Session, token: str) -> Invitation | None:
    """The invitation a link's token opens (in any state), or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return db.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))


@dataclass(frozen=True)
class OpenedLink:
    """What a survey page reads of an invitation link, its round and municipality: the
    columns the pages use, read without building ORM objects (a write loads those by id)."""

    invitation_id: int
    public_id: str
    agency: str
    state: str
    assessment_id: int
    round_status: str
    closes_on: date | None
    opens_on: date  # the round's date: its links take no answers before that day
    questionnaire_id: str
    questionnaire_version: str
    municipality: str
    country: str

    @property
    def accepts_answers(self) -> bool:
        """An active link of an open assessment (as `accepts_answers`)."""
        return self.state == InvitationState.ACTIVE and self.round_status == Status.OPEN


@dataclass(frozen=True)
class OpenedResponse:
    """What a survey page reads of the response this browser started through a link."""

    id: int
    status: str
    language: str | None
    answers: dict[str, Any]
    comments: dict[str, Any]
    resume_code_hash: str | None


_LINK_COLUMNS = (Invitation.id, Invitation.public_id, Invitation.agency, Invitation.state,
                 Assessment.id, Assessment.status, Assessment.closes_on, Assessment.conducted_on,
                 Assessment.questionnaire_id, Assessment.questionnaire_version,
                 Municipality.name, Municipality.country)
_RESPONSE_COLUMNS = (Response.id, Response.status, Response.language, Response.answers,
                     Response.comments, Response.resume_code_hash)
_LINK = (select(*_LINK_COLUMNS)
         .join(Assessment, Assessment.id == Invitation.assessment_id)
         .join(Municipality, Municipality.id == Assessment.municipality_id)
         .where(Invitation.token_hash == bindparam("token_hash")))
_LINK_AND_RESPONSE = _LINK.add_columns(*_RESPONSE_COLUMNS).outerjoin(Response, and_(
    Response.invitation_id == Invitation.id, Response.resume_hash == bindparam("resume_hash")))
_LINK_WIDTH = len(_LINK_COLUMNS)


def open_link(db: Session, token: str,
              secret: str | None) -> tuple[OpenedLink, OpenedResponse | None] | None:
    """What a survey request needs, in one query: the invitation a link's token opens (in any
    state) with its round and municipality, and the response this browser started through it
    (None without one); None when the token opens nothing. The same rows as `find_invitation`
    and `find_response`, read as plain columns in one round trip."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row: Any
    if not secret or len(secret) > MAX_TOKEN_LENGTH:
        row = db.connection().execute(_LINK, {"token_hash": hash_token(token)}).first()
    else:
        row = db.connection().execute(_LINK_AND_RESPONSE, {
            "token_hash": hash_token(token), "resume_hash": hash_token(secret)}).first()
    if row is None:
        return None
    response: tuple[Any, ...] = tuple(row[_LINK_WIDTH:])
    return (OpenedLink(*row[:_LINK_WIDTH]),
            OpenedResponse(*response) if response and response[0] is not None else None)


def invitation_by_id(db: Session, invitation_id: int) -> Invitation:
    """The invitation an opened link read, as an ORM object to change (loaded alone: a row
    lock on it, PostgreSQL's FOR UPDATE, must not reach into a joined round)."""
    invitation = db.get(Invitation, invitation_id)
    if invitation is None:  # deleted since it was read: in the same transaction, never
        raise ServiceError(_l("This survey is closed"))
    return invitation


def response_by_id(db: Session, response_id: int) -> Response:
    """The response an opened link read, as an ORM object to change."""
    response = db.get(Response, response_id)
    if response is None:
        raise ServiceError(_l("These answers were already sent"))
    return response


def accepts_answers(invitation: Invitation) -> bool:
    """An active link of an open assessment."""
    return (invitation.state == InvitationState.ACTIVE
            and invitation.assessment.status == Status.OPEN)


def find_by_join_code(db: Session, code: str) -> Invitation | None:
    """The active link a (normalised) join code opens, in an open or closed round; None for a
    code no active link has (mistyped, or its link withdrawn or reissued)."""
    return db.scalar(select(Invitation).where(
        Invitation.join_code_hash == hash_token(code),
        Invitation.state == InvitationState.ACTIVE).limit(1))


class LinkFull(ServiceError):
    """A link sent as many answers as the practitioners it was sent to (`link_places`)."""

    def __init__(self, message: object, sent: int = 0) -> None:
        super().__init__(message)
        self.sent = sent


def start_response(db: Session, invitation: Invitation,
                   language: str | None = None) -> tuple[Response, str]:
    """A new, empty response for one practitioner in the language they chose; returns it and
    the browser's secret."""
    if not accepts_answers(invitation):
        raise ServiceError(_l("This survey is closed"))
    lock(db, invitation)  # two starts at once cannot both take the last place
    if is_full(db, invitation):  # answers started but not sent hold no place (link_places)
        raise LinkFull(_l("This link has taken as many responses as it was sent to "
                          "practitioners"))
    secret = new_token()
    response = Response(assessment_id=invitation.assessment_id, invitation_id=invitation.id,
                        agency=invitation.agency, resume_hash=hash_token(secret),
                        status=ResponseStatus.IN_PROGRESS, answers={}, comments={},
                        language=language)
    db.add(response)
    db.flush()
    return response, secret


def find_response(db: Session, invitation: Invitation, secret: str | None) -> Response | None:
    """The response this browser started through this link, or None."""
    if not secret or len(secret) > MAX_TOKEN_LENGTH:
        return None
    return db.scalar(select(Response).where(Response.resume_hash == hash_token(secret),
                                            Response.invitation_id == invitation.id))


def _code_hash(code: str) -> str:
    return hash_token(f"resume-code\0{code}")


def issue_resume_code(db: Session, response: Response) -> str:
    """A new resume code for a response in progress, replacing any earlier one; returned once
    and stored only as a hash."""
    code = new_resume_code()
    response.resume_code_hash = _code_hash(code)
    db.flush()
    return code


def code_matches(response: Response | OpenedResponse, code: str | None) -> bool:
    """Whether `code` is the response's current resume code."""
    clean = normalise_resume_code(code)
    return bool(clean and response.resume_code_hash == _code_hash(clean))


def resume_with_code(db: Session, invitation: Invitation,
                     code: str | None) -> tuple[Response, str] | None:
    """Move the response that `code` continues, through this link only, to a new browser: it
    gets a new browser secret (returned), so the browser it came from needs the code again.
    None for a code that continues nothing on this link, whatever it may continue elsewhere."""
    clean = normalise_resume_code(code)
    if clean is None or not accepts_answers(invitation):
        return None
    response = db.scalar(select(Response).where(Response.resume_code_hash == _code_hash(clean),
                                                Response.invitation_id == invitation.id))
    if response is None:
        return None
    secret = new_token()
    response.resume_hash = hash_token(secret)
    db.flush()
    return response, secret


def _valid_answers(q: Questionnaire, answers: Mapping[str, str]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for item_id, value in answers.items():
        item = q.items_by_id.get(item_id)
        if item is None or item.dimension is None:
            raise ServiceError(_l("Unknown statement %(item)s", item=repr(item_id)))
        if value != DONT_KNOW and value not in {o.value for o in q.options(item)}:
            raise ServiceError(_l("%(value)s is not an answer to %(item)s",
                                  value=repr(value), item=repr(item_id)))
        clean[item_id] = value
    return clean


def _merge_comments(current: Mapping[str, str], new: Mapping[str, str]) -> dict[str, str]:
    if any(unsafe_characters(text, free_text=True) for text in new.values()):
        raise ServiceError(_l("Remove the invisible control characters or text-direction marks "
                              "from this text"))
    merged = dict(current)
    for dimension, text in new.items():
        if text.strip():
            merged[dimension] = text.strip()
        else:
            merged.pop(dimension, None)
    return merged


def save_answers(q: Questionnaire, response: Response, answers: Mapping[str, str],
                 comments: Mapping[str, str]) -> None:
    """Add or change answers and page comments of a response still in progress.

    An empty comment removes the page's comment. Unknown statements or answers are refused.
    The response's row is locked and re-read first, so two tabs saving different pages at the
    same time both keep their answers.
    """
    session = object_session(response)
    if session is not None:
        lock(session, response)
    response.answers, response.comments = _merged(
        q, response.status, response.assessment.status, response.answers, response.comments,
        answers, comments)
    response.updated_at = day_stamp()


_LOCKED_RESPONSE = (select(Response.status, Assessment.status, Response.answers,
                           Response.comments)
                    .join(Assessment, Assessment.id == Response.assessment_id)
                    .where(Response.id == bindparam("response_id"))
                    .with_for_update(of=Response.__table__))
_SAVE = (update(Response).where(Response.id == bindparam("response_id"))
         .values(answers=bindparam("answers"), comments=bindparam("comments"),
                 updated_at=bindparam("updated_at")))


def save_page(db: Session, q: Questionnaire, response_id: int, answers: Mapping[str, str],
              comments: Mapping[str, str]) -> None:
    """`save_answers` for the response with this id (as `open_link` read it), in two plain
    statements: its row and its round's status read under the row's lock, then the merged
    answers written, so two tabs saving different pages at the same time both keep theirs.
    An ORM object of this response loaded in the session is not refreshed."""
    db.flush()  # anything pending (a new resume code) goes first
    connection = db.connection()
    row = connection.execute(_LOCKED_RESPONSE, {"response_id": response_id}).first()
    if row is None:  # deleted with its round since the page was opened
        raise ServiceError(_l("This survey is closed"))
    status, round_status, stored_answers, stored_comments = row
    merged_answers, merged_comments = _merged(q, status, round_status, stored_answers,
                                              stored_comments, answers, comments)
    connection.execute(_SAVE, {"response_id": response_id, "answers": merged_answers,
                               "comments": merged_comments, "updated_at": day_stamp()})


def _merged(q: Questionnaire, status: str, round_status: str, stored_answers: Mapping[str, Any],
            stored_comments: Mapping[str, str], answers: Mapping[str, str],
            comments: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers and comments of a response in progress with these added; refused when it
    was sent or its round is no longer open, or an answer is unknown."""
    if status != ResponseStatus.IN_PROGRESS:
        raise ServiceError(_l("These answers were already sent"))
    if round_status != Status.OPEN:
        raise ServiceError(_l("This survey is closed"))
    return ({**stored_answers, **_valid_answers(q, answers)},
            _merge_comments(stored_comments, comments))


def missing(q: Questionnaire, response: Response | OpenedResponse,
            dimension: str | None = None) -> list[str]:
    """The statements (of one page, or all) not answered yet; "don't know" counts as an answer."""
    dimensions = [dimension] if dimension else [d.id for d in pages(q)]
    return [item.id for d in dimensions for item in q.items_of(d)
            if item.id not in response.answers]


def submit_response(db: Session, response: Response) -> bool:
    """Send a complete response once: True the first time, False for any repeat.

    The assessment's row is read under a shared lock (PostgreSQL: FOR SHARE; SQLite serialises
    writers anyway), so closing or cancelling the round, which lock it for update, either waits
    for this answer and counts it, or goes first and this answer is refused: never a sent answer
    that a cancel deletes uncounted or a close leaves unscored.
    """
    db.flush()
    status = db.scalar(select(Assessment.status).where(Assessment.id == response.assessment_id)
                       .with_for_update(read=True))
    if status != Status.OPEN:
        raise ServiceError(_l("This survey is closed"))
    _refuse_past_capacity(db, response)
    now = day_stamp()
    result = db.execute(
        update(Response)
        .where(Response.id == response.id, Response.status == ResponseStatus.IN_PROGRESS)
        .values(status=ResponseStatus.SUBMITTED, submitted_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    db.refresh(response)
    return bool(getattr(result, "rowcount", 0) == 1)


def _refuse_past_capacity(db: Session, response: Response) -> None:
    """Refuse with `LinkFull` to send an answer through a link that already sent as many as it
    was sent to (`link_places`); the answer stays in progress. The link's row is locked first,
    so two answers sent at once cannot both take its last place. A repeat is not refused here:
    `submit_response` answers it with False."""
    if response.invitation_id is None:
        return
    capacity = db.scalar(select(Invitation.capacity).where(
        Invitation.id == response.invitation_id).with_for_update())
    still = db.scalar(select(Response.status).where(Response.id == response.id))
    if capacity is None or still != ResponseStatus.IN_PROGRESS:
        return
    sent = sent_through(db, response.invitation_id)
    if sent >= capacity:
        raise LinkFull(_l("This link has taken as many responses as it was sent to "
                          "practitioners"), sent=sent)


def workshop_response(db: Session, assessment: Assessment, agency: str) -> Response | None:
    """The answers an agency agreed in the workshop, if recorded (None for an agency that
    answers by survey, link or no link: `services.assessments.records_in_workshop`)."""
    if not records_in_workshop(assessment, agency):
        return None
    return db.scalar(select(Response).where(Response.assessment_id == assessment.id,
                                            Response.agency == agency)
                     .order_by(Response.id).limit(1))


def workshop_version(recorded: Response | None) -> str:
    """A short fingerprint of an agency's recorded workshop answers, comments and ratings: the
    workshop page carries the one it was opened on, so a save over someone else's newer
    answers is caught (the same for nothing recorded as for empty answers)."""
    content = {"answers": recorded.answers, "comments": recorded.comments,
               "ratings": recorded.ratings} if recorded else {}
    text = json.dumps({"answers": {}, "comments": {}, "ratings": {}, **content}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check_workshop_version(db: Session, assessment: Assessment, agency: str,
                           version: str | None) -> None:
    """Refuse with `EditConflict` when the agency's workshop answers changed since `version`
    (None or "": not checked), under the round's row lock so that two saves cannot both pass."""
    if not version:
        return
    lock(db, assessment)
    recorded = workshop_response(db, assessment, agency)
    if recorded is not None:
        db.refresh(recorded)  # as saved now, not as this session first read it
    if workshop_version(recorded) != version:
        raise EditConflict("someone else saved this agency's workshop answers since you "
                           "opened them")


MAX_PARTICIPANTS = 200  # participants rating one statement: more is a typing error


def _valid_ratings(q: Questionnaire, ratings: Mapping[str, Mapping[str, int]]
                   ) -> dict[str, dict[str, int]]:
    """{item id: {value: participants}} with statements, values and counts checked; zero counts
    and statements nobody rated are left out."""
    clean: dict[str, dict[str, int]] = {}
    for item_id, counts in ratings.items():
        item = q.items_by_id.get(item_id)
        if item is None or item.dimension is None:
            raise ServiceError(_l("Unknown statement %(item)s", item=repr(item_id)))
        allowed = {o.value for o in q.options(item)} | {DONT_KNOW}
        for value, count in counts.items():
            if value not in allowed:
                raise ServiceError(_l("%(value)s is not an answer to %(item)s",
                                      value=repr(value), item=repr(item_id)))
            if not isinstance(count, int) or not 0 <= count <= MAX_PARTICIPANTS:
                raise ServiceError(_l("A number of participants is from 0 to %(max)d",
                                      max=MAX_PARTICIPANTS))
        given = {v: n for v, n in counts.items() if n > 0}
        if given:
            clean[item_id] = given
    return clean


def save_workshop(db: Session, q: Questionnaire, assessment: Assessment, agency: str,
                  answers: Mapping[str, str], comments: Mapping[str, str],
                  ratings: Mapping[str, Mapping[str, int]] | None = None,
                  version: str | None = None) -> Response:
    """Record (or correct) the answers one agency agreed on in a facilitated workshop, and
    (consensus mode) how many participants gave each rating first: `ratings` replaces the
    ratings of the statements it names, others stay. With `version` (the page's
    `workshop_version`), answers saved by someone else since are refused with `EditConflict`."""
    if not records_in_workshop(assessment, agency):
        if agency in assessment.agencies:
            raise ServiceError(_l("This agency answers through survey links"))
        raise ServiceError(_l("%(agency)s does not take part in this assessment",
                              agency=repr(agency)))
    if assessment.status != Status.OPEN:
        raise ServiceError(_l("This assessment is closed"))
    clean = _valid_answers(q, answers)
    rated = _valid_ratings(q, ratings or {})
    check_workshop_version(db, assessment, agency, version)
    now = day_stamp()
    response = workshop_response(db, assessment, agency)
    if response is None:
        response = Response(assessment_id=assessment.id, agency=agency, answers={}, comments={},
                            status=ResponseStatus.SUBMITTED, created_at=now)
        db.add(response)
    response.answers = clean
    response.comments = _merge_comments({}, comments)
    kept = {k: v for k, v in (response.ratings or {}).items() if k not in (ratings or {})}
    response.ratings = {**kept, **rated}
    response.updated_at = response.submitted_at = now
    db.flush()
    return response
