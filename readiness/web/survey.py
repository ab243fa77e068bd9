"""The respondent's journey: no account, only the invitation link /s/<token>."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("survey", __name__, url_prefix="/s")
