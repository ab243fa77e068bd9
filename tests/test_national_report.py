"""The national summary: its content from the aggregates, rendered through the report machinery."""

from __future__ import annotations

from datetime import date

from readiness import aggregate as ag
from readiness.national_report import national_context, national_report_html, recommendations_for
from readiness.questionnaire import get_questionnaire
from tests.national_fixture import DIMENSIONS, records

Q = get_questionnaire()


def test_every_barrier_comes_with_the_papers_recommendations():
    for barrier in Q.doc.barriers:
        found = recommendations_for(Q, barrier.id)
        assert found, barrier.id
        assert all(r.evidence for r in found)


def test_the_summary_names_recurring_barriers_and_suppresses_small_cells():
    t = ag.tables(records(), DIMENSIONS)
    ctx = national_context(t, Q, ag.Filters(country="BE"), today=date(2026, 6, 1))
    assert ctx.scope == "BE"
    assert [b.title for b in ctx.barriers][0] == "Lack of trust between agencies"
    assert ctx.barriers[0].count == 5
    assert ctx.barriers[0].recommendations
    assert "6 of 6 municipalities have a closed assessment" in ctx.headline[0]
    html = national_report_html(ctx)
    for heading in ("The state of multi-agency working", "Recurring barriers and what the paper",
                    "Progress since the previous round", "Method and sources"):
        assert heading in html
    assert "fewer than 5" in html
    assert "<script" not in html
