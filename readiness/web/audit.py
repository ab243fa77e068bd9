"""The audit log in the browser, for admins only: filters, pages and a CSV export.

Filters come from the query string (action, actor, object id, from and to dates); a bad date is
a 400 with a message. Opening and exporting the log are events of the log too.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from readiness import auth
from readiness.db import begin_write, get_session
from readiness.national.exports import CSV_MEDIA_TYPE, Sheet, header_cells, neutralise
from readiness.services import audit
from readiness.services.paging import page_number, paginate

bp = Blueprint("audit", __name__, url_prefix="/audit")
PER_PAGE = 100
EXPORT_MAX_ROWS = 100_000


@bp.before_request
@auth.login_required
def _admins_only() -> None:
    """Signed-out visitors go to the sign-in page; roles other than admin get 403."""
    auth.require_user_manager()


def _day(name: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, description=_("Enter dates as YYYY-MM-DD, for example 2026-03-01."))


def _filters() -> audit.Filters:
    since, until = _day("since"), _day("until")
    return audit.Filters(
        since=datetime.combine(since, time(), UTC) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), UTC) if until else None,
        action=(request.args.get("action") or "").strip()[:64] or None,
        actor=(request.args.get("actor") or "").strip()[:80] or None,
        object_id=(request.args.get("object") or "").strip()[:64] or None)


def _note(action: str) -> None:
    db = begin_write()
    audit.record(db, auth.current_user(), action, object_type="audit_log",
                 detail=request.query_string.decode("ascii", "replace")[:200])


@bp.route("/")
def index() -> ResponseReturnValue:
    """The newest events first, 100 to a page, with filters."""
    filters = _filters()
    db = get_session()
    listing = paginate(db, audit.query(filters), page_number(request.args.get("page")),
                       PER_PAGE)
    municipalities = audit.municipality_ids(db)
    rows = [audit.as_row(event, municipalities) for event in listing.items]
    actions = audit.actions(db)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    page = render_template("audit/index.html", listing=listing, rows=rows, actions=actions,
                           args=args)
    _note("view_audit_log")
    return page


def _column_labels() -> dict[str, str]:
    """The audit export's columns as the reader's language names them (beside the codes)."""
    return {"at": _("When (UTC)"), "actor": _("Who"), "source": _("From"),
            "address": _("Network address"), "action": _("Event"),
            "object_type": _("Object type"), "object_id": _("Object id"),
            "municipality": _("Municipality"), "detail": _("Detail")}


@bp.route("/export.csv")
def export() -> ResponseReturnValue:
    """The filtered events as CSV, every cell neutralised against spreadsheet formulas."""
    filters = _filters()
    db = get_session()
    municipalities = audit.municipality_ids(db)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header_cells(Sheet("", audit.COLUMNS, (), _column_labels())))
    for event in db.scalars(audit.query(filters).limit(EXPORT_MAX_ROWS)):
        row = audit.as_row(event, municipalities)
        writer.writerow([neutralise(row[column]) for column in audit.COLUMNS])
    _note("export_audit_log")
    return Response(out.getvalue(), mimetype=CSV_MEDIA_TYPE, headers={
        "Content-Disposition": "attachment; filename=audit-log.csv"})
