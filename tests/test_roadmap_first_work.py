"""The summary's "first three actions" and its counts read one list (review 4, part B defect
3): the plan's actions still open from the earlier round come first, overdue ones first and
named in the summary; then only the roadmap's dated actions, in the order the plan does them;
never an undated "later, if needed" action, never "by ."."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlalchemy.orm import Session

from readiness.core.plans import FromPlan
from readiness.core.roadmap_plan import LATER
from readiness.report.context import ReportContext, build_report_context
from readiness.report.render import render_roadmap_html
from readiness.services import assessments as services
from readiness.web.report_download import report_meta
from readiness.web.results import ScoredAssessment
from tests import test_roadmap_follows_plan as follows
from tests.test_roadmap_follows_plan import Rounds

rounds = follows.rounds  # the fixture: round 2, with round 1's open actions (two overdue)


def _context(db: Session, rounds: Rounds, *, carried: bool = True) -> ReportContext:
    q, published = services.publish_assessment(db, rounds.second)
    if not carried:  # the same round as if the plan held nothing open
        published = replace(published, from_plan=FromPlan())
    scored = ScoredAssessment(rounds.second, q, published)
    return build_report_context(q, published, report_meta(db, scored))


def _first_items(ctx: ReportContext) -> list[str]:
    """The items of the summary's first actions list, as the PDF's HTML prints them."""
    html = render_roadmap_html(ctx)
    block = html.split('<ol class="first-actions">', 1)[1].split("</ol>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", "", item).split())
            for item in re.findall(r"<li>(.*?)</li>", block, flags=re.S)]


def _dated(ctx: ReportContext) -> list[str]:
    """The titles of the roadmap's dated actions, in the order its phases print them."""
    return [a.title for n, _t, actions in ctx.phases if n != LATER for a in actions]


def test_open_actions_from_round_one_come_first_overdue_first_and_the_summary_names_them(
        session: Session, rounds: Rounds):
    ctx = _context(session, rounds)
    items = _first_items(ctx)
    assert len(items) == 3
    assert all(item.startswith("Still open from round 1: ") for item in items), items
    assert "overdue since" in items[0], items
    assert "overdue since" in items[1], items
    assert {t for t in rounds.open if t in items[0] or t in items[1]} == set(rounds.open)
    summary = " ".join(ctx.summary)
    assert "First come the 6 actions still open from round 1: " in summary
    for title in rounds.open:  # the two overdue ones are named as the first work
        assert f"{title} (overdue since " in summary


def test_the_summary_counts_the_new_dated_actions_the_roadmap_lists(
        session: Session, rounds: Rounds):
    ctx = _context(session, rounds)
    dated = _dated(ctx)
    first = [a for n, _t, actions in ctx.phases if n == 1 for a in actions]
    summary = " ".join(ctx.summary)
    noun = "action" if len(dated) == 1 else "actions"
    assert (f"Beyond them, the roadmap proposes {len(dated)} new dated {noun} "
            f"({len(first)} due in the first three months)") in summary


def test_without_open_actions_only_dated_actions_are_listed_and_none_reads_by_nothing(
        session: Session, rounds: Rounds):
    ctx = _context(session, rounds, carried=False)
    items = _first_items(ctx)
    dated = _dated(ctx)
    assert len(dated) < 3  # this round's plan is small: the rest is "later, if needed"
    assert [i.split(" &ndash; ")[0] for i in items] == dated[:3]
    assert all(a.check_by for a in ctx.first_actions)
    assert not any(item.endswith("by .") or " by ." in item for item in items), items
    html = render_roadmap_html(ctx)
    assert "The first actions" in html
    assert "The first three actions" not in html
    noun = "dated action" if len(dated) == 1 else "dated actions"  # one is counted singular
    assert f"proposes {len(dated)} {noun}" in " ".join(ctx.summary)
