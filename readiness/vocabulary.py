"""The fixed vocabularies stored in the database: roles, modes, states, population bands.

Kept apart from `readiness.models` so that the command line can offer them without importing
SQLAlchemy.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user may do; the checks live in `readiness.auth.permissions`."""

    ADMIN = "admin"
    NATIONAL_COORDINATOR = "national_coordinator"
    ADVISOR = "advisor"
    MUNICIPALITY_COORDINATOR = "municipality_coordinator"


class Mode(StrEnum):
    """How answers are collected: practitioners' survey links, or one facilitated workshop."""

    SURVEY = "survey"
    WORKSHOP = "workshop"


class Status(StrEnum):
    """An assessment collects answers while open; closing computes and stores its results."""

    OPEN = "open"
    CLOSED = "closed"


class InvitationState(StrEnum):
    """A revoked invitation link opens nothing."""

    ACTIVE = "active"
    REVOKED = "revoked"


class ResponseStatus(StrEnum):
    """A response is scored only once submitted."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


# Population bands of a municipality (ids stored; labels live with the forms).
POPULATION_BANDS = ("under_10k", "10k_50k", "50k_100k", "100k_250k", "over_250k")


class ActionStatus(StrEnum):
    """Where a tracked roadmap action stands; a dropped action keeps the reason why."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"
