"""People and places: how accounts are named (display name, organisation, e-mail) and advisors
assigned to many municipalities at once. Use cases over a session: they flush, never commit,
and each change is audited without its content.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.core.names import name_problem
from readiness.models import Municipality, Role, User
from readiness.services.assessments import ServiceError, record_audit
from readiness.translate import gettext as _
from readiness.translate import lazy_gettext as _l
from readiness.translate import upper_first

NAME_MAX = 120
EMAIL_MAX = 254
FOUND_MAX = 50  # municipalities listed by a search on the assignment form
ALL_REGIONS = "*"  # the region part of a key that takes a whole country
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def shown_name(user: User) -> str:
    """How a person is named on covers and in lists: "Display name (Organisation)", falling back
    to the username."""
    name = user.display_name or user.username
    return f"{name} ({user.organisation})" if user.organisation else name


def public_name(user: User | None) -> str:
    """How an organiser is named to readers outside the app (invitation packs, PDF covers):
    their display name (with organisation), else their role in the reader's language; never
    their login. Empty when unknown."""
    if user is None:
        return ""
    if user.display_name:
        return shown_name(user)
    roles = {Role.ADVISOR: _("an advisor of the mobile team"),
             Role.MUNICIPALITY_COORDINATOR: _("the municipality's coordinator"),
             Role.NATIONAL_COORDINATOR: _("the national coordinator")}
    role = roles.get(Role(user.role), _("the team running the assessment"))
    return f"{user.organisation} ({role})" if user.organisation else upper_first(role)


def _clean_name(text: str, what: str) -> str:
    if problem := name_problem(text, what):
        raise ServiceError(problem)
    text = " ".join(text.split())
    if len(text) > NAME_MAX:
        raise ServiceError(_l("Use at most %(max)d characters", max=NAME_MAX))
    return text


def clean_email(text: str) -> str | None:
    """An e-mail address in its stored form (lower case), None for a blank one; ServiceError
    for anything else."""
    text = text.strip().lower()
    if not text:
        return None
    if len(text) > EMAIL_MAX or name_problem(text, "e-mail address") or not _EMAIL.fullmatch(text):
        raise ServiceError(_l("Enter an e-mail address such as name@example.org"))
    return text


def update_profile(db: Session, actor: User | None, user: User, display_name: str,
                   organisation: str, email: str) -> None:
    """Set how `user` is named and their e-mail address (blank: none); names with control or
    text-direction characters are refused (`core.names`). Audited when something changed."""
    name, org = _clean_name(display_name, "display name"), _clean_name(organisation,
                                                                       "organisation")
    address = clean_email(email)
    if (name, org, address) == (user.display_name, user.organisation, user.email):
        return
    user.display_name, user.organisation, user.email = name, org, address
    record_audit(db, actor, "profile_changed", user)
    db.flush()


@dataclass(frozen=True)
class Region:
    """A country's region with how many municipalities it holds."""

    country: str
    region: str
    count: int

    @property
    def key(self) -> str:
        """The region as one form value: "CC|region"."""
        return f"{self.country}|{self.region}"


def regions(db: Session) -> list[Region]:
    """Each country (region ALL_REGIONS) followed by its regions that have municipalities,
    with their counts."""
    rows = db.execute(select(Municipality.country, Municipality.region, func.count())
                      .group_by(Municipality.country, Municipality.region)
                      .order_by(Municipality.country, Municipality.region)).all()
    by_country: dict[str, list[Region]] = {}
    for country, region, count in rows:
        by_country.setdefault(country, []).append(Region(country, region, count))
    found: list[Region] = []
    for country, parts in by_country.items():
        found.append(Region(country, ALL_REGIONS, sum(r.count for r in parts)))
        found.extend(parts)
    return found


def in_region(db: Session, key: str) -> list[Municipality]:
    """The municipalities of a region given as "CC|region" (a blank region: the country's
    municipalities without one; "CC|*": the whole country); none for a malformed key."""
    country, _, region = key.partition("|")
    if not country or len(country) != 2:
        return []
    where = [Municipality.country == country]
    if region != ALL_REGIONS:
        where.append(Municipality.region == region)
    return list(db.scalars(select(Municipality).where(*where).order_by(Municipality.name)))


def find_municipalities(db: Session, text: str, exclude: Sequence[Municipality] = (),
                        limit: int | None = FOUND_MAX) -> list[Municipality]:
    """Municipalities whose name or region contains `text` (all for a blank text), by name,
    except `exclude`; at most `limit`."""
    query = select(Municipality).order_by(Municipality.name, Municipality.country)
    text = text.strip()
    if text:
        query = query.where(Municipality.name.icontains(text, autoescape=True)
                            | Municipality.region.icontains(text, autoescape=True))
    ids = [m.id for m in exclude]
    if ids:
        query = query.where(Municipality.id.not_in(ids))
    return list(db.scalars(query.limit(limit)))


def assign_many(db: Session, actor: User, user: User,
                municipalities: Sequence[Municipality]) -> int:
    """Let an advisor work with each of `municipalities`; how many were new. Each new
    assignment is audited, as one at a time would be."""
    if user.role != Role.ADVISOR:
        raise ServiceError(_l("Only advisors are assigned to municipalities"))
    have = {m.id for m in user.assigned}
    added = 0
    for municipality in municipalities:
        if municipality.id not in have:
            user.assigned.append(municipality)
            have.add(municipality.id)
            record_audit(db, actor, "advisor_assigned", user, municipality,
                         detail="many at once")
            added += 1
    db.flush()
    return added
