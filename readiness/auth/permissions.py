"""Who may view or manage what: roles against municipalities, and the checks views call."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask import Flask, abort
from sqlalchemy import ColumnElement, select, true

from readiness.auth.sessions import current_user, require_user
from readiness.models import Municipality, Role, User, advisor_assignment


class Access(StrEnum):
    """What a user wants to do with a municipality's objects."""

    VIEW = "view"
    MANAGE = "manage"



def municipality_filter(user: User) -> ColumnElement[bool]:
    """A WHERE clause on Municipality selecting what `user` may see."""
    if user.role in (Role.ADMIN, Role.NATIONAL_COORDINATOR):
        return true()
    if user.role == Role.ADVISOR:
        assigned = select(advisor_assignment.c.municipality_id).where(
            advisor_assignment.c.user_id == user.id)
        return Municipality.id.in_(assigned)
    if user.role == Role.MUNICIPALITY_COORDINATOR and user.municipality_id is not None:
        return Municipality.id == user.municipality_id
    return Municipality.id.is_(None)


def can(user: User | None, access: Access, municipality: Municipality) -> bool:
    """May `user` view (or manage) `municipality` and everything in it?"""
    if user is None or not user.active:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.NATIONAL_COORDINATOR:
        return access == Access.VIEW
    if user.role == Role.ADVISOR:
        return any(m.id == municipality.id for m in user.assigned)
    if user.role == Role.MUNICIPALITY_COORDINATOR:
        return user.municipality_id == municipality.id
    return False


def can_delete_round(user: User | None, municipality: Municipality) -> bool:
    """May `user` delete a round of `municipality` for good? An admin, or the municipality's
    own coordinator (its rounds are its own data); advisors and national coordinators not."""
    if user is None or not user.active:
        return False
    return user.role == Role.ADMIN or (user.role == Role.MUNICIPALITY_COORDINATOR
                                       and user.municipality_id == municipality.id)


def can_delete_municipality(user: User | None) -> bool:
    """May `user` delete a municipality with all its rounds? Admins only."""
    return user is not None and user.active and user.role == Role.ADMIN


def can_create_municipality(user: User | None) -> bool:
    """Admins and advisors create municipalities; coordinators work in existing ones."""
    return user is not None and user.active and user.role in (Role.ADMIN, Role.ADVISOR)


def can_see_national(user: User | None, admin_only: bool = False) -> bool:
    """May `user` open the national dashboard, exports, API and PDF (admins only if asked)?"""
    if user is None or not user.active:
        return False
    return user.role == Role.ADMIN or (not admin_only and user.role == Role.NATIONAL_COORDINATOR)


def can_manage_users(user: User | None) -> bool:
    """May `user` open the Users area (accounts, roles, assignments, API tokens)? Admins only."""
    return user is not None and user.active and user.role == Role.ADMIN


def require_user_manager() -> User:
    """The signed-in user if they may manage users; 403 for any other role."""
    user = require_user()
    if not can_manage_users(user):
        abort(403)
    return user


def require_national(admin_only: bool = False) -> User:
    """The signed-in user if they may see national views; 403 for any other role."""
    user = require_user()
    if not can_see_national(user, admin_only):
        abort(403)
    return user



def init_app(app: Flask) -> None:
    """Give templates the signed-in user and the access check."""

    @app.context_processor
    def _user() -> dict[str, Any]:
        return {"current_user": current_user(), "can": can, "Access": Access,
                "can_create_municipality": can_create_municipality,
                "can_see_national": can_see_national, "can_manage_users": can_manage_users,
                "can_delete_round": can_delete_round,
                "can_delete_municipality": can_delete_municipality}

