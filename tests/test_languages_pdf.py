"""PDFs in the language asked for: tagged with it, written in it, the same figures."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from readiness.cli.main import main
from readiness.core.published import publish
from readiness.core.questionnaire import get_questionnaire
from readiness.core.scoring import score
from readiness.national import aggregate as ag
from readiness.national.report import national_context, national_report_html
from readiness.report.context import ReportMeta, build_report_context
from readiness.report.render import html_to_pdf, render_roadmap_html
from readiness.translate import use_language
from tests.national_fixture import DIMENSIONS, records
from tests.test_report import _answers

# a heading of the roadmap in each language, and the English one that must be gone
ROADMAP_HEADINGS = {"en": "Scores at a glance", "nl": "De scores in één oogopslag",
                    "fr": "Les scores en un coup d’œil", "de": "Die Werte auf einen Blick"}


def _pdf(language: str) -> bytes:
    with use_language(language):
        q = get_questionnaire()
        result = score(q, _answers(q, "legal_basis"))
        meta = ReportMeta(municipality="Liège", assessed_on=date(2025, 3, 7), country="BE")
        published = publish(q, result, assessed_on=meta.assessed_on)
        return html_to_pdf(render_roadmap_html(build_report_context(q, published, meta)))


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split())
                    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_a_roadmap_in_each_language_is_tagged_with_it_and_written_in_it(language: str):
    pdf = _pdf(language)
    root = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert root["/Lang"] == language
    text = _text(pdf)
    assert ROADMAP_HEADINGS[language] in text
    assert ROADMAP_HEADINGS["en"] not in text


def test_the_roadmap_command_writes_the_pdf_in_the_language_asked_for(tmp_path: Path):
    q = get_questionnaire(language="en")
    rows = ["respondent,agency,item,value"] + [
        f"{a.respondent},{a.agency},{a.item},{a.value}" for a in _answers(q, "trust")]
    responses = tmp_path / "responses.csv"
    responses.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "roadmap.pdf"
    result = CliRunner().invoke(main, ["roadmap", str(responses), "--municipality", "Liège",
                                       "--date", "2025-03-07", "--out", str(out),
                                       "--lang", "fr"])
    assert result.exit_code == 0, result.output
    pdf = out.read_bytes()
    assert pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "fr"
    text = _text(pdf)
    assert "Feuille de route" in text
    assert "7 mars 2025" in text


def test_the_national_summary_in_german_is_tagged_and_written_in_german():
    t = ag.tables(records(), DIMENSIONS)
    with use_language("de"):
        ctx = national_context(t, get_questionnaire(), ag.Filters(), today=date(2026, 3, 1))
        pdf = html_to_pdf(national_report_html(ctx))
    root = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert root["/Lang"] == "de"
    text = _text(pdf)
    assert "Nationale Übersicht" in text
    assert "1. März 2026" in text
    assert "National summary" not in text
