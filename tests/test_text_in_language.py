"""No English left in the Dutch, French and German roadmaps and results pages: the roadmap's
own sentences go through the catalogue, carried-over actions are titled as on the web page and
the sources' notes come from the questionnaire's language files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from babel.support import NullTranslations
from flask import Flask
from sqlalchemy.orm import Session

from readiness import translate
from readiness.core import translation
from readiness.core.plans import FromPlan, Held
from readiness.core.published import publish
from readiness.core.questionnaire import get_questionnaire
from readiness.core.roadmap import build_roadmap
from readiness.core.scoring import score
from readiness.models import Role
from readiness.report.context import ReportMeta, build_report_context
from readiness.report.text import found_detail
from readiness.services import assessments as services
from readiness.translate import use_language
from tests.core_helpers import answers, mini
from tests.roadmap_helpers import SMALL_NO_STAFF, municipality, q11
from tests.web_helpers import (
    add_responses,
    login,
    make_assessment,
    make_municipality,
    make_user,
    post_form,
)


class _Marked(NullTranslations):
    """A catalogue that brackets every message it is asked for: text outside brackets did not
    go through gettext."""

    def ugettext(self, message: str) -> str:  # noqa: D102
        return f"⟦{message}⟧"

    def ungettext(self, singular: str, plural: str, n: int) -> str:  # noqa: D102
        return f"⟦{singular if n == 1 else plural}⟧"


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Dutch read through the bracketing catalogue."""
    real = translate.translations
    monkeypatch.setattr(translate, "translations",
                        lambda language: _Marked() if language == "nl" else real(language))
    with use_language("nl"):
        yield


def test_a_finding_names_the_answers_given_here_through_the_catalogue(marked: None):
    q = q11()
    context = {**SMALL_NO_STAFF, "ctx_existing_structures": ("domestic_violence",)}
    result = municipality(q, {a: 0.3 for a in ("local_authority", "police", "education")},
                          context)
    details = [found_detail(q, result, f) for f in result.facilitators]
    named = [d for d in details if "Answered here" in d]
    assert named
    assert all(d.startswith("⟦") and d.endswith("⟧") for d in named)


def test_an_action_needed_only_before_another_says_so_through_the_catalogue(marked: None):
    q = mini()
    rows = (answers("police", "p1", t1="strongly_agree", t2="strongly_disagree",
                    l1="strongly_agree", l2="agree")
            + answers("health", "h1", t1="disagree", t2="neither", l1="strongly_agree",
                      l2="agree"))
    roadmap = build_roadmap(q, score(q, rows))
    protocol = next(a for a in roadmap.actions if a.id == "legal_protocol")
    assert protocol.findings == ("⟦Needed before: Start joint case work.⟧",)


@pytest.mark.parametrize(("language", "title"), [
    ("nl", "Begin klein met een proefproject"), ("fr", "projet pilote"), ("de", "Pilotprojekt")])
def test_the_roadmap_names_actions_from_the_plan_in_the_readers_language(language: str,
                                                                         title: str):
    with use_language(language):
        q = get_questionnaire(version="1.1")
        result = municipality(q, {a: 0.3 for a in ("local_authority", "police", "education")},
                              SMALL_NO_STAFF)
        published = publish(q, result, assessed_on=date(2026, 4, 6))
        held = Held("start_small_iterate", "Start small with a pilot and improve by trial and "
                    "error", "done", "role_clarity")
        again = Held("bring_in_agencies", "Bring the missing agencies into the cooperation",
                     "dropped", None)
        published = replace(published, from_plan=FromPlan(done=(held,), again=(again,)))
        ctx = build_report_context(q, published, ReportMeta("Smallton", date(2026, 4, 6)))
    assert title in ctx.done_before[0]
    assert "Start small" not in ctx.done_before[0]
    assert "Bring the missing" not in ctx.proposed_again[0]


# an English note of each source, and the same note in each language file
SOURCE_NOTES = {"nl": ("zoals samengevat in de RAN-paper", "Scoringsinstructies"),
                "fr": ("tel que résumé dans le document du RAN", "Consignes de notation"),
                "de": ("wie im RAN-Papier zusammengefasst", "Auswertungshinweise")}
ENGLISH_NOTES = ("as summarised in the RAN paper", "Scoring instructions",
                 "Line numbers refer to the plain-text copy")


@pytest.mark.db
@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_the_results_page_prints_the_notes_on_its_sources_in_the_readers_language(
        app: Flask, session: Session, language: str):
    make_user(session, "admin", Role.ADMIN)
    closed, _ = make_assessment(session, make_municipality(session, name="Mechelen"))
    for agency in ("police", "health", "education"):
        add_responses(session, closed, agency, 3, value="agree")
    services.close_assessment(session, closed)
    session.commit()
    client = app.test_client()
    login(client, "admin")
    post_form(client, "/", {"language": language, "next": "/"}, to="/language")
    page = client.get(f"/assessments/{closed.public_id}/results").get_data(as_text=True)
    sources = page.split('id="sources"')[1]
    for note in SOURCE_NOTES[language]:
        assert note in sources
    for note in ENGLISH_NOTES:
        assert note not in sources


def test_a_language_file_may_leave_a_sources_citation_out_which_then_reads_in_english():
    q = get_questionnaire(version="1.0", language="nl")
    english = get_questionnaire(version="1.0", language="en")
    assert [s.citation for s in q.doc.sources] == [s.citation for s in english.doc.sources]


def test_only_a_questionnaires_citations_are_optional_not_a_legal_profiles_sources():
    assert translation.optional("sources.ran2018.citation")
    assert not translation.optional("sources.gdpr.title")
    assert not translation.optional("sources.gdpr.short")
    assert translation.missing_ids({"sources.gdpr.title": "GDPR"}, {}) == ["sources.gdpr.title"]
