""""Where to go next" follows its published rules: a round with too few answers does not hide
the last scored round, and every printed need is the sum of the parts printed beside it."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.models import Role
from readiness.national import aggregate as ag
from readiness.national.records import Records
from readiness.national.report import national_context, national_report_html
from readiness.services import municipalities as services
from readiness.services import plans
from tests.national_fixture import DIMENSIONS, level_of
from tests.national_fixture import records as fixture_records
from tests.national_web import make_country
from tests.web_helpers import add_responses, login, make_assessment, make_user

Q = get_questionnaire()
TODAY = date(2026, 6, 1)
W = ag.need_weights(Q)


def _records() -> Records:
    """V: round 1 scored (legal basis 11), round 2 closed with too few answers; U: only a round
    with too few answers; S: one scored round."""
    places = [(1, "pv", "V", "FR", "R1", "10k_50k"), (2, "pu", "U", "FR", "R1", "10k_50k"),
              (3, "ps", "S", "FR", "R1", "10k_50k")]
    assessments = [(11, "v1", 1, 1, date(2025, 11, 4), 50.0, "building", 12, "formal"),
                   (12, "v2", 1, 2, date(2026, 5, 20), None, "insufficient_data", 2, "formal"),
                   (21, "u1", 2, 1, date(2026, 5, 1), None, "insufficient_data", 2, None),
                   (31, "s1", 3, 1, date(2026, 1, 1), 70.0, "building", 12, "formal")]
    v1 = dict(zip(DIMENSIONS, (60.0, 62.0, 11.0, 58.0, 59.0), strict=True))
    scores = [(11, d, s, level_of(s), False) for d, s in v1.items()]
    scores += [(aid, d, None, level_of(None), False) for aid in (12, 21) for d in DIMENSIONS]
    scores += [(31, d, 70.0, level_of(70.0), False) for d in DIMENSIONS]
    return Records(places, assessments, scores, [])


def _need_list(html: str) -> dict[str, str]:
    """The national PDF's "where to go next" items, by municipality."""
    items = re.findall(r"<li><strong>(.*?)</strong> \(.*?\): (.*?)\.</li>", html)
    return {name: html_lib.unescape(why) for name, why in items}


def test_a_round_with_too_few_answers_is_ranked_on_the_last_scored_round_in_the_pdf():
    t = ag.tables(_records(), DIMENSIONS)
    ctx = national_context(t, Q, ag.Filters(), today=TODAY)
    need = {r.name: r for r in ctx.data.need}
    # V on round 1: (100 - (11 + 58) / 2) * 0.6 = 39.3, legal basis at concern 8
    assert need["V"].need == 47.3
    assert need["V"].assessment_public_id == "v1"
    assert need["U"].need == W["never_assessed"]
    why = _need_list(national_report_html(ctx))
    assert why["V"].startswith("Round 2 (20 May 2026) had too few answers for a score: "
                               "ranked on round 1 (4 November 2025)")
    assert "Legal basis for information sharing 11, Tools 58" in why["V"]
    assert why["U"] == ("Round 1 (1 May 2026) had too few answers for a score, and no earlier "
                        "round was scored: ranked as never assessed")


def test_the_overview_mean_says_which_rounds_it_covers():
    t = ag.tables(_records(), DIMENSIONS)
    ctx = national_context(t, Q, ag.Filters(), today=TODAY)
    assert ctx.data.overview.overall_scored == "fewer than 5"
    lone = ag.tables(Records(_records().municipalities[:2], _records().assessments[1:3],
                             _records().scores, []), DIMENSIONS)
    headline = national_context(lone, Q, ag.Filters(), today=TODAY).headline
    assert "No latest round had enough answers for an overall score." in headline


def _parts(why: str) -> float:
    """The need a row's printed reasons add up to, by the published rules."""
    total = 0.0
    if "ranked as never assessed" in why or why == "Never assessed: readiness unknown":
        return W["never_assessed"]
    weakest = re.search(r"Weakest: ([^;]*)", why)
    scores = [int(s) for s in re.findall(r" (\d+)(?:,|$)", weakest.group(1))] if weakest else []
    total += (100 - (sum(scores) / len(scores) if scores else 50)) * W["weakness"]
    concern = re.search(r"(\d+) of \d+ dimensions at concern level", why)
    total += W["concern"] * int(concern.group(1)) if concern else 0
    months = re.search(r"Last (?:assessed|scored) (\d+) months ago", why)
    if months:
        total += min(W["stale_cap"], (int(months.group(1)) - W["stale_after"])
                     * W["stale_per_month"])
    total += W["no_structure"] if "No local cooperation structure yet" in why else 0
    total += W["ad_hoc"] if "Only ad hoc cooperation" in why else 0
    total += W["decline"] if "Overall fell" in why else 0
    return total


@pytest.mark.parametrize("today", [date(2026, 6, 1), date(2027, 5, 17), date(2027, 6, 1)])
def test_every_printed_need_is_the_sum_of_the_printed_parts(today: date):
    t = ag.tables(fixture_records(), DIMENSIONS)
    ctx = national_context(t, Q, ag.Filters(), today=today)
    why = _need_list(national_report_html(ctx))
    assert why
    for row in ctx.data.need:
        assert f"{_parts(why[row.name]):.0f}" == f"{row.need:.0f}", (row.name, why[row.name])


def test_the_months_printed_are_the_months_counted():
    t = ag.tables(fixture_records(), DIMENSIONS)
    # C was assessed on 2025-03-01: 807 days later are 26.5 months, printed and counted as 27
    rows = {r.name: r for r in ag.need_ranking(ag.select(t, ag.Filters()), Q,
                                               today=date(2027, 5, 17))}
    assert "Last assessed 27 months ago" in rows["C"].reasons
    # (100 - 70) * 0.6 = 18, 27 - 12 = 15 months over at 2 points = 30 (the cap)
    assert rows["C"].need == 48.0


@pytest.mark.db
def test_the_dashboard_ranks_a_municipality_on_its_last_scored_round(client: FlaskClient,
                                                                     session: Session):
    town = services.create_municipality(session, name="Valmont", country="FR",
                                        population_band="10k_50k", region="Hauts-de-France")
    scored, _ = make_assessment(session, town, ("police", "health"))
    add_responses(session, scored, "police", 3, "disagree")
    add_responses(session, scored, "health", 3, "disagree")
    plans.close_with_plan(session, scored)
    session.commit()
    thin, _ = make_assessment(session, town, ("police",))
    add_responses(session, thin, "police", 2, "agree")
    plans.close_with_plan(session, thin)
    session.commit()
    assert thin.result is not None
    assert thin.result.overall is None
    make_user(session, "national", Role.NATIONAL_COORDINATOR)
    login(client, "national")
    page = client.get("/dashboard/?country=FR").get_data(as_text=True)
    text = html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))
    assert "Round 2 (1 March 2026) had too few answers for a score: ranked on round 1" in text
    assert "Weakest:" in text
    assert re.search(rf'href="[^"]*{scored.public_id}[^"]*">Valmont</a>', page)
    assert "over the latest rounds with a score: 0 of 1" in text
    assert "passed over: the municipality is ranked on its last scored round" in text


@pytest.mark.db
def test_every_need_on_the_dashboard_is_the_sum_of_the_parts_beside_it(client: FlaskClient,
                                                                       session: Session):
    make_country(session, municipalities=40)
    login(client, "national")
    page = client.get("/dashboard/").get_data(as_text=True)
    rows = re.findall(r'<td class="numeric">(\d+)</td>\s*<td><ul class="reasons">(.*?)</ul>',
                      page, re.S)
    assert len(rows) == 20
    for need, items in rows:
        why = "; ".join(html_lib.unescape(r) for r in re.findall(r"<li>(.*?)</li>", items))
        assert f"{_parts(why):.0f}" == need, why
