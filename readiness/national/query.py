"""Read what the national views need from the database, as plain rows (no pandas here).

Aggregation reads stored scores and findings of closed assessments, never raw answers; the one
exception is the respondent-level export for admins. `readiness.national.aggregate` turns the rows
into frames and figures.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from readiness.core.consensus import is_agreed
from readiness.models import (
    Assessment,
    AssessmentFinding,
    AssessmentResult,
    Municipality,
    Response,
    ResponseStatus,
    Score,
    Status,
)
from readiness.national.records import (
    FORMALITY_ITEM,
    Records,
)


def load_records(db: Session, *, country: str | None = None,
                 band: str | None = None) -> Records:
    """Municipalities (of a country and size band, if given) and their closed assessments,
    with stored scores and barriers found."""
    chosen = select(Municipality.id)
    if country is not None:
        chosen = chosen.where(Municipality.country == country)
    if band is not None:
        chosen = chosen.where(Municipality.population_band == band)
    narrowed = country is not None or band is not None
    municipalities = _rows(db, select(
        Municipality.id, Municipality.public_id, Municipality.name, Municipality.country,
        Municipality.region, Municipality.population_band)
        .where(Municipality.id.in_(chosen) if narrowed else true())
        .order_by(Municipality.id))  # a fixed order: `with_municipalities` compares two reads
    closed = select(Assessment.id).where(Assessment.status == Status.CLOSED)
    if narrowed:
        closed = closed.where(Assessment.municipality_id.in_(chosen))
    return _closed_records(db, municipalities, closed, narrowed)


def closed_versions(db: Session) -> list[str]:
    """The questionnaire versions the closed assessments were answered on, oldest first."""
    found = db.scalars(select(Assessment.questionnaire_version).distinct()
                       .where(Assessment.status == Status.CLOSED))
    return sorted(found, key=lambda v: tuple(int(p) for p in v.split(".") if p.isdigit()))


def load_closed_after(db: Session, when: datetime) -> Records:
    """The assessments closed after `when`, with their scores and barriers (no municipalities):
    what a kept set of frames lacks when only new assessments were closed since it was read."""
    closed = select(Assessment.id).where(Assessment.status == Status.CLOSED,
                                         Assessment.closed_at > when)
    return _closed_records(db, [], closed, True)


def _rows(db: Session, statement: Any) -> list[tuple[Any, ...]]:
    """Plain DB-API tuples: Row objects cost more than the whole aggregation at 10,000
    municipalities; the frames normalise types (SQLite's date strings, 0/1 booleans)."""
    return list(db.connection().execute(statement).cursor.fetchall())


def _closed_records(db: Session, municipalities: Sequence[Sequence[Any]], closed: Any,
                    narrowed: bool) -> Records:
    """Records of the closed assessments `closed` selects (every one unless `narrowed`)."""
    formality = Assessment.context[(FORMALITY_ITEM, 0)].as_string()
    assessments = _rows(db, (
        select(Assessment.id, Assessment.public_id, Assessment.municipality_id,
               Assessment.round, Assessment.conducted_on, AssessmentResult.overall,
               AssessmentResult.stage, AssessmentResult.respondents, formality)
        .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
        .where(Assessment.id.in_(closed))))
    scores = _rows(db, select(Score.assessment_id, Score.dimension, Score.score, Score.level,
                              Score.divergent)
                   .where(Score.assessment_id.in_(closed) if narrowed else true()))
    found = AssessmentFinding
    barriers = _rows(db, select(found.assessment_id, func.aggregate_strings(found.finding, ","))
                     .where(found.kind == "barrier",
                            found.assessment_id.in_(closed) if narrowed else true())
                     .group_by(found.assessment_id))
    stored = AssessmentResult.result
    facts = _rows(db, select(
        AssessmentResult.assessment_id, Assessment.mode,
        stored["respondents_by_agency"].as_string(), stored["shown_agencies"].as_string(),
        stored["withheld"].as_string())
        .join(Assessment, Assessment.id == AssessmentResult.assessment_id)
        .where(AssessmentResult.assessment_id.in_(closed)))
    return Records(municipalities, assessments, scores, barriers, facts)


@dataclass(frozen=True)
class DataVersion:
    """A cheap fingerprint of what the national views read: it changes when an assessment is
    closed or removed and when a municipality is added, removed or edited (every update raises
    its `revision`)."""

    closed: int
    id_sum: int | None
    last_closed_at: datetime | None
    assessments: tuple[Any, ...]
    municipalities: tuple[Any, ...]


def data_version(db: Session) -> DataVersion:
    """The fingerprint of the closed assessments and municipalities stored now."""
    closed, id_sum, last_closed_at, *assessments = db.execute(select(
        func.count(), func.sum(Assessment.id), func.max(Assessment.closed_at),
        func.max(Assessment.id), func.max(Assessment.public_id))
        .where(Assessment.status == Status.CLOSED)).one()
    municipalities = db.execute(select(
        func.count(), func.max(Municipality.id), func.max(Municipality.public_id),
        func.sum(Municipality.revision))).one()
    return DataVersion(closed, id_sum, last_closed_at, tuple(assessments), tuple(municipalities))


def closed_rounds(db: Session) -> tuple[int, ...]:
    """The rounds that have a closed assessment, in order (the round filter's choices), read
    alone: the dashboard's first page after a restart needs no frames for them."""
    found = db.scalars(select(Assessment.round).distinct()
                       .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
                       .where(Assessment.status == Status.CLOSED, Assessment.round.is_not(None)))
    return tuple(sorted(int(r) for r in found))


def load_municipalities(db: Session) -> list[tuple[Any, ...]]:
    """Every municipality's row, as `load_records` reads them (what a kept set of frames lacks
    when only municipalities were added or edited since it was read)."""
    # ordered by id as `load_records` reads them: without it PostgreSQL returned an updated row
    # last, and a rename looked like a move (every figure worked out again)
    return _rows(db, select(
        Municipality.id, Municipality.public_id, Municipality.name, Municipality.country,
        Municipality.region, Municipality.population_band).order_by(Municipality.id))


def same_assessments(kept: DataVersion, now: DataVersion) -> bool:
    """Whether the closed assessments `kept` described are all there is now."""
    return (kept.closed, kept.id_sum, kept.last_closed_at, kept.assessments) == (
        now.closed, now.id_sum, now.last_closed_at, now.assessments)


def only_added_since(db: Session, kept: DataVersion, now: DataVersion) -> bool:
    """Whether every closed assessment `kept` described is unchanged and the only difference
    is assessments closed after its last one (so reading those alone brings kept frames up to
    date). Municipalities are not compared: see `same_assessments` and the caller."""
    if kept.last_closed_at is None or now.closed <= kept.closed:
        return False
    up_to = db.execute(select(func.count(), func.sum(Assessment.id)).where(
        Assessment.status == Status.CLOSED, Assessment.closed_at <= kept.last_closed_at)).one()
    return tuple(up_to) == (kept.closed, kept.id_sum)


def places(db: Session) -> dict[str, set[str]]:
    """Each country municipalities are stored with, and its regions (for the filters)."""
    found: dict[str, set[str]] = {}
    for country, region in db.execute(
            select(Municipality.country, Municipality.region).distinct()):
        found.setdefault(country, set())
        if region:
            found[country].add(region)
    return found


ACTION_FIELDS = ("id", "title", "priority", "phase", "lead")


def load_roadmap_actions(db: Session, assessment_ids: Sequence[int],
                         limit: int = 10) -> dict[int, list[dict[str, Any]]]:
    """The first `limit` roadmap actions of each assessment (for exports), by assessment id.

    Only those fields are taken out of the stored roadmaps, in SQL: parsing whole documents
    would cost a second per thousand assessments."""
    roadmap = AssessmentResult.roadmap
    paths = [(n, key) for n in range(limit) for key in ACTION_FIELDS]
    columns = [roadmap[("actions", n, key)].as_integer() if key in ("priority", "phase")
               else roadmap[("actions", n, key)].as_string() for n, key in paths]
    actions: dict[int, list[dict[str, Any]]] = {}
    wanted = list(assessment_ids)
    conn = db.connection()
    for start in range(0, len(wanted), 500):
        statement = (select(AssessmentResult.assessment_id, *columns)
                     .where(AssessmentResult.assessment_id.in_(wanted[start:start + 500])))
        for assessment_id, *values in conn.execute(statement).cursor.fetchall():
            found: list[dict[str, Any]] = []
            for n in range(limit):
                action = dict(zip(ACTION_FIELDS, values[n * len(ACTION_FIELDS):
                                                         (n + 1) * len(ACTION_FIELDS)],
                                  strict=True))
                if action["id"] is None:
                    break
                found.append(action)
            actions[assessment_id] = found
    return actions


def iter_submitted_responses(db: Session, assessment_ids: Sequence[int]
                             ) -> Iterator[tuple[int, str, dict[str, Any], bool]]:
    """(assessment id, agency, answers, workshop?) of every counted response (submitted, not
    left out by the organiser), without any identity, time or order that could tell who
    answered (by id within an agency only so the read is repeatable; the export shuffles
    them)."""
    wanted = list(assessment_ids)
    for start in range(0, len(wanted), 500):
        rows = db.execute(
            select(Response.assessment_id, Response.agency, Response.answers, Assessment.mode,
                   Assessment.workshop_agencies)
            .join(Assessment, Assessment.id == Response.assessment_id)
            .where(Response.assessment_id.in_(wanted[start:start + 500]),
                   Response.status == ResponseStatus.SUBMITTED, Response.excluded.is_(False))
            .order_by(Response.assessment_id, Response.agency, Response.id))
        for assessment_id, agency, answers, mode, in_workshop in rows:
            yield (assessment_id, agency, dict(answers or {}),
                   is_agreed(mode, in_workshop or (), agency))
