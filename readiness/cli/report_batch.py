"""The jobs of `readiness reports build`: every closed assessment's roadmap HTML and file name.

Runs inside an app context without a request: scores each closed assessment on its own
questionnaire version, with the same agency-visibility rules as the results page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from readiness.db import get_session
from readiness.models import Assessment, Status
from readiness.services import assessments as services
from readiness.translate import SOURCE_LANGUAGE, use_language
from readiness.web.report_download import download_name, roadmap_html
from readiness.web.results import ScoredAssessment


def closed_assessment_jobs(out_dir: Path, language: str = SOURCE_LANGUAGE
                           ) -> Iterator[tuple[Path, str]]:
    """(PDF path, report HTML) for each closed assessment, oldest first, one at a time, in
    `language` (its code ends the file name unless it is English)."""
    db = get_session()
    ids = db.scalars(select(Assessment.id).where(Assessment.status == Status.CLOSED)
                     .order_by(Assessment.id)).all()
    for ident in ids:
        assessment = db.get(Assessment, ident)
        assert assessment is not None
        suffix = "" if language == SOURCE_LANGUAGE else f"-{language}"
        name = (download_name(assessment).removesuffix(".pdf")
                + f"-{assessment.public_id}{suffix}.pdf")
        with use_language(language):  # not across the yield: the caller's context resumes it
            q, published = services.publish_assessment(db, assessment)
            html = roadmap_html(db, ScoredAssessment(assessment, q, published))
        yield out_dir / name, html
        db.expunge_all()  # keep memory flat over many assessments
