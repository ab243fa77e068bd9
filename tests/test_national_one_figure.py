"""One figure, rounded once, in every national output: the progress chart, its table, the PDF
and the XLSX give the same change, and a level's share is its own count over the total."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.national import aggregate as ag
from readiness.national.charts import levels_svg, progress_svg
from readiness.national.exports import progress_sheet, xlsx_bytes
from readiness.national.records import Records
from readiness.national.report import national_context, national_report_html
from tests.national_fixture import DIMENSIONS, level_of
from tests.national_web import Country, make_country
from tests.web_helpers import login

Q = get_questionnaire()
# five municipalities with two rounds: before means 40.04 (40.0), after 48.06 (48.1); the
# mean change is 8.02 (8.0), while the rounded means differ by 8.1
BEFORE = [40.0, 40.0, 40.0, 40.0, 40.2]
AFTER = [48.0, 48.0, 48.0, 48.0, 48.3]


def _records(before: list[float], after: list[float]) -> Records:
    places = [(m, f"p{m}", f"M{m}", "BE", "R1", "10k_50k") for m in range(1, len(before) + 1)]
    assessments, scores = [], []
    for m, (one, two) in enumerate(zip(before, after, strict=True), start=1):
        for rnd, score in ((1, one), (2, two)):
            aid = m * 10 + rnd
            assessments.append((aid, f"a{aid}", m, rnd, date(2024 + rnd, 1, 1), score,
                                "building", 12, "formal"))
            scores += [(aid, d, score, level_of(score), False) for d in DIMENSIONS]
    return Records(places, assessments, scores, [])


def _progress() -> list[ag.DimensionProgress]:
    sel = ag.select(ag.tables(_records(BEFORE, AFTER), DIMENSIONS), ag.Filters())
    return ag.progress(sel, Q)


def test_the_progress_chart_shows_the_change_the_table_and_the_xlsx_give():
    moves = _progress()
    trust = next(p for p in moves if p.id == "trust")
    assert (trust.before, trust.after, trust.change) == (40.0, 48.1, 8.0)
    svg = str(progress_svg(moves))
    assert ">+8.0</text>" in svg
    assert "+8.1" not in svg
    book = load_workbook(io.BytesIO(xlsx_bytes([progress_sheet(moves)])))
    ws = book.active
    header = [c.value for c in ws[1]]
    changes = {row[0]: row[header.index("mean_change")] for row in
               ws.iter_rows(min_row=2, values_only=True)}
    assert changes["Trust"] == 8.0


def test_the_pdf_chart_and_table_print_the_same_change():
    t = ag.tables(_records(BEFORE, AFTER), DIMENSIONS)
    html = national_report_html(national_context(t, Q, ag.Filters(), today=date(2026, 6, 1)))
    section = html[html.index('id="progress"'):]
    section = section[:section.index("</section>")]
    assert "+8.0" in section
    assert "+8.1" not in section


def _shares(n_total: int, n_concern: int) -> list[ag.DimensionSummary]:
    scores = [30.0] * n_concern + [60.0] * (n_total - n_concern)
    sel = ag.select(ag.tables(_records(scores, scores), DIMENSIONS), ag.Filters())
    return ag.dimension_summaries(sel, Q)


def test_a_level_share_is_its_own_count_over_the_total_rounded_once():
    # 49 of 101 is 48.5%: 49%, not 48% from a share first rounded to 48.5
    dims = _shares(101, 49)
    concern = next(lv for lv in dims[0].levels if lv.id == "concern")
    assert concern.count == 49
    assert concern.share == 0.49
    svg = str(levels_svg(dims))
    assert re.search(r">49%</text>", svg)
    assert "48%" not in svg


@pytest.fixture
def country(session: Session) -> Country:
    """A demo country with a national coordinator."""
    return make_country(session, municipalities=40)


@pytest.mark.db
def test_the_dashboard_progress_chart_and_table_print_the_same_changes(client: FlaskClient,
                                                                        country: Country):
    login(client, "national")
    html = client.get("/dashboard/").get_data(as_text=True)
    part = html[html.index('id="progress"'):]
    svg = part[part.index("<svg"):part.index("</svg>")]
    table = part[part.index("<tbody>"):part.index("</tbody>")]
    in_chart = re.findall(r'font-weight="bold">([+-]\d+\.\d)</text>', svg)
    in_table = re.findall(r'<td class="numeric">([+-]\d+\.\d)</td>', table)
    assert in_chart
    assert in_chart == in_table
