"""Loading a municipality's objects by public id for the current user: 404 when they may not
see it, 403 when they may see but not change it."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from sqlalchemy import select

from readiness.auth.permissions import Access, can
from readiness.auth.sessions import require_user
from readiness.db import get_session
from readiness.models import Assessment, Invitation, Municipality, PlanAction, ShareLink, User
from readiness.tokens import is_public_id


def _check(user: User, access: Access, municipality: Municipality) -> None:
    if not can(user, Access.VIEW, municipality):
        abort(404)
    if not can(user, access, municipality):
        abort(403)


M = TypeVar("M", Municipality, Assessment, Invitation, PlanAction, ShareLink)


def _find(model: type[M], public_id: str) -> M:
    """The object with this public id; 404 for ids no object can have or none has."""
    if not is_public_id(public_id):
        abort(404)  # before reaching the database
    found = get_session().scalar(select(model).where(model.public_id == public_id))
    if found is None:
        abort(404)
    return found


def load_municipality(public_id: str, access: Access = Access.VIEW) -> Municipality:
    """The municipality with this public id, if the current user may have it; else 404/403."""
    user = require_user()
    found = _find(Municipality, public_id)
    _check(user, access, found)
    return found


def load_assessment(public_id: str, access: Access = Access.VIEW) -> Assessment:
    """The assessment with this public id, if the current user may have it; else 404/403."""
    user = require_user()
    found = _find(Assessment, public_id)
    _check(user, access, found.municipality)
    return found


def load_invitation(public_id: str, access: Access = Access.MANAGE) -> Invitation:
    """The invitation with this public id, if the current user may have it; else 404/403."""
    user = require_user()
    found = _find(Invitation, public_id)
    _check(user, access, found.assessment.municipality)
    return found


def load_plan_action(public_id: str, access: Access = Access.MANAGE) -> PlanAction:
    """A tracked plan action of a municipality the current user may have; else 404/403.

    Municipality coordinators and their advisors (and admins) edit; national coordinators read.
    """
    user = require_user()
    found = _find(PlanAction, public_id)
    municipality = get_session().get(Municipality, found.municipality_id)
    if municipality is None:
        abort(404)
    _check(user, access, municipality)
    return found


def load_share_link(public_id: str, access: Access = Access.MANAGE) -> ShareLink:
    """A share link of a municipality the current user may manage; else 404/403."""
    user = require_user()
    found = _find(ShareLink, public_id)
    _check(user, access, found.assessment.municipality)
    return found

