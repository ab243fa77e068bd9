"""The "Download roadmap (PDF)" route on the results blueprint, and the PDF cache.

Access, scoring and audit come from `readiness.web.results` (`load_results`, `audit`), so the
PDF follows exactly the results page's rules: who may see it, and which agencies' own figures
and comments are shown. A closed assessment does not change, so its PDF is rendered once and
kept in the instance folder under `report.cache_key(html)` (format version + hash of the exact
HTML; a new questionnaire file or template change gives a new key) by `readiness.report.cache`,
which holds the folder under REPORT_CACHE_MAX_MB (default 512) and drops files unused for
REPORT_CACHE_MAX_AGE_DAYS (default 90). Rendering runs in a child
process with a time limit (`report.render_pdf`), safe from request threads; a failure becomes a
503 page with a plain message, never a 500.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from flask import current_app, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as HttpResponse

from readiness import auth
from readiness.db import get_session
from readiness.models import Assessment, Response, ResponseStatus, Role, User
from readiness.report import cache as report_cache
from readiness.report.context import ReportMeta, build_report_context
from readiness.services.assessments import legal_profile_of
from readiness.web.results import ScoredAssessment, audit, bp, load_results, register_download

COUNTRIES = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "CH": "Switzerland", "CY": "Cyprus",
    "CZ": "Czechia", "DE": "Germany", "DK": "Denmark", "EE": "Estonia", "ES": "Spain",
    "FI": "Finland", "FR": "France", "GB": "United Kingdom", "GR": "Greece", "HR": "Croatia",
    "HU": "Hungary", "IE": "Ireland", "IS": "Iceland", "IT": "Italy", "LT": "Lithuania",
    "LU": "Luxembourg", "LV": "Latvia", "MT": "Malta", "NL": "Netherlands", "NO": "Norway",
    "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SE": "Sweden", "SI": "Slovenia",
    "SK": "Slovakia",
}
DEFAULT_TIMEOUT = 60.0


def _comments(db: Session, assessment: Assessment,
              shown: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """Comments per dimension from agencies that are shown, sorted so order reveals no one."""
    rows = db.execute(select(Response.agency, Response.comments).where(
        Response.assessment_id == assessment.id, Response.status == ResponseStatus.SUBMITTED))
    found: dict[str, list[tuple[str, str]]] = {}
    for agency, comments in rows:
        if agency in shown:
            for dimension, text in (comments or {}).items():
                if isinstance(text, str) and text.strip():
                    found.setdefault(dimension, []).append((agency, text))
    return {d: sorted(pairs) for d, pairs in found.items()}


def _facilitator(db: Session, assessment: Assessment) -> str:
    user = db.get(User, assessment.created_by_id) if assessment.created_by_id else None
    if user is not None and user.role == Role.ADVISOR:
        return f"Advisory team ({user.username})"
    if user is not None and user.role == Role.MUNICIPALITY_COORDINATOR:
        return "Self-assessment by the municipality"
    return ""


def report_meta(db: Session, scored: ScoredAssessment) -> ReportMeta:
    """The report metadata of a closed assessment, from the database."""
    assessment = scored.assessment
    municipality = assessment.municipality
    closed = assessment.closed_at.date() if assessment.closed_at else assessment.conducted_on
    return ReportMeta(
        municipality=municipality.name,
        country=COUNTRIES.get(municipality.country, municipality.country),
        region=municipality.region or "", assessed_on=assessment.conducted_on,
        round=assessment.round, facilitator=_facilitator(db, assessment),
        respondents_by_agency=scored.published.respondents_by_agency,
        workshop=scored.published.workshop,
        comments=_comments(db, assessment, scored.published.comment_agencies),
        generated_on=closed, legal=legal_profile_of(assessment))


def roadmap_html(db: Session, scored: ScoredAssessment) -> str:
    """The roadmap report HTML of a scored, closed assessment."""
    from readiness.report.render import render_roadmap_html

    ctx = build_report_context(scored.q, scored.published, report_meta(db, scored))
    return render_roadmap_html(ctx)


def download_name(assessment: Assessment) -> str:
    """An ASCII file name like `roadmap-mechelen-2025-03-07-round-1.pdf`."""
    name = unicodedata.normalize("NFKD", assessment.municipality.name)
    slug = re.sub(r"[^a-z0-9]+", "-", name.encode("ascii", "ignore").decode().lower()).strip("-")
    return (f"roadmap-{slug or 'municipality'}-{assessment.conducted_on.isoformat()}"
            f"-round-{assessment.round}.pdf")


def cached_pdf(cache_dir: Path, html: str, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """The PDF of `html` from the cache folder, rendering and storing it on a miss."""
    from readiness.report.render import cache_key, render_pdf

    config = current_app.config
    return report_cache.cached_pdf(
        cache_dir, cache_key(html), lambda: render_pdf(html, timeout=timeout),
        max_bytes=int(config["REPORT_CACHE_MAX_MB"]) * 1024 * 1024,
        max_age_days=float(config["REPORT_CACHE_MAX_AGE_DAYS"]))


@bp.route("/assessments/<public_id>/roadmap.pdf")
@auth.login_required
def roadmap_pdf(public_id: str) -> ResponseReturnValue:
    """The tailored roadmap of a closed assessment, as a PDF download."""
    from readiness.report.render import ReportError

    scored = load_results(public_id)
    html = roadmap_html(get_session(), scored)
    cache_dir = Path(current_app.instance_path) / "report-cache"
    timeout = float(current_app.config["REPORT_TIMEOUT"])
    try:
        pdf = cached_pdf(cache_dir, html, timeout)
    except ReportError as exc:
        current_app.logger.warning("roadmap PDF of %s failed: %s", public_id, exc)
        return render_template("errors/error.html", code=503,
                               title=_("The PDF could not be made"), message=str(exc)), 503
    audit("download_roadmap_pdf", scored)
    response = HttpResponse(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{download_name(scored.assessment)}"')
    return response


register_download("results.roadmap_pdf", _l("Download roadmap (PDF)"))
