"""National filters never mislabel: "never assessed" means no closed assessment at all, a
municipality outside the chosen round or period is "not in this selection", the need ranking uses
its real latest assessment, and contradictory or unknown filters are refused with a message."""

from __future__ import annotations

import re
from datetime import date

import pytest

from readiness.core.questionnaire import get_questionnaire
from readiness.national import aggregate as ag
from readiness.national.aggregate import Filters
from readiness.national.params import ParamError, parse_params
from tests.national_fixture import DIMENSIONS, records

Q = get_questionnaire()


@pytest.fixture(scope="module")
def tables() -> ag.Tables:
    """The fixture as frames (G is the only municipality never assessed)."""
    return ag.tables(records(), DIMENSIONS)


def test_a_round_without_data_leaves_never_assessed_to_the_truly_unassessed(tables: ag.Tables):
    ov = ag.overview(ag.select(tables, Filters(round=5)), Q, min_cell=1)
    assert (ov.assessed, ov.never_assessed, ov.outside_selection) == (0, 1, 6)


def test_round_two_counts_round_one_only_municipalities_as_outside_not_never(tables: ag.Tables):
    # A, B and D have a round 2; C, E and F only a round 1; G none
    ov = ag.overview(ag.select(tables, Filters(round=2)), Q, min_cell=1)
    assert (ov.assessed, ov.never_assessed, ov.outside_selection) == (3, 1, 3)
    rows = {r.name: r for r in ag.municipality_rows(ag.select(tables, Filters(round=2)))}
    assert (rows["A"].status, rows["C"].status, rows["G"].status) == (
        "assessed", "outside", "never")
    assert (rows["C"].latest_round, rows["C"].latest_on) == (1, date(2025, 3, 1))
    assert rows["G"].latest_round is None


def test_a_period_counts_earlier_municipalities_as_outside(tables: ag.Tables):
    ov = ag.overview(ag.select(tables, Filters(since=date(2026, 1, 1))), Q, min_cell=1)
    assert (ov.assessed, ov.never_assessed, ov.outside_selection) == (3, 1, 3)


def test_need_ranking_uses_the_real_latest_assessment_outside_the_selection(tables: ag.Tables):
    ranked = {r.name: r for r in ag.need_ranking(ag.select(tables, Filters(round=2)), Q,
                                                 today=date(2026, 6, 1))}
    # C (70 in round 1, 2025-03-01) is not "never assessed"; it is ranked on its real scores
    assert "Never assessed: readiness unknown" not in ranked["C"].reasons
    assert ranked["C"].overall == 70.0
    assert ranked["C"].reasons[0] == (
        "Not in this selection: latest assessment round 1, 1 March 2025")
    assert ranked["C"].need < ag.municipal.NEVER_ASSESSED_NEED
    everything = {r.name: r for r in ag.need_ranking(ag.select(tables, Filters()), Q,
                                                     today=date(2026, 6, 1))}
    assert ranked["C"].need == everything["C"].need
    assert ranked["G"].reasons == ("Never assessed: readiness unknown",)


def _parse(query: dict[str, list[str]], rounds: tuple[int, ...] = (1, 2)) -> object:
    return parse_params(query, countries={"BE"}, regions={"R1"}, dimensions=DIMENSIONS,
                        rounds=rounds)


def test_since_after_until_is_refused_with_a_message():
    with pytest.raises(ParamError, match="after"):
        _parse({"since": ["2026-05-01"], "until": ["2026-01-01"]})
    assert _parse({"since": ["2026-01-01"], "until": ["2026-01-01"]})


def test_a_round_without_data_is_refused_and_says_which_rounds_have_data():
    with pytest.raises(ParamError, match="rounds with data: 1, 2"):
        _parse({"round": ["5"]})
    with pytest.raises(ParamError, match="no closed assessment yet"):
        _parse({"round": ["1"]}, rounds=())
    assert _parse({"round": ["2"]})


@pytest.mark.db
def test_the_dashboard_refuses_an_unknown_round_and_a_reversed_period(client, session):
    from tests.national_web import make_country
    from tests.web_helpers import login

    country = make_country(session)
    login(client, "national")
    bearer = {"Authorization": f"Bearer {country.coordinator_token}"}
    for query, message in (("round=5", "rounds with data: 1"),
                           ("since=2026-05-01&until=2026-01-01", "is after until")):
        for page in ("/dashboard/", "/dashboard/export.csv", "/api/v1/summary"):
            response = client.get(f"{page}?{query}", headers=bearer)
            assert response.status_code == 400, (page, query)
            assert message in response.get_data(as_text=True), (page, query)
    html = client.get("/dashboard/").get_data(as_text=True)
    offered = re.findall(r'<option value="(\d+)"', html)
    assert offered
    assert all(int(n) in (1, 2) for n in offered)


@pytest.mark.db
def test_the_dashboard_labels_municipalities_outside_the_round_not_never(client, session):
    from tests.national_web import make_country
    from tests.web_helpers import login

    make_country(session)
    login(client, "national")
    everything = client.get("/dashboard/?per_page=500").get_data(as_text=True)
    never_all = int(re.search(r'stat">(\d+)</span> never assessed', everything).group(1))
    html = client.get("/dashboard/?round=2&per_page=500").get_data(as_text=True)
    assert int(re.search(r'stat">(\d+)</span> never assessed', html).group(1)) == never_all
    assert "not in this selection" in html
    outside = int(re.search(r'stat">(\d+)</span> assessed, but not in this', html).group(1))
    assessed = int(re.search(r'stat">(\d+)</span> assessed', html).group(1))
    assert outside > 0
    total = int(re.search(r'stat">(\d+)</span> municipalities', html).group(1))
    assert assessed + outside + never_all == total == 16
