"""How many answers a link with a stated size takes: the one rule that starting and sending
an answer, reissuing and resizing a link, the round page and the next round's form all read.

A link is sent to N practitioners (its `capacity`). It takes at most N **sent** answers:

- anyone holding the link may start while fewer than N answers were sent through it; an answer
  started but not sent holds no place, so a colleague who opened the link and left never turns
  the next practitioner away;
- sending is refused once N answers were sent through it; the refused answers are kept (in
  progress), so the organiser can raise the number and the practitioner can then send them.

The guarantee against padding (one person answering many times to make an agency look bigger)
is unchanged: however many are started, no more answers are sent, and so counted, than the
number the organiser stated and the results publish beside the agency's respondents.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.models import Assessment, Invitation, InvitationState, Response, ResponseStatus


def sent_through(db: Session, invitation_id: int) -> int:
    """How many answers were sent through one link (started ones not counted)."""
    return db.scalar(select(func.count()).select_from(Response).where(
        Response.invitation_id == invitation_id,
        Response.status == ResponseStatus.SUBMITTED)) or 0


def places_left(db: Session, invitation: Invitation) -> int | None:
    """How many more answers a link may send (never below 0); None for a link of no stated
    size, which takes any number."""
    if invitation.capacity is None:
        return None
    return max(0, invitation.capacity - sent_through(db, invitation.id))


def is_full(db: Session, invitation: Invitation) -> bool:
    """Whether a link already sent as many answers as the practitioners it was sent to."""
    return places_left(db, invitation) == 0


def stated_sizes(db: Session, assessment: Assessment) -> dict[str, int]:
    """{agency: practitioners its links went to} for the agencies whose every link that sent
    answers had a stated size (`link_sizes`)."""
    return {agency: n for agency, n in link_sizes(db, assessment).items()
            if agency in assessment.agencies and n is not None and n > 0}


def link_sizes(db: Session, assessment: Assessment,
               answered: Callable[[Invitation], int] | None = None) -> dict[str, int | None]:
    """{agency: practitioners its links went to}, None when a link that sent answers has no
    stated size (a link of no size that sent none is left out). A withdrawn link followed by
    another link of its agency counts the answers it sent (a reissued link's size is already
    the rest, `reissue_invitation`), so a reissue is not counted twice; any other link counts
    its stated size. `answered` counts a link's answers (default: those sent through it)."""
    count = answered or (lambda invitation: sent_through(db, invitation.id))
    sizes: dict[str, int | None] = {}
    links = sorted(assessment.invitations, key=lambda i: i.id)
    for n, invitation in enumerate(links):
        before = sizes.get(invitation.agency, 0)
        if invitation.capacity is None:
            if count(invitation):
                sizes[invitation.agency] = None
            continue
        reissued = invitation.state != InvitationState.ACTIVE and any(
            later.agency == invitation.agency for later in links[n + 1:])
        size = min(invitation.capacity, count(invitation)) if reissued else invitation.capacity
        sizes[invitation.agency] = None if before is None else before + size
    return sizes
