"""National progress counts a change only between comparable rounds: both published scores and
the same agencies took part and were shown in both (the rule of the results page,
`readiness.core.published.differences`); otherwise the municipality is "not comparable", with
the reason, in the dashboard's progress, the exports, the table, "where to go next" and the API."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.published import Difference, differences_text
from readiness.core.questionnaire import get_questionnaire
from readiness.models import Role
from readiness.national import aggregate as ag
from readiness.national import exports
from readiness.services import assessments as services
from readiness.services import national as services_national
from readiness.services.national import create_api_token, national_tables, rules_of
from tests.national_fixture import DIMENSIONS, records
from tests.web_helpers import (
    add_responses,
    login,
    make_assessment,
    make_municipality,
    make_user,
)

HEALTH = "Health and mental health care"
VALUES = ("agree", "neither", "disagree", "strongly_agree", "strongly_disagree")
BOTH = {"police": 4, "health": 4}
# (assessment id: respondents by agency, shown agencies, withheld)
FACTS = {
    11: (BOTH, ["police", "health"], None), 12: (BOTH, ["police", "health"], None),  # A: same
    21: (BOTH, ["police", "health"], None), 22: ({"police": 9}, ["police"], None),  # B: health
    41: (BOTH, ["police", "health"], None), 42: ({"police": 9, "health": 2}, [], None),  # D
}


def _words(found: tuple[Difference, ...]) -> tuple[str, ...]:
    """The reasons as a reader of the English questionnaire reads them."""
    return differences_text(found, get_questionnaire(language="en"))


def _records() -> ag.Tables:
    rows = [(aid, "survey", json.dumps(counts), json.dumps(shown), withheld)
            for aid, (counts, shown, withheld) in FACTS.items()]
    return ag.tables(replace(records(), facts=rows), DIMENSIONS, rules_of(get_questionnaire()))


def test_only_municipalities_whose_two_rounds_compare_count_in_national_progress():
    """A (40 -> 60, same agencies) counts; B (50 -> 45, health took part in round 1 only) and
    D (30 -> 80, health shown in round 1 only) do not: on today's code all three counted."""
    sel = ag.select(_records(), ag.Filters())
    moved = {p.id: p for p in ag.progress(sel, get_questionnaire(), min_cell=1)}
    trust = moved["trust"]
    assert (trust.pairs, trust.before, trust.after, trust.change) == (1, 40.0, 60.0, 20.0)
    assert (trust.improved, trust.stable, trust.declined) == (1, 0, 0)
    assert trust.not_comparable == 2
    sheet = exports.progress_sheet(list(moved.values()))
    assert sheet.header[-1] == "not_comparable"
    assert sheet.rows[0][-1] == 2


def test_the_municipality_table_gives_no_change_and_says_why_when_rounds_do_not_compare():
    sel = ag.select(_records(), ag.Filters())
    rows = {r.name: r for r in ag.municipality_rows(sel)}
    assert rows["A"].change == 20.0
    assert rows["A"].not_comparable == ()
    assert rows["B"].change is None
    assert _words(rows["B"].not_comparable) == (f"{HEALTH} took part in round 1 only.",)
    assert rows["D"].change is None
    assert _words(rows["D"].not_comparable) == (
        "Police was shown separately in round 1 only: in round 2 it was not, so that the "
        f"figures of {HEALTH} cannot be worked out from it.",
        f"{HEALTH} was shown separately in round 1 only: in round 2 it had too few "
        "respondents.")


def test_where_to_go_next_counts_no_decline_between_rounds_that_do_not_compare():
    """B fell 5 points between rounds with different agencies: not a decline."""
    sel = ag.select(_records(), ag.Filters())
    need = {r.name: r for r in ag.need_ranking(sel, get_questionnaire(), date(2026, 11, 1), 10)}
    assert not any("fell" in reason or "declin" in reason for reason in need["B"].reasons)


def test_the_api_history_of_a_municipality_says_which_rounds_do_not_compare():
    rounds = ag.municipality_rounds(_records(), 2, DIMENSIONS)
    assert rounds[0]["not_comparable"] == []
    assert _words(rounds[1]["not_comparable"]) == (f"{HEALTH} took part in round 1 only.",)


def test_a_round_stored_before_its_shown_agencies_is_judged_by_todays_rules():
    """No stored shown agencies: health's 2 respondents are below the group size today."""
    rows = [(11, "survey", json.dumps(BOTH), None, None),
            (12, "survey", json.dumps({"police": 4, "health": 2}), None, None)]
    t = ag.tables(replace(records(), facts=rows), DIMENSIONS, rules_of(get_questionnaire()))
    rows_by_name = {r.name: r for r in ag.municipality_rows(ag.select(t, ag.Filters()))}
    assert rows_by_name["A"].change is None
    assert rows_by_name["A"].not_comparable


def _two_rounds(session: Session) -> tuple[str, str]:
    """Round 1: police, health and education; round 2: police and health only. The
    municipality's public id and a national coordinator's API token."""
    place = make_municipality(session)
    for agencies in (("police", "health", "education"), ("police", "health")):
        assessment, _ = make_assessment(session, place, agencies)
        for agency in agencies:
            for n in range(3):
                add_responses(session, assessment, agency, 1,
                              lambda item, n=n: VALUES[(sum(map(ord, item)) + n) % 5])
        services.close_assessment(session, assessment)
        session.commit()
    make_user(session, "national", Role.NATIONAL_COORDINATOR)
    _, token = create_api_token(session, "national", "tests")
    public_id = place.public_id
    session.commit()
    return public_id, token


@pytest.mark.db
def test_the_api_reads_the_comparability_of_rounds_closed_in_the_database(
        client: FlaskClient, session: Session):
    public_id, token = _two_rounds(session)
    reply = client.get(f"/api/v1/municipalities/{public_id}",
                       headers={"Authorization": f"Bearer {token}"})
    rounds = reply.get_json()["rounds"]
    assert [r["not_comparable"] for r in rounds] == [
        [], ["Education and schools took part in round 1 only."]]


@pytest.mark.db
def test_one_set_of_frames_serves_each_reader_the_reasons_in_their_own_language(
        client: FlaskClient, session: Session):
    """The frames keep the reasons as data: a German and a Dutch reader share them, each
    reading the reason in their language with their questionnaire's agency titles."""
    public_id, token = _two_rounds(session)
    services_national._TABLES.clear()
    german = get_questionnaire(language="de")
    dutch = get_questionnaire(language="nl")
    assert national_tables(session, german) is national_tables(session, dutch)
    expected = {"de": "Bildung und Schulen hat nur an Runde 1 teilgenommen.",
                "nl": "Onderwijs en scholen nam alleen deel aan ronde 1.",
                "en": "Education and schools took part in round 1 only."}
    for language, reason in expected.items():
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": language}
        history = client.get(f"/api/v1/municipalities/{public_id}", headers=headers)
        assert history.get_json()["rounds"][1]["not_comparable"] == [reason]
        table = client.get("/api/v1/municipalities", headers=headers).get_json()["items"]
        assert [row["not_comparable"] for row in table] == [[reason]]
    assert len(services_national._TABLES) == 1  # read once for all three languages
    login(client, "national")
    for language, reason in expected.items():
        page = client.get("/dashboard/", headers={"Accept-Language": language})
        assert [r for r in expected.values() if r in page.get_data(as_text=True)] == [reason]


def test_frames_extended_by_newly_closed_rounds_judge_them_as_frames_read_whole():
    full = replace(records(), facts=[(aid, "survey", json.dumps(c), json.dumps(s), w)
                                     for aid, (c, s, w) in FACTS.items()])
    rules = rules_of(get_questionnaire())
    late = {22, 42}
    early = ag.tables(replace(full, assessments=[a for a in full.assessments if a[0] not in late],
                              facts=[f for f in full.facts if f[0] not in late]),
                      DIMENSIONS, rules)
    extended = ag.extend(early, replace(full, municipalities=[]))
    whole = ag.tables(full, DIMENSIONS, rules)
    assert (ag.select(extended, ag.Filters()).differences
            == ag.select(whole, ag.Filters()).differences)
    assert _words(ag.select(extended, ag.Filters()).differences[2]) == (
        f"{HEALTH} took part in round 1 only.",)


@pytest.mark.db
def test_the_dashboard_and_api_say_an_agency_was_hidden_to_protect_another_not_for_its_size(
        client: FlaskClient, session: Session):
    """Round 2: police 3, health 3, education 1. Police had enough respondents and was hidden
    only so that education's figures cannot be worked out; on main the dashboard's Change
    column said it "had enough respondents to be shown separately in round 1 only"."""
    place = make_municipality(session)
    for counts in ({"police": 3, "health": 3, "education": 3},
                   {"police": 3, "health": 3, "education": 1}):
        assessment, _ = make_assessment(session, place, tuple(counts))
        for agency, count in counts.items():
            for n in range(count):
                add_responses(session, assessment, agency, 1,
                              lambda item, n=n: VALUES[(sum(map(ord, item)) + n) % 5])
        services.close_assessment(session, assessment)
        session.commit()
    make_user(session, "national", Role.NATIONAL_COORDINATOR)
    _, token = create_api_token(session, "national", "tests")
    session.commit()
    services_national._TABLES.clear()
    police = ("Police was shown separately in round 1 only: in round 2 it was not, so that the "
              "figures of Education and schools cannot be worked out from it.")
    education = ("Education and schools was shown separately in round 1 only: in round 2 it "
                 "had too few respondents.")
    reply = client.get(f"/api/v1/municipalities/{place.public_id}",
                       headers={"Authorization": f"Bearer {token}"})
    assert reply.get_json()["rounds"][1]["not_comparable"] == [police, education]
    login(client, "national")
    page = client.get("/dashboard/").get_data(as_text=True).replace("&#39;", "'")
    assert police in page
    assert education in page
    assert "had enough respondents to be shown separately" not in page
