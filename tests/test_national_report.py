"""The national summary: its content from the aggregates, rendered through the report machinery."""

from __future__ import annotations

from datetime import date

from readiness.core.questionnaire import get_questionnaire
from readiness.national import aggregate as ag
from readiness.national.report import national_context, national_report_html, recommendations_for
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


def test_a_chart_whose_every_figure_is_hidden_is_a_sentence_and_pairs_say_it_once():
    # six assessed; per dimension 1 to 2 municipalities at each level: every level is hidden
    t = ag.tables(records(), DIMENSIONS)
    ctx = national_context(t, Q, ag.Filters(), today=date(2026, 6, 1))
    assert ctx.charts["levels"].svg is None
    assert ctx.charts["levels"].missing == "too_few"
    assert ctx.charts["distribution"].svg is not None
    html = national_report_html(ctx)
    assert "Too few municipalities in this selection to show levels without" in html
    assert "fewer than 5 (fewer than 5)" not in html
    assert "<figure><figcaption>" in html  # captions come before their charts
    shown = national_context(t, Q, ag.Filters(), today=date(2026, 6, 1), min_cell=1)
    assert all(chart.svg is not None for chart in shown.charts.values())


def test_the_summary_says_what_is_suppressed_and_that_lists_name_municipalities():
    t = ag.tables(records(), DIMENSIONS)
    html = national_report_html(national_context(t, Q, ag.Filters(), today=date(2026, 6, 1)))
    assert "no municipality can be singled out" not in html
    assert "show no figure about a group of fewer than 5 municipalities" in html
    assert "national coordinators may read every municipality" in html
