"""Sign in and out.

A browser that signs in to an account gets a signed "device" cookie naming that account; a later
sign-in to the same account from it counts only its own failures, so a guesser elsewhere cannot
lock its owner out (see `auth.authenticate`).
"""

from __future__ import annotations

import math
import secrets
from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from readiness import auth
from readiness.db import get_session, keep_writes
from readiness.models import Role, User
from readiness.services import audit
from readiness.web.forms import LoginForm

bp = Blueprint("auth", __name__)
DEVICE_COOKIE = "readiness_device"


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="readiness-device")


def device_for(username: str) -> str | None:
    """The device id in this browser's cookie, if the cookie is genuine and names `username`."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return None
    max_age = int(timedelta(days=current_app.config["LOGIN_DEVICE_COOKIE_DAYS"]).total_seconds())
    try:
        value = _devices().loads(cookie, max_age=max_age)
    except BadSignature:
        return None
    if isinstance(value, dict) and value.get("u") == username.strip().lower():
        device = value.get("d")
        return device if isinstance(device, str) else None
    return None


def _remember_device(response: Response, username: str, device: str | None) -> None:
    value = _devices().dumps({"u": username, "d": device or secrets.token_urlsafe(16)})
    config = current_app.config
    response.set_cookie(DEVICE_COOKIE, value, httponly=True, samesite="Lax",
                        secure=config["SESSION_COOKIE_SECURE"],
                        max_age=int(timedelta(days=config["LOGIN_DEVICE_COOKIE_DAYS"])
                                    .total_seconds()))


def _wait_minutes(retry_at: datetime | None) -> int:
    if retry_at is None:
        return current_app.config["LOGIN_WINDOW_SECONDS"] // 60
    return max(1, math.ceil((retry_at - datetime.now(UTC)).total_seconds() / 60))


def _record_failure(db: Session, username: str, outcome: auth.SignIn) -> None:
    """Audit a refused sign-in against the account it named, if one exists; never the text
    typed for an unknown username (it may be a password typed in the wrong field)."""
    named = db.scalar(select(User).where(User.username == username.strip().lower()))
    action = "sign_in_refused_throttled" if outcome.locked else "sign_in_failed"
    audit.record(db, None, action, object_type="user" if named else "",
                 object_id=named.public_id if named else "",
                 detail=f"account {named.username}" if named else "unknown username")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The sign-in page; failed attempts are counted and hold guessers back for a while.
    National coordinators land on their dashboard, everyone else on their municipalities."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        db = get_session()
        username = form.username.data or ""
        device = device_for(username)
        outcome = auth.authenticate(db, username, form.password.data or "",
                                    request.remote_addr or "", device=device)
        if outcome.user is not None:
            auth.login_user(outcome.user)
            audit.record_object(db, outcome.user, "sign_in", outcome.user,
                                detail="known browser" if device else "")
            target = auth.safe_next(request.args.get("next"))
            response = redirect(target or url_for(
                "dashboard.index" if outcome.user.role == Role.NATIONAL_COORDINATOR
                else "assessments.index"))
            _remember_device(response, outcome.user.username, device)
            return response
        _record_failure(db, username, outcome)
        keep_writes()  # the failure counts towards a lock-out, whatever the answer's status
        if outcome.locked:
            form.form_errors.append(_("Too many failed attempts. Wait %(minutes)d minutes and "
                                      "try again.", minutes=_wait_minutes(outcome.retry_at)))
            status = 429
        else:
            form.form_errors.append(_("The username or password is not right."))
            status = 401
    elif form.errors:
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """Sign out (a POST with a CSRF token, so no link elsewhere can sign anyone out): the
    session's row is deleted, so a copied cookie opens nothing afterwards."""
    user = auth.current_user()
    auth.logout_user()
    if user is not None:
        audit.record_object(get_session(), user, "sign_out", user)
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"))
