"""`/healthz` for a reverse proxy or orchestrator: 200 when the app answers and its database
does, 503 otherwise. No sign-in, no audit, no content beyond the two words."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from readiness.db import get_session

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    """Whether the app and its database answer (a `SELECT 1`)."""
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
