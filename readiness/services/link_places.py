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

from collections import Counter

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
    answers had a stated size. A withdrawn link followed by another link of its agency counts
    the answers it sent (a reissued link's size is already the rest, `reissue_invitation`), so
    a reissue is not counted twice; any other link counts its stated size."""
    sizes: Counter[str] = Counter()
    unstated: set[str] = set()
    links = sorted(assessment.invitations, key=lambda i: i.id)
    for n, invitation in enumerate(links):
        if invitation.capacity is None:  # unknown, unless it never sent an answer
            if sent_through(db, invitation.id):
                unstated.add(invitation.agency)
        elif invitation.state == InvitationState.ACTIVE or not any(
                later.agency == invitation.agency for later in links[n + 1:]):
            sizes[invitation.agency] += invitation.capacity
        else:
            sizes[invitation.agency] += min(invitation.capacity,
                                             sent_through(db, invitation.id))
    return {agency: n for agency, n in sizes.items()
            if agency in assessment.agencies and agency not in unstated and n > 0}
