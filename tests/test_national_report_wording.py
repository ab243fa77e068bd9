"""What the national summary PDF says must be true and readable: a municipality assessed twice
whose rounds cannot be compared is not "never assessed twice", a breakdown with every figure
hidden is one sentence instead of pages of "fewer than 5", the plans' action counts are printed,
a sentence opening on a hidden count starts with a capital, and no text runs out of its table
cell or past the page's margin (review of 2026-12-06, defects 4, 10 and 14)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from readiness.core.questionnaire import get_questionnaire
from readiness.national import aggregate as ag
from readiness.national.aggregate.followthrough import ActionRecord, follow_through
from readiness.national.report import national_context, national_report_html
from readiness.report.render import ASSET_BASE, ReportFetcher
from readiness.services.national import rules_of
from readiness.translate import use_language
from tests.national_fixture import DIMENSIONS, records

TODAY = date(2026, 6, 1)
NEVER_TWICE = "No municipality in this selection has been assessed twice yet."
NOT_COMPARABLE = "have been assessed twice, but none of them has two rounds that can be compared"
BOTH = {"police": 4, "health": 4}
# A, B and D of the fixture have two rounds; in each, health took part or was shown in round 1
# only, so none of the three compares
APART = {11: (BOTH, ["police", "health"]), 12: ({"police": 9}, ["police"]),
         21: (BOTH, ["police", "health"]), 22: ({"police": 9}, ["police"]),
         41: (BOTH, ["police", "health"]), 42: ({"police": 9, "health": 2}, [])}


def _apart() -> ag.Tables:
    rows = [(aid, "survey", json.dumps(counts), json.dumps(shown), None)
            for aid, (counts, shown) in APART.items()]
    return ag.tables(replace(records(), facts=rows), DIMENSIONS, rules_of(get_questionnaire()))


def _html(t: ag.Tables, filters: ag.Filters | None = None, **kwargs: Any) -> str:
    return national_report_html(national_context(t, get_questionnaire(), filters or ag.Filters(),
                                                 today=TODAY, **kwargs))


def test_municipalities_assessed_twice_but_not_comparable_are_not_called_never_assessed_twice():
    html = _html(_apart())
    assert NEVER_TWICE not in html
    assert NOT_COMPARABLE in html
    assert "Change between rounds" not in html  # a table of 0 and "no data" said nothing more
    # and when no municipality has a round before its latest, the page still says so
    assert NEVER_TWICE in _html(_apart(), ag.Filters(round=1))


def test_a_sentence_opening_on_a_hidden_count_starts_with_a_capital():
    ctx = national_context(_apart(), get_questionnaire(), ag.Filters(), today=TODAY)
    left_out = next(line for line in ctx.headline if "left out of the progress" in line)
    assert left_out.startswith("Fewer than 5 municipalities are left out")


def test_a_breakdown_with_every_figure_hidden_is_one_sentence_not_a_table_of_hidden_cells():
    """Region R1 holds three municipalities: every breakdown figure is hidden."""
    html = _html(ag.tables(records(), DIMENSIONS), ag.Filters(region="R1"))
    for caption in ("Municipalities by stage", "Distribution of scores (0 to 100)",
                    "Municipalities at each level", "Mean scores by region"):
        assert f"<caption>{caption}</caption>" not in html
    for said in ("to show how many are at each stage without singling one out",
                 "to show the spread of scores without singling one out",
                 "to show levels without singling one out",
                 "to show how often each barrier is found without singling one out",
                 "in each region to show its mean scores without singling one out"):
        assert said in html
    assert "Found in fewer than 5 municipalities" not in html
    # the cover note and the privacy section say the rule; no cell repeats it
    assert html.count("fewer than 5") <= 6
    # with figures to show, the tables are there as before
    shown = _html(ag.tables(records(), DIMENSIONS), min_cell=1)
    assert "<caption>Municipalities by stage</caption>" in shown
    assert "Found in 5 municipalities" in shown


def _action(municipality: int, status: str, dimension: str = "legal_basis") -> ActionRecord:
    return ActionRecord(municipality, "BE", "R1", "10k_50k", "map_legal", "Map the law",
                        "framework", dimension, status, date(2026, 9, 1), "")


def test_the_summary_prints_how_many_actions_the_plans_hold_however_few_municipalities():
    """Two plans of 10 actions, 7 on legal basis: the review read "fewer than 5 tracked actions
    in fewer than 5 municipalities" and "Actions: fewer than 5" for Legal basis."""
    rows = [_action(1, "done") for _ in range(7)] + [_action(1, "planned", "trust")] * 3
    rows += [_action(2, "in_progress", "trust") for _ in range(10)]
    q = get_questionnaire()
    figures = follow_through(rows, TODAY, families={f.id: f.title for f in q.library.families},
                             dimensions={d.id: d.title for d in q.doc.dimensions})
    assert figures.actions == 20
    legal = next(r for r in figures.by_dimension if r.key == "legal_basis")
    assert legal.actions == 7
    assert legal.done == ag.suppressed_text()  # how they do stays hidden for two municipalities
    html = _html(ag.tables(records(), DIMENSIONS), follow_through=figures)
    assert "Tracked actions: 20, in fewer than 5 municipalities." in html
    assert "fewer than 5 tracked actions" not in html
    assert "the shares done, in progress and overdue without singling one out" in html
    assert '<td class="num">7</td>' in html


def _text_outside(box: Any, right: float, found: list[str]) -> None:
    """The text of `box` and its descendants that ends right of `right` or of its table cell."""
    if isinstance(box, boxes.MarginBox):
        return
    if isinstance(box, boxes.TableCellBox):
        right = min(right, box.border_box_x() + box.border_width())
    if isinstance(box, boxes.TextBox) and box.position_x + box.width > right + 0.5:
        found.append(box.text)
    for child in getattr(box, "children", ()):
        _text_outside(child, right, found)


def _overflowing(html: str) -> list[str]:
    found: list[str] = []
    for page in HTML(string=html, base_url=ASSET_BASE, url_fetcher=ReportFetcher()).render().pages:
        box = page._page_box
        _text_outside(box, box.content_box_x() + box.width, found)
    return found


def test_no_text_of_the_german_summary_runs_out_of_its_cell_or_past_the_margin():
    """German headers ("Wahrnehmungsunterschied") were wider than their column and long
    citations ran past the right margin."""
    with use_language("de"):
        html = _html(ag.tables(records(), DIMENSIONS), min_cell=1)
    assert _overflowing(html) == []


def test_a_selection_without_assessed_municipalities_is_not_called_too_small():
    """Country FR holds one municipality, never assessed: no figure exists, none is hidden."""
    html = _html(ag.tables(records(), DIMENSIONS), ag.Filters(country="FR"))
    assert "without singling one out" not in html
    assert "No municipality in this selection has scores to show here." in html
