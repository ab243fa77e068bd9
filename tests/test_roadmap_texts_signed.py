"""The roadmap texts a coordinator signs: written in the report's language, true to the figures
beside them (don't-know findings, strengths, what due dates count from)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from babel.support import NullTranslations

from readiness import translate
from readiness.core.published import publish
from readiness.core.questionnaire import Questionnaire
from readiness.core.roadmap import build_roadmap
from readiness.core.schema import DONT_KNOW
from readiness.core.scoring import Answer, Result, score
from readiness.report.context import ReportContext, ReportMeta, build_report_context
from readiness.report.render import render_roadmap_html
from readiness.report.text import strengths_and_weaknesses, summary_paragraphs
from readiness.translate import use_language
from tests.roadmap_helpers import SMALL_NO_STAFF, municipality, q11, rows

EVEN = {"trust": 0.7, "role_clarity": 0.7, "legal_basis": 0.7, "tools": 0.7, "training": 0.7}
ASSESSED = date(2025, 11, 4)
REPORTS = Path(__file__).resolve().parent.parent / "reports"


class _Shouting(NullTranslations):
    """A catalogue that 'translates' every message into capitals (placeholders kept), so any
    text that never went through gettext stays in lower case on the page."""

    @staticmethod
    def _up(text: str) -> str:
        return "".join(part if part.startswith("%") else part.upper()
                       for part in re.split(r"(%\(\w+\)[sd]|%%)", text))

    def ugettext(self, message: str) -> str:  # noqa: D102
        return self._up(message)

    def ungettext(self, singular: str, plural: str, n: int) -> str:  # noqa: D102
        return self._up(singular if n == 1 else plural)


def _police_far_below(language: str = "en") -> tuple[Questionnaire, Result]:
    q = q11().in_language(language)
    low = dict(EVEN, training=0.1)
    return q, municipality(q, {"local_authority": 0.7, "police": low, "health": 0.7,
                               "social_services": 0.7}, SMALL_NO_STAFF)


def _context(q: Questionnaire, result: Result, planned_from: date | None = None
             ) -> ReportContext:
    published = publish(q, result, assessed_on=ASSESSED, planned_from=planned_from)
    return build_report_context(q, published, ReportMeta("Testdorf", ASSESSED))


def _page_text(html: str) -> str:
    html = re.sub(r"<(style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_outlier_sentence_and_the_undated_note_go_through_the_catalogue(monkeypatch):
    q, result = _police_far_below("de")
    monkeypatch.setattr(translate, "translations", lambda language: _Shouting())
    with use_language("de"):
        text = _page_text(render_roadmap_html(_context(q, result)))
    assert "POINTS BELOW THE OTHER AGENCIES' AVERAGE" in text
    assert "points below the other agencies' average" not in text
    assert "NOT DATED, AND NOT PART OF THE PLAN'S SIZE" in text
    assert "Not dated, and not part" not in text


def test_the_outlier_sentence_names_the_dimension_by_its_title():
    q, result = _police_far_below("de")
    with use_language("de"):
        ctx = _context(q, result)
    findings = [f for _n, _t, actions in ctx.phases for a in actions for f in a.findings]
    outlier = next(f for f in findings if "Polizei" in f)
    assert "Qualifizierung" in outlier
    assert "qualifizierung" not in outlier


def test_report_templates_hold_no_text_outside_gettext():
    for path in REPORTS.glob("*.html"):
        source = path.read_text(encoding="utf-8")
        for pattern in (r"\{#.*?#\}", r"\{\{.*?\}\}", r"\{%.*?%\}", r"<style.*?</style>",
                        r"<!--.*?-->", r"<[^>]*>", r"&\w+;"):
            source = re.sub(pattern, " ", source, flags=re.S)
        assert not re.findall(r"[A-Za-z]{3,}", source), path.name


def test_a_german_count_keeps_its_nouns_capitalised_on_the_cover():
    q, result = _police_far_below("de")
    with use_language("de"):
        text = _page_text(render_roadmap_html(_context(q, result)))
    assert "12 Fachkräfte aus 4 Einrichtungen" in text
    assert "fachkräfte aus" not in text
    assert translate.upper_first("agreed answers of 3 NGOs") == "Agreed answers of 3 NGOs"


def _dont_know_on_training(q: Questionnaire) -> list[Answer]:
    """Fair answers everywhere, but two in three practitioners 'don't know' on training."""
    out = []
    for answer in rows(q, {a: EVEN for a in ("local_authority", "police", "health",
                                             "social_services")}):
        item = q.items_by_id[answer.item]
        unsure = item.dimension == "training" and not answer.respondent.endswith("-0")
        out.append(replace(answer, value=DONT_KNOW) if unsure else answer)
    return out


def _first_sentences(text: str) -> str:
    """`text` without its last sentence, as the scoring leaves it out."""
    from readiness.core.scoring import without_last_sentence
    return without_last_sentence(text)


def _awareness(result: Result) -> str:
    return next(b.description for b in result.barriers if b.id == "lack_of_awareness")


@pytest.mark.parametrize("language", ["en", "de", "fr", "nl"])
def test_the_dont_know_sentence_of_a_barrier_shows_only_when_dont_know_raised_it(language):
    q = q11().in_language(language)
    weak = municipality(q, {a: dict(EVEN, training=0.25) for a in
                            ("local_authority", "police", "health", "social_services")})
    unsure = score(q, _dont_know_on_training(q))
    assert not weak.dimension("training").dont_know_flag
    assert unsure.dimension("training").dont_know_flag
    full = next(b.description for b in q.doc.barriers if b.id == "lack_of_awareness")
    assert _awareness(unsure) == full
    kept = _awareness(weak)
    label = translate.translations(language).ugettext("Don't know").lower()
    assert kept != full
    assert full.startswith(kept)
    assert label in full[len(kept):].lower().replace("\u2019", "'")


@pytest.mark.parametrize("language", ["en", "de", "fr", "nl"])
def test_the_sentence_left_out_is_the_one_on_dont_know_answers(language):
    q = q11().in_language(language)
    label = translate.translations(language).ugettext("Don't know").lower()
    for barrier in q.doc.barriers:
        if "dont_know" in barrier.detect.model_dump_json(exclude_none=True):
            dropped = barrier.description[len(_first_sentences(barrier.description)):]
            assert label in dropped.lower().replace("\u2019", "'"), (barrier.id, dropped)


def test_due_dates_say_they_count_from_the_closing_day():
    q, result = _police_far_below()
    closed = date(2026, 12, 6)
    ctx = _context(q, result, planned_from=closed)
    assert ctx.dates_from == ("Due dates count from 6 December 2026, when this round was closed "
                              "and its results published, not from the assessment date "
                              "(4 November 2025).")
    first = ctx.phases[0][2][0]
    assert first.check_by.endswith("2027")
    assert ctx.reassess_on == "6 December 2027"
    assert ctx.dates_from in _page_text(render_roadmap_html(ctx))
    offline = _context(q, result)
    assert offline.dates_from == ("Due dates count from 4 November 2025, the date of this "
                                  "assessment.")


def _scored(q: Questionnaire, result: Result, scores: dict[str, float]) -> Result:
    dims = tuple(replace(d, score=scores[d.id], level=q.level_for(d.id, scores[d.id]).id)
                 for d in result.dimensions)
    return replace(result, dimensions=dims)


def _with_training_barrier(q: Questionnaire, result: Result) -> Result:
    q_weak = municipality(q, {a: dict(EVEN, training=0.25) for a in
                              ("local_authority", "police", "health", "social_services")})
    barrier = next(b for b in q_weak.barriers if b.id == "lack_of_awareness")
    return replace(result, barriers=(barrier,), facilitators=())


def test_when_no_dimension_stands_out_none_is_called_a_strength():
    q = q11()
    base = municipality(q, {a: 0.5 for a in ("local_authority", "police", "health",
                                              "social_services")})
    result = _with_training_barrier(q, _scored(q, base, {
        "trust": 50, "role_clarity": 52, "legal_basis": 50, "tools": 51, "training": 52}))
    summary = " ".join(summary_paragraphs(q, result, build_roadmap(q, result), "X", "counts"))
    assert "none stands out" in summary
    strengths, _weak = strengths_and_weaknesses(q, result)
    titles = [d.title for d in q.doc.dimensions]
    assert not [p for p in strengths if any(p.title.startswith(t + ":") for t in titles)]
    if not strengths:
        from readiness.report.text import no_strength_text
        assert "none stands out" in no_strength_text(result)


def test_a_strength_that_carries_a_barrier_says_so():
    q = q11()
    base = municipality(q, {a: 0.5 for a in ("local_authority", "police", "health",
                                              "social_services")})
    result = _with_training_barrier(q, _scored(q, base, {
        "trust": 40, "role_clarity": 40, "legal_basis": 40, "tools": 40, "training": 70}))
    strengths, _weak = strengths_and_weaknesses(q, result)
    training = next(p for p in strengths if p.title.startswith("Training:"))
    assert "Even so, a barrier was found here: Limited knowledge" in training.detail


def test_pages_raise_a_first_letter_without_lowering_german_nouns(app):
    with app.test_request_context():
        page = app.jinja_env.from_string("{{ text|capitalize }}")
        assert page.render(text="3 Kommunen in Bayern") == "3 Kommunen in Bayern"
        assert page.render(text="agreed answers of 3 NGOs") == "Agreed answers of 3 NGOs"
