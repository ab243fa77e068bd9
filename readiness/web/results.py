"""Results of a closed assessment."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("results", __name__)
