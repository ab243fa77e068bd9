"""The "Download roadmap (PDF)" route on the results blueprint, and the PDF cache.

Access, scoring and audit come from `readiness.web.results` (`load_results`, `audit`), so the
PDF follows exactly the results page's rules: who may see it, and which agencies' own figures
and comments are shown. A closed assessment does not change, so its PDF is rendered once and
kept in the instance folder under the round's public id and `report.cache_key(html)` (format
version + hash of the exact HTML; a new questionnaire file or template change gives a new key;
erasing the round removes them all) by `readiness.report.cache`,
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

from flask import current_app, make_response, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as HttpResponse

from readiness import auth, tasks, translate
from readiness.db import get_session
from readiness.models import Assessment, Role, User
from readiness.report import cache as report_cache
from readiness.report.context import ReportMeta, build_report_context
from readiness.services.assessments import (
    comments_of,
    earlier_participation,
    invited_agencies,
    legal_profile_of,
)
from readiness.services.people import shown_name
from readiness.translate import country_name
from readiness.web.results import ScoredAssessment, audit, bp, load_results, register_download

DEFAULT_TIMEOUT = 60.0


# Layout cost grows with what the PDF holds: runs of combining marks stack glyphs without end,
# and a round may carry thousands of comments. Both are bounded before layout.
COMBINING_RUN_MAX = 3  # enough for any script's real diacritic stacks
COMMENTS_TOTAL_MAX = 60_000  # characters of comments in one roadmap
_COMBINING_RUN = re.compile(r"([\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
                            r"\ufe20-\ufe2f])[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff"
                            r"\u20d0-\u20ff\ufe20-\ufe2f]*")


def bounded_text(text: str) -> str:
    """`text` NFC-normalised, each run of combining marks cut to COMBINING_RUN_MAX."""
    text = unicodedata.normalize("NFC", text)
    return _COMBINING_RUN.sub(lambda m: m.group(0)[:COMBINING_RUN_MAX], text)


def _comments(db: Session, assessment: Assessment,
              shown: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """Comments per dimension from agencies that are shown, sorted so order reveals no one;
    bounded in cost (`bounded_text`, at most COMMENTS_TOTAL_MAX characters in all)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for agency, pages in comments_of(db, assessment, shown).items():
        for dimension, texts in pages.items():
            found.setdefault(dimension, []).extend((agency, bounded_text(text)) for text in texts)
    budget = COMMENTS_TOTAL_MAX
    kept: dict[str, list[tuple[str, str]]] = {}
    for dimension, pairs in sorted(found.items()):
        for agency, text in sorted(pairs):
            if budget <= 0:
                break
            kept.setdefault(dimension, []).append(
                (agency, text if len(text) <= budget else text[:budget] + "…"))
            budget -= len(text)
    return kept


def _facilitator(db: Session, assessment: Assessment) -> str:
    user = db.get(User, assessment.created_by_id) if assessment.created_by_id else None
    # translate.gettext: the PDF's language, also when a command forces one (`use_language`)
    if user is not None and user.role == Role.ADVISOR:
        if not user.display_name:  # never the login: the role alone, in the reader's language
            return translate.gettext("Advisory team")
        return translate.gettext("Advisory team (%(name)s)", name=shown_name(user))
    if user is not None and user.role == Role.MUNICIPALITY_COORDINATOR:
        return translate.gettext("Self-assessment by the municipality")
    return ""


def report_meta(db: Session, scored: ScoredAssessment) -> ReportMeta:
    """The report metadata of a closed assessment, from the database."""
    assessment = scored.assessment
    municipality = assessment.municipality
    closed = assessment.closed_at.date() if assessment.closed_at else assessment.conducted_on
    return ReportMeta(
        municipality=municipality.name,
        country=country_name(municipality.country),
        region=municipality.region or "", assessed_on=assessment.conducted_on,
        round=assessment.round, facilitator=_facilitator(db, assessment),
        respondents_by_agency=scored.published.respondents_by_agency,
        workshop=scored.published.workshop,
        comments=_comments(db, assessment, scored.published.comment_agencies),
        generated_on=closed, legal=legal_profile_of(assessment),
        invited=invited_agencies(assessment), took_part_in=earlier_participation(db, assessment))


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


def report_cache_dir() -> Path:
    """The folder of the app's cached roadmap PDFs."""
    return Path(current_app.instance_path) / "report-cache"


def cached_pdf(cache_dir: Path, html: str, key: str | None = None,
               timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """The PDF of `html` from the cache folder (under `key`, by default the HTML's own key),
    rendering and storing it on a miss."""
    from readiness.report.render import cache_key, render_pdf

    config = current_app.config
    return report_cache.cached_pdf(
        cache_dir, key or cache_key(html), lambda: render_pdf(html, timeout=timeout),
        max_bytes=int(config["REPORT_CACHE_MAX_MB"]) * 1024 * 1024,
        max_age_days=float(config["REPORT_CACHE_MAX_AGE_DAYS"]))


def _failed(public_id: str, message: str) -> ResponseReturnValue:
    current_app.logger.warning("roadmap PDF of %s failed: %s", public_id, message)
    return render_template("errors/error.html", code=503,
                           title=_("The PDF could not be made"), message=message), 503


@bp.route("/assessments/<public_id>/roadmap.pdf")
@auth.login_required
def roadmap_pdf(public_id: str) -> ResponseReturnValue:
    """The tailored roadmap of a closed assessment, as a PDF download; while the background
    worker prepares it, a page that says so (202), so no request waits for a render."""
    from readiness.report.render import cache_key

    scored = load_results(public_id)
    html = roadmap_html(get_session(), scored)
    key = report_cache.round_key(public_id, cache_key(html))
    cache_dir = report_cache_dir()
    if not (cache_dir / f"{key}.pdf").exists():
        message = tasks.failure(current_app, key)
        if message is not None:
            return _failed(public_id, message)
        tasks.request_render(current_app, cache_dir, key, html)
        if not (cache_dir / f"{key}.pdf").exists():  # not rendered at once (immediate mode)
            message = tasks.failure(current_app, key)
            if message is not None:
                return _failed(public_id, message)
            pending = make_response(render_template(
                "assessments/pdf_pending.html", assessment=scored.assessment), 202)
            pending.headers["Retry-After"] = "10"
            return pending
    pdf = cached_pdf(cache_dir, html, key)  # read from the cache the worker filled
    audit("download_roadmap_pdf", scored)
    response = HttpResponse(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{download_name(scored.assessment)}"')
    return response


def prepare_roadmap(public_id: str) -> None:
    """Queue the roadmap PDF of a round that has just closed, so it is ready when asked for."""
    from readiness.report.render import cache_key

    scored = load_results(public_id)
    html = roadmap_html(get_session(), scored)
    tasks.request_render(current_app, report_cache_dir(),
                         report_cache.round_key(public_id, cache_key(html)), html)


register_download("results.roadmap_pdf", _l("Download roadmap (PDF)"))
