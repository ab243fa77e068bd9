"""A later round's roadmap and the municipality's plan tell one story (review defects 1 and 6):
what the plan holds open or done is never proposed as new, on the results page, in the PDF or
in the plan; due dates are computed once, from the closing date; a dropped action proposed
again (its dimension fell back) re-opens its row instead of doubling it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.plans import add_months
from readiness.core.roadmap_plan import LATER
from readiness.models import Assessment, Municipality, PlanAction, PlanEvent, Role
from readiness.report.context import ReportContext, build_report_context
from readiness.report.text import format_date
from readiness.services import assessments as services
from readiness.services import plans
from readiness.web.report_download import report_meta
from readiness.web.results import ScoredAssessment
from tests.web_helpers import add_responses, login, make_assessment, make_user


def _close(db: Session, municipality: Municipality) -> Assessment:
    assessment, _ = make_assessment(db, municipality, ("police", "health"))
    add_responses(db, assessment, "police", 3, "disagree")
    add_responses(db, assessment, "health", 3, "disagree")
    plans.close_with_plan(db, assessment)
    db.commit()
    return assessment


def _pdf_context(db: Session, assessment: Assessment) -> ReportContext:
    q, published = services.publish_assessment(db, assessment)
    scored = ScoredAssessment(assessment, q, published)
    return build_report_context(q, published, report_meta(db, scored))


@dataclass(frozen=True)
class Rounds:
    """Round 2 of a municipality and what round 1's plan holds."""

    municipality: Municipality
    second: Assessment
    done: str  # title of an action done
    open: tuple[str, ...]  # titles of open actions, one from round 1's "later" list
    dropped: str  # id of an action dropped


@pytest.fixture
def rounds(session: Session) -> Rounds:
    """Round 1 closed, its plan in every state (one open action from its "later" list, as an
    organiser may take one up), then round 2 closed on the same answers."""
    municipality = services.create_municipality(session, name="Sint-Test", country="BE",
                                                population_band="50k_100k")
    make_user(session, "coordinator", Role.MUNICIPALITY_COORDINATOR, municipality=municipality)
    first = _close(session, municipality)
    tracked = plans.plan_of(session, municipality)
    done, going, dropped = tracked[0], tracked[1], tracked[2]
    overdue = datetime.now(UTC).date() - timedelta(days=7)
    plans.update_action(session, done, plans.ActionEdit(status="done"), None)
    plans.update_action(session, going, plans.ActionEdit(status="in_progress", due_on=overdue),
                        None)
    plans.update_action(session, dropped, plans.ActionEdit(
        status="dropped", drop_reason="No budget this year"), None)
    later = next(a for a in first.result.roadmap["actions"] if a["phase"] == LATER)
    taken_up = PlanAction(municipality_id=municipality.id, assessment_id=first.id,
                          action=later["id"], title=later["title"], status="in_progress",
                          due_on=overdue)
    session.add(taken_up)
    session.commit()
    second = _close(session, municipality)
    return Rounds(municipality, second, done.title, (going.title, taken_up.title),
                  dropped.action)


def _titles(ctx: ReportContext) -> list[str]:
    return [a.title for _n, _t, actions in ctx.phases for a in actions]


def test_done_and_open_actions_are_not_proposed_again_on_the_page_or_in_the_pdf(
        client: FlaskClient, session: Session, rounds: Rounds):
    second = rounds.second
    ctx = _pdf_context(session, second)
    done = rounds.done
    assert done not in _titles(ctx)
    assert ctx.done_before == (done,)
    for title in rounds.open:
        assert title not in _titles(ctx)
        assert sum(title in line for line in ctx.carried) == 1
    assert any("In progress, overdue since" in line for line in ctx.carried)
    login(client, "coordinator")
    html = client.get(f"/assessments/{second.public_id}/results").get_data(as_text=True)
    assert f"<h4>{done}</h4>" not in html
    assert "Done in an earlier round and not proposed again" in html
    assert html.count(done) == 1 + html.count(f"Earlier actions on it done: {done}") \
        + html.count(f"; {done}")  # named once in the carry-over panel, besides score notes
    for line in ctx.carried:
        assert line in html
    for title in rounds.open:
        assert f"<h4>{title}</h4>" not in html


def test_the_plan_holds_each_action_once_and_leaves_a_dropped_one_as_decided(
        client: FlaskClient, session: Session, rounds: Rounds):
    municipality, second = rounds.municipality, rounds.second
    rows = plans.plan_of(session, municipality)
    twice = [a for a, n in Counter(r.action for r in rows).items() if n > 1]
    assert twice == ["reassess_readiness"]  # round 1's, done by round 2, and round 2's own
    reassess = sorted((r for r in rows if r.action == "reassess_readiness"), key=lambda r: r.id)
    assert [(r.assessment_id, r.status) for r in reassess] == [
        (municipality.assessments[0].id, "done"), (second.id, "planned")]
    kept = next(r for r in rows if r.action == rounds.dropped)  # no dimension fell back
    assert (kept.status, kept.drop_reason, kept.assessment_id) == (
        "dropped", "No budget this year", municipality.assessments[0].id)
    assert session.query(PlanEvent).filter_by(plan_action_id=kept.id, field="closed").all() == []
    ctx = _pdf_context(session, second)  # not proposed again, after the close too
    assert kept.title not in _titles(ctx)
    assert ctx.proposed_again == ()
    assert ctx.dropped_before == (kept.title,)  # named, as on the page
    login(client, "coordinator")
    html = client.get(f"/assessments/{second.public_id}/results").get_data(as_text=True)
    assert f"{kept.title} (why: No budget this year)" in html


def test_due_dates_are_the_same_in_the_pdf_and_the_plan_and_count_from_the_closing_date(
        session: Session, rounds: Rounds):
    municipality, second = rounds.municipality, rounds.second
    ctx = _pdf_context(session, second)
    check_by = {a.title: a.check_by for _n, _t, actions in ctx.phases for a in actions}
    rows = [r for r in plans.plan_of(session, municipality) if r.assessment_id == second.id]
    assert rows
    assert second.closed_at is not None
    closed = second.closed_at.date()
    dated = {a["id"]: a["due_month"] for a in second.result.roadmap["actions"]
             if a.get("due_month") is not None}
    for row in rows:
        assert row.due_on is not None
        assert check_by[row.title] == format_date(row.due_on)
        assert row.due_on == add_months(closed, dated[row.action])


def test_the_later_list_holds_no_dated_action_and_the_summary_counts_what_is_dated(
        session: Session, rounds: Rounds):
    second = rounds.second
    ctx = _pdf_context(session, second)
    later = [a for n, _t, actions in ctx.phases if n == LATER for a in actions]
    dated = [a for n, _t, actions in ctx.phases if n != LATER for a in actions]
    assert all(not a.check_by for a in later)
    assert all(a.check_by for a in dated)
    noun = "action" if len(dated) == 1 else "actions"  # new ones: the plan's open come first
    assert f"proposes {len(dated)} new dated {noun}" in " ".join(ctx.summary)
    reassess = next(a for a in dated if a.title.startswith("Re-assess readiness"))
    assert reassess.check_by == ctx.reassess_on
