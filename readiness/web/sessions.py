"""Signed-in browsers in the browser: everyone's own (`/account/sessions`) and an admin's
"sign them out everywhere" on a user's page. Routes are added to the `account` and `users`
blueprints of `readiness.web.users`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from readiness import auth
from readiness.db import get_session
from readiness.services import audit
from readiness.services import sessions as user_sessions
from readiness.services import users as accounts
from readiness.web.forms import ConfirmForm
from readiness.web.users import _load, account, bp

_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


@account.route("/sessions")
@auth.login_required
def sessions() -> ResponseReturnValue:
    """Where you are signed in, this browser first, each with a button that ends it."""
    user = auth.require_user()
    current = auth.current_session()
    rows = user_sessions.of_user(get_session(), user, datetime.now(UTC))
    rows.sort(key=lambda row: current is None or row.id != current.id)
    return render_template("users/sessions.html", rows=rows, current=current,
                           confirm=ConfirmForm())


@account.route("/sessions/<public_id>/end", methods=["POST"])
@auth.login_required
def end_session(public_id: str) -> ResponseReturnValue:
    """End one of your own sessions (another browser's, or this one's: then you are out)."""
    if not _PUBLIC_ID.fullmatch(public_id) or not ConfirmForm().validate_on_submit():
        abort(404 if not _PUBLIC_ID.fullmatch(public_id) else 400)
    user = auth.require_user()
    current = auth.current_session()
    db = get_session()
    if not user_sessions.end_one_of(db, user, public_id):
        abort(404)
    audit.record(db, user, "session_ended", object_type="session", object_id=public_id)
    if current is not None and current.public_id == public_id:
        auth.logout_user()
        flash(_("You are signed out."))
        return redirect(url_for("auth.login"))
    flash(_("That session has ended: the browser that used it is signed out."))
    return redirect(url_for(".sessions"))


@account.route("/sessions/end-others", methods=["POST"])
@auth.login_required
def end_other_sessions() -> ResponseReturnValue:
    """Sign out everywhere but here."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    ended = user_sessions.end_all(db, auth.require_user(), keep=auth.current_session())
    audit.record_object(db, auth.require_user(), "sessions_ended_elsewhere",
                        auth.require_user(), detail=f"{ended} sessions")
    flash(_("You are signed out everywhere else (%(count)d sessions ended).", count=ended))
    return redirect(url_for(".sessions"))


@bp.route("/<public_id>/sessions/end", methods=["POST"])
def end_user_sessions(public_id: str) -> ResponseReturnValue:
    """An admin signs a user out everywhere at once (the account stays active)."""
    user = _load(public_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    ended = accounts.end_sessions(db, auth.require_user(), user)
    flash(_("%(name)s is signed out everywhere (%(count)d sessions ended).",
            name=user.username, count=ended))
    return redirect(url_for(".show", public_id=user.public_id))
