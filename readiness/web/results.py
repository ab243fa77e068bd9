"""Results of a closed assessment: radar, agencies side by side, findings, roadmap.

Extension hook for other result views (the PDF roadmap, exports): in a module of your own,
define routes on this module's `bp`, load the assessment with `load_results(public_id)` (it
checks access and scores the assessment on its own questionnaire version), record the view with
`audit(...)`, and call `register_download(endpoint, label)` so the results page links to it.
Import that module in `readiness/web/__init__.py` before the blueprints are registered.

Answers are shown per agency, never per person, and an agency's own figures and comments only
when at least `settings.min_group_size` of its practitioners answered (a workshop records one
agreed answer per agency, so there every agency is shown).

The roadmap's actions are worded by `readiness.report.context`, as in the PDF. A municipality's
later round is compared with its previous closed round, from that round's stored scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, render_template
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness import auth
from readiness.auth import Access
from readiness.core import privacy
from readiness.core import published as published_view
from readiness.core.consistency import agency_agreement
from readiness.core.names import shown_text
from readiness.core.published import Published
from readiness.core.questionnaire import Questionnaire
from readiness.core.scoring import Result
from readiness.db import begin_write, get_session
from readiness.models import (
    Assessment,
    AssessmentResult,
    Mode,
    Score,
    Status,
)
from readiness.national.aggregate.national import CHANGE_POINTS
from readiness.report.charts import agency_bars_svg, radar_svg
from readiness.report.context import (
    ReportContext,
    ReportMeta,
    build_report_context,
    consensus_section,
)
from readiness.report.legal import legal_section
from readiness.report.text import cite
from readiness.services import assessments as services
from readiness.services import plans as plan_services
from readiness.services.national import peer_benchmark_of

bp = Blueprint("results", __name__)


@dataclass(frozen=True)
class Download:
    """A link on the results page to another view of the same results."""

    endpoint: str
    label: Any  # a lazy_gettext string


DOWNLOADS: list[Download] = []


def register_download(endpoint: str, label: Any) -> None:
    """Link the results page to `endpoint` (called with public_id=...), e.g. the PDF roadmap."""
    if all(d.endpoint != endpoint for d in DOWNLOADS):
        DOWNLOADS.append(Download(endpoint, label))


@dataclass(frozen=True)
class ScoredAssessment:
    """A closed assessment scored on its own questionnaire version, and its published view:
    every page, report and export of it prints `published`, never the raw scores."""

    assessment: Assessment
    q: Questionnaire
    published: Published

    @property
    def result(self) -> Result:
        """The published figures."""
        return self.published.result

    @property
    def shown_agencies(self) -> tuple[str, ...]:
        """Agencies whose own figures may be shown."""
        return self.published.shown

    @property
    def questionnaire_changed(self) -> bool:
        """The questionnaire file of this version changed after the assessment was created."""
        return self.q.content_hash != self.assessment.questionnaire_hash


def load_results(public_id: str) -> ScoredAssessment:
    """The closed assessment the current user may view, scored; 404/403 otherwise."""
    assessment = auth.load_assessment(public_id, Access.VIEW)
    if assessment.status != Status.CLOSED:
        abort(404)
    q, published = services.publish_assessment(get_session(), assessment)
    return ScoredAssessment(assessment, q, published)


def audit(action: str, scored: ScoredAssessment) -> None:
    """Record that the current user viewed or exported these results (never their content)."""
    db = begin_write()
    services.record_audit(db, auth.current_user(), action, scored.assessment,
                          scored.assessment.municipality)


def _shown_comments(scored: ScoredAssessment) -> dict[str, dict[str, list[str]]]:
    """{agency: {dimension or page id: [texts]}} of the agencies large enough for their
    comments to be shown (see `Published.comment_agencies`)."""
    return services.comments_of(get_session(), scored.assessment,
                                scored.published.comment_agencies)


def _comments(scored: ScoredAssessment) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Comments per shown agency and page, sorted so their order says nothing of who wrote them."""
    by_agency = _shown_comments(scored)
    titles = {d.id: d.title for d in scored.q.doc.dimensions}
    return [(agency, [(titles.get(d, d), sorted(map(shown_text, texts)))
                      for d, texts in pages.items()])
            for agency in scored.published.comment_agencies if (pages := by_agency.get(agency))]


def roadmap_notes(scored: ScoredAssessment) -> dict[int, list[str]]:
    """For the organiser, beside each action: the comments on its dimension from agencies
    large enough for comments, sorted so their order says nothing of who wrote them."""
    roadmap = scored.published.roadmap
    if roadmap is None or not auth.can(auth.current_user(), Access.MANAGE,
                                       scored.assessment.municipality):
        return {}
    by_dimension: dict[str, list[str]] = {}
    for pages in _shown_comments(scored).values():
        for dimension, texts in pages.items():
            by_dimension.setdefault(dimension, []).extend(texts)
    return {a.priority: sorted(map(shown_text, by_dimension[a.dimension])) for a in roadmap.actions
            if a.dimension in by_dimension}


def roadmap_context(scored: ScoredAssessment) -> ReportContext:
    """The roadmap worded as the PDF words it (agency titles, partners not taking part marked,
    the findings and the reason behind each action, what it carries over from the plan)."""
    assessment = scored.assessment
    meta = ReportMeta(municipality=assessment.municipality.name,
                      assessed_on=assessment.conducted_on, round=assessment.round,
                      respondents_by_agency=scored.published.respondents_by_agency,
                      workshop=scored.published.workshop,
                      invited=services.invited_agencies(assessment),
                      took_part_in=services.earlier_participation(get_session(), assessment))
    return build_report_context(scored.q, scored.published, meta)


@dataclass(frozen=True)
class PreviousRound:
    """A municipality's earlier closed round, as stored when it was closed."""

    round: int
    conducted_on: date
    overall: float | None
    scores: dict[str, float | None]
    barriers: dict[str, str]  # barrier id -> title
    facts: published_view.RoundFacts
    version: str = ""  # the questionnaire version it was answered on


def previous_round(db: Session, assessment: Assessment,
                   q: Questionnaire) -> PreviousRound | None:
    """The stored scores and barriers of the last closed round before `assessment` in the same
    municipality, or None. Access is granted per municipality, so whoever may view
    `assessment` may view this round too."""
    found = db.execute(
        select(Assessment.id, Assessment.round, Assessment.conducted_on,
               AssessmentResult.overall, AssessmentResult.result, Assessment.mode,
               Assessment.questionnaire_version)
        .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
        .where(Assessment.municipality_id == assessment.municipality_id,
               Assessment.status == Status.CLOSED, Assessment.round < assessment.round)
        .order_by(Assessment.round.desc()).limit(1)).one_or_none()
    if found is None:
        return None
    ident, number, conducted_on, overall, stored, mode, version = found
    scores = db.execute(select(Score.dimension, Score.score).where(Score.assessment_id == ident))
    return PreviousRound(number, conducted_on, overall, {d: s for d, s in scores},
                         {b["id"]: b["title"] for b in stored.get("barriers") or ()},
                         _stored_facts(q, number, stored, workshop=mode == Mode.WORKSHOP),
                         version)


def _stored_facts(q: Questionnaire, number: int, stored: dict[str, Any], *,
                  workshop: bool) -> published_view.RoundFacts:
    """A stored round's comparison facts (`published_view.stored_facts`)."""
    return published_view.stored_facts(q, number, stored, workshop=workshop)


@dataclass(frozen=True)
class ScoreChange:
    """A score in the previous round and now; moves of `CHANGE_POINTS` or more count, as in
    the national figures."""

    before: float | None
    now: float | None

    @property
    def change(self) -> float | None:
        """Points gained (negative: lost); None when either round has no score."""
        return None if self.before is None or self.now is None else self.now - self.before

    @property
    def direction(self) -> str | None:
        """One of improved, declined or same; None when the two cannot be compared."""
        change = self.change
        if change is None:
            return None
        if change >= CHANGE_POINTS:
            return "improved"
        return "declined" if change <= -CHANGE_POINTS else "same"


@dataclass(frozen=True)
class SincePrevious:
    """What changed since the previous round: scores per dimension and overall, barriers."""

    previous: PreviousRound
    dimensions: tuple[tuple[str, ScoreChange], ...]  # (title, change)
    overall: ScoreChange
    resolved: tuple[str, ...]
    new: tuple[str, ...]
    differences: tuple[str, ...] = ()  # why the rounds cannot be compared; then no change


def since_previous(db: Session, scored: ScoredAssessment) -> SincePrevious | None:
    """This round compared with the municipality's previous closed round, if there is one."""
    before = previous_round(db, scored.assessment, scored.q)
    if before is None:
        return None
    result, published = scored.result, scored.published
    now = published_view.published_facts(scored.assessment.round, published)
    titles = {a.id: a.title for a in scored.q.doc.agencies}
    differs = tuple(published_view.difference_text(d, titles) for d in published_view.differences(
        before.facts, now, scored.q.agency_ids))
    if differs:
        return SincePrevious(before, (), ScoreChange(None, None), (), (), differs)
    found = {b.id: b.title for b in result.barriers}
    names = {b.id: b.title for b in scored.q.doc.barriers}
    return SincePrevious(
        previous=before,
        dimensions=tuple((d.title, ScoreChange(before.scores.get(d.id), d.score))
                         for d in result.dimensions),
        overall=ScoreChange(before.overall, result.overall),
        # the earlier round's barriers by id, titled in the reader's language (stored: the closer's)
        resolved=tuple(names.get(b, t) for b, t in before.barriers.items() if b not in found),
        new=tuple(t for b, t in found.items() if b not in before.barriers))


@bp.route("/assessments/<public_id>/results")
@auth.login_required
def show(public_id: str) -> ResponseReturnValue:
    """The results page of a closed assessment."""
    scored = load_results(public_id)
    q, result, published = scored.q, scored.result, scored.published
    titles = {a.id: a.title for a in q.doc.agencies}
    shown = published.shown
    minimum = privacy.group_size(q.doc.settings.min_group_size, workshop=published.workshop)
    bars = {d.id: agency_bars_svg(
        d, titles, respondents_by_agency=published.group_counts,
        min_group_size=minimum, hidden=frozenset(published.hidden), title=d.title)
        for d in result.dimensions}
    hidden = [titles.get(a, a) for a in published.hidden]
    why_hidden = published.hidden_texts(titles, q.doc.settings.min_group_size)
    worded = roadmap_context(scored) if published.roadmap else None
    audit("view_results", scored)
    return render_template(
        "results/results.html", scored=scored, assessment=scored.assessment, q=q, result=result,
        published=published, roadmap=published.roadmap, titles=titles, shown=shown,
        hidden=hidden, why_hidden=why_hidden, bars=bars,
        radar=Markup(radar_svg(result, levels=q.doc.levels)),
        cite=lambda evidence: cite(q, evidence),
        phases=worded.phases if worded else (), carried=worded.carried if worded else (),
        since=since_previous(get_session(), scored), change_points=CHANGE_POINTS,
        comments=_comments(scored), comments_rule=published.comment_texts(titles),
        notes=roadmap_notes(scored), downloads=DOWNLOADS,
        plan_progress=plan_services.progress_of(get_session(), scored.assessment.municipality),
        follow_up=plan_services.follow_up_of(get_session(), scored.assessment,
                                             published.from_plan),
        peers=peer_benchmark_of(get_session(), scored.assessment, q,
                                int(current_app.config["MIN_CELL"])),
        legal=legal_section(services.legal_profile_of(scored.assessment), q),
        agreement=_agreement(scored), consensus=consensus_section(q, published))


def _agreement(scored: ScoredAssessment) -> dict[str, dict[str, str | None]]:
    """How closely each shown agency's respondents agree, per dimension, as a band (survey
    mode only: a workshop records one agreed answer per agency)."""
    if scored.assessment.mode == Mode.WORKSHOP:
        return {}
    agreed = set(scored.published.agreed)  # a mixed round's workshop agencies: one answer each
    answers = services.submitted_answers(get_session(), scored.assessment, scored.q)
    return agency_agreement(scored.q, answers,
                            tuple(a for a in scored.shown_agencies if a not in agreed))
