"""A round's invitation links: new ones, reissuing, their shown token and join code, the
stated size, withdrawing, and the round's closing date.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.models import (
    Assessment,
    Invitation,
    InvitationState,
    Mode,
    Status,
)
from readiness.services import link_places
from readiness.services.base import (
    ServiceError,
    _now,
    lock,
    questionnaire_of,
    records_in_workshop,
    require_open,
)
from readiness.services.municipalities import EditConflict
from readiness.tokens import hash_token, join_code, link_token, new_public_id, new_token
from readiness.translate import lazy_gettext as _l

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
