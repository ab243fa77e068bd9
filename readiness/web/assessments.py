"""Organisers' pages: municipalities, assessments, invitation links, progress, closing."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from readiness import auth
from readiness.db import get_session
from readiness.models import Municipality

bp = Blueprint("assessments", __name__)


@bp.route("/")
@auth.login_required
def index() -> ResponseReturnValue:
    """The municipalities the signed-in user may see."""
    user = auth.require_user()
    municipalities = get_session().scalars(
        select(Municipality).where(auth.municipality_filter(user))
        .order_by(Municipality.country, Municipality.name)).all()
    return render_template("assessments/index.html", municipalities=municipalities)
