"""The summary's "first three actions" stay on one page with their heading, wherever the
summary above them ends (a longer summary moves the whole block, never its last item alone)."""

from __future__ import annotations

import dataclasses
import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from readiness.cli.offline import score_file
from readiness.core.legal import profile_for
from readiness.core.published import publish
from readiness.report.context import ReportContext, ReportMeta, build_report_context
from readiness.report.render import render_pdf, render_roadmap_html
from readiness.translate import gettext, use_language
from tests.test_cli import _write_responses

DAY = date(2025, 11, 4)


def _context(path: Path) -> ReportContext:
    q, result, _ = score_file(path, "DE", None)
    profile = profile_for("DE", None)
    meta = ReportMeta(municipality="Brunnhausen", assessed_on=DAY, country="Deutschland",
                      region="", round=1, facilitator="", workshop=False, legal=profile)
    return build_report_context(q, publish(q, result, workshop=False, assessed_on=DAY,
                                           profile=profile, run_by=None), meta)


def _summary_pages(ctx: ReportContext) -> list[str]:
    """The text of each page up to the summary's end (the next section starts a new page)."""
    html = render_roadmap_html(ctx).split('<section id="scores">')[0] + "</body></html>"
    pdf = render_pdf(html, isolate=False)
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_first_three_actions_stay_on_one_page_with_their_heading(tmp_path: Path,
                                                                      language: str):
    with use_language(language):
        ctx = _context(_write_responses(tmp_path / "responses.csv"))
        heading = gettext("The first three actions")
        titles = [" ".join(a.title.split())[:20] for a in ctx.first_actions]
        assert len(titles) == 3
        heading_pages = set()
        for lines in range(0, 40, 3):  # the summary grows by 3 lines at a time
            padded = dataclasses.replace(ctx, summary=(*ctx.summary, *["Lorem ipsum."] * lines))
            pages = _summary_pages(padded)
            at = [i for i, text in enumerate(pages) if heading in text]
            assert len(at) == 1, lines
            heading_pages.add(at[0])
            for title in titles:
                assert title in pages[at[0]], (lines, title)
    assert len(heading_pages) > 1  # the sweep did push the block across a page end
