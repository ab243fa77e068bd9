"""Sign in and out."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from readiness import auth
from readiness.db import get_session, keep_writes
from readiness.models import Role
from readiness.web.forms import LoginForm

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The sign-in page; failed attempts are counted and lock out for a while. National
    coordinators land on their dashboard, everyone else on their municipalities."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        db = get_session()
        outcome = auth.authenticate(db, form.username.data or "", form.password.data or "",
                                    request.remote_addr or "")
        if outcome.user is None:
            keep_writes()  # the failure counts towards a lock-out, whatever the answer's status
        if outcome.user is not None:
            auth.login_user(outcome.user)
            target = auth.safe_next(request.args.get("next"))
            return redirect(target or url_for(
                "dashboard.index" if outcome.user.role == Role.NATIONAL_COORDINATOR
                else "assessments.index"))
        if outcome.locked:
            minutes = current_app.config["LOGIN_WINDOW_SECONDS"] // 60
            form.form_errors.append(_("Too many failed attempts. Wait %(minutes)d minutes and "
                                      "try again.", minutes=minutes))
            status = 429
        else:
            form.form_errors.append(_("The username or password is not right."))
            status = 401
    elif form.errors:
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """Sign out (a POST with a CSRF token, so no link elsewhere can sign anyone out)."""
    auth.logout_user()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"))
