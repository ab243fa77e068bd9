"""Erasing an account from the admins' Users area (routes added to `users.bp`, admins only)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from readiness import auth
from readiness.db import get_session
from readiness.services import users as accounts
from readiness.services.users import UserRefused
from readiness.web.forms import DeleteUserForm
from readiness.web.users import _load, _refused, _user_page, bp


@bp.route("/<public_id>/delete", methods=["POST"])
def delete_user(public_id: str) -> ResponseReturnValue:
    """Delete an account for good once its username is typed; audited, nothing else changes."""
    user = _load(public_id)
    form = DeleteUserForm()
    if not form.validate_on_submit():
        return _user_page(user, form)
    if (form.confirm_username.data or "").lower() != user.username:
        form.confirm_username.errors = [_("Type %(name)s exactly to delete this account",
                                          name=user.username)]
        return _user_page(user, form)
    name = user.username
    try:
        accounts.delete_account(get_session(), auth.require_user(), user)
    except UserRefused as refused:
        return _refused(user, refused)
    flash(_("The account %(name)s is deleted.", name=name))
    return redirect(url_for(".index"))
