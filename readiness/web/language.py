"""The language picker: any reader chooses the language of the pages; a signed-in user keeps it."""

from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from readiness.auth import current_user, safe_next
from readiness.db import get_session
from readiness.i18n import shipped
from readiness.services import users

bp = Blueprint("language", __name__)


@bp.route("/language", methods=["POST"])
def choose() -> ResponseReturnValue:
    """Read the pages in the chosen language from now on; back to the page the reader was on."""
    language = shipped(request.form.get("language"))
    back = safe_next(request.form.get("next")) or url_for("auth.login")
    if language is None:
        return redirect(back, code=303)
    session["language"] = language
    user = current_user()
    if user is not None:
        db = get_session()
        users.set_language(db, user, language)
    return redirect(back, code=303)
