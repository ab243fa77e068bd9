"""The results page of a later round compares it with the municipality's previous closed round."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from html import unescape
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.models import Assessment, Municipality, Role
from readiness.services import assessments as services
from readiness.services import plans as plan_services
from tests.browser_support import assert_accessible, browser, live_url, page  # noqa: F401
from tests.web_helpers import (
    PASSWORD,
    add_responses,
    login,
    make_assessment,
    make_municipality,
    make_user,
)

pytestmark = pytest.mark.db

AGENCIES = ("police", "health", "education")
# Item scores (0..1) per dimension; every dimension not named scores 0.5 (50 of 100).
ROUND_1 = {"trust": 0.25}
ROUND_2 = {"trust": 0.75, "legal_basis": 0.25}
TOOLS_ITEMS_UP_IN_ROUND_2 = 1  # one of the eight tools statements goes from 0.5 to 0.75


def _answers(q: Questionnaire, by_dimension: Mapping[str, float],
             raised: int = 0) -> Callable[[str], str]:
    """Per item, the option worth the dimension's score (reverse-worded items included);
    the first `raised` tools statements get 0.75 instead."""
    up = {item.id for item in q.items_of("tools")[:raised]}

    def choose(item_id: str) -> str:
        item = q.items_by_id[item_id]
        wanted = 0.75 if item_id in up else by_dimension.get(item.dimension or "", 0.5)
        return min(q.options(item), key=lambda o: abs((o.score or 0.0) - wanted)).value
    return choose


def _closed_round(session: Session, municipality: Municipality, answers: Callable[[str], str],
                  conducted_on: date) -> Assessment:
    assessment, _ = make_assessment(session, municipality, AGENCIES)
    assessment.conducted_on = conducted_on
    for agency in AGENCIES:
        add_responses(session, assessment, agency, 3, answers)
    services.close_assessment(session, assessment)
    session.commit()
    return assessment


def _two_rounds(session: Session, q: Questionnaire) -> tuple[Assessment, Assessment]:
    municipality = make_municipality(session, name="Vilvoorde")
    first = _closed_round(session, municipality, _answers(q, ROUND_1), date(2025, 3, 1))
    second = _closed_round(session, municipality,
                           _answers(q, ROUND_2, TOOLS_ITEMS_UP_IN_ROUND_2), date(2026, 3, 1))
    return first, second


def _sign_in_as_admin(client: FlaskClient, session: Session) -> None:
    make_user(session, "ada")
    login(client, "ada")


def _results(client: FlaskClient, assessment: Assessment, status: int = 200) -> str:
    reply = client.get(f"/assessments/{assessment.public_id}/results")
    assert reply.status_code == status
    return reply.get_data(as_text=True)


def _section(html: str) -> str:
    return html.split('<h2 id="since-previous">', 1)[1].split('<h2 id="agencies">', 1)[0]


def _rows(section: str) -> dict[str, list[str]]:
    """The comparison table: row title -> its cells' text."""
    table = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        title = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        assert title
        rows[title.group(1)] = [re.sub(r"<[^>]+>", "", cell).strip()
                                for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return rows


def test_a_second_round_shows_each_dimension_before_now_and_the_change(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    _, second = _two_rounds(session, questionnaire)
    _sign_in_as_admin(client, session)
    section = _section(_results(client, second))
    assert "<caption>Scores in round 1 and round 2 (0–100)</caption>" in section
    assert "Round 1 was conducted on 1 March 2025;" in section
    tools = 50 + 25 / 8  # one statement of eight up a quarter: 53.1, a move of 3.1
    # legal basis at 0.25: eight agree-scale statements at 0.25, and the two factual questions
    # (signed 1 / being drafted 0.5 / no 0) at their nearest option, "being drafted"
    legal = (8 * 25 + 2 * 50) / 10  # 30
    overall_before = (25 + 50 * 4) / 5
    overall_now = (75 + 50 + legal + tools + 50) / 5  # 51.6: +6.6
    assert _rows(section) == {
        "Trust": ["25", "75", "+50.0", "Improved"],
        "Role clarity": ["50", "50", "0.0", "About the same"],
        "Legal basis for information sharing": ["50", f"{legal:.0f}", f"{legal - 50:.1f}",
                                                "Declined"],
        "Tools": ["50", f"{tools:.0f}", f"+{tools - 50:.1f}", "About the same"],
        "Training": ["50", "50", "0.0", "About the same"],
        "Overall": [f"{overall_before:.0f}", f"{overall_now:.0f}",
                    f"+{overall_now - overall_before:.1f}", "Improved"],
    }
    assert f"+{tools - 50:.1f}" == "+3.1"
    assert f"+{overall_now - overall_before:.1f}" == "+6.6"


def test_barriers_resolved_and_new_since_the_previous_round(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    first, second = _two_rounds(session, questionnaire)
    _sign_in_as_admin(client, session)
    section = _section(_results(client, second))
    resolved = section.split('id="resolved-title"', 1)[1].split("</section>", 1)[0]
    new = section.split('id="new-barriers-title"', 1)[1].split("</section>", 1)[0]
    assert "Lack of trust between agencies" in resolved  # trust went from 25 to 75
    assert "Legal uncertainty about information sharing" in new  # legal basis fell to 25
    before = {b.id: b.title for b in services.score_assessment(session, first)[1].barriers}
    now = {b.id: b.title for b in services.score_assessment(session, second)[1].barriers}
    # social services took part in neither round: that barrier stays, so it is in neither list
    assert "health_social_absent" in before.keys() & now.keys()
    assert now["health_social_absent"] not in resolved
    assert now["health_social_absent"] not in new
    assert set(re.findall(r"<li>(.*?)</li>", resolved)) == {
        before[b] for b in before.keys() - now.keys()}
    assert set(re.findall(r"<li>(.*?)</li>", new)) == {now[b] for b in now.keys() - before.keys()}


def test_the_first_round_has_no_comparison(client: FlaskClient, session: Session,
                                           questionnaire: Questionnaire):
    first, _ = _two_rounds(session, questionnaire)
    _sign_in_as_admin(client, session)
    html = _results(client, first)
    assert "since-previous" not in html
    assert "Since the previous round" not in html


def test_a_third_round_compares_with_the_second(client: FlaskClient, session: Session,
                                                questionnaire: Questionnaire):
    _, second = _two_rounds(session, questionnaire)
    third = _closed_round(session, second.municipality, _answers(questionnaire, {}),
                          date(2027, 3, 1))
    _sign_in_as_admin(client, session)
    section = _section(_results(client, third))
    assert "Round 2 was conducted on 1 March 2026;" in section
    assert _rows(section)["Trust"] == ["75", "50", "-25.0", "Declined"]


def test_the_municipality_coordinator_sees_both_rounds_and_the_comparison(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    first, second = _two_rounds(session, questionnaire)
    make_user(session, "own", Role.MUNICIPALITY_COORDINATOR, municipality=second.municipality)
    login(client, "own")
    _results(client, first)
    assert "Since the previous round" in _results(client, second)


def test_a_coordinator_of_another_municipality_still_gets_404(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    first, second = _two_rounds(session, questionnaire)
    make_user(session, "other", Role.MUNICIPALITY_COORDINATOR,
              municipality=make_municipality(session, name="Halle"))
    login(client, "other")
    for assessment in (first, second):
        html = _results(client, assessment, status=404)
        assert "Vilvoorde" not in html
        assert "Since the previous round" not in html


@pytest.mark.browser
def test_the_comparison_has_no_wcag_21_aa_violation(
        page: Any, live_url: str, session: Session, questionnaire: Questionnaire):  # noqa: F811
    _, second = _two_rounds(session, questionnaire)
    make_user(session, "ada")
    page.goto(f"{live_url}/login")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{live_url}/assessments/{second.public_id}/results")
    assert page.locator("#since-previous").is_visible()
    assert page.locator("table caption", has_text="Scores in round 1 and round 2").count() == 1
    bullets = page.eval_on_selector_all(
        "ul.downloads li", "items => items.map(i => getComputedStyle(i).listStyleType)")
    assert bullets
    assert set(bullets) == {"none"}
    assert_accessible(page, "results page of a second round")


def _round(session: Session, municipality: Municipality, counts: Mapping[str, int],
           answers: Callable[[str], str], conducted_on: date) -> Assessment:
    assessment, _ = make_assessment(session, municipality, tuple(counts))
    assessment.conducted_on = conducted_on
    for agency, count in counts.items():
        add_responses(session, assessment, agency, count, answers)
    services.close_assessment(session, assessment)
    session.commit()
    return assessment


def test_a_round_of_one_police_officer_is_not_compared_with_a_full_round(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    """Round 1: 12 people in 4 agencies; round 2: one police officer. Round 2 publishes no
    score, and the page shows no 'Improved' and no 'barriers resolved', but says why."""
    municipality = make_municipality(session, name="Boom")
    _round(session, municipality, {"police": 3, "health": 3, "education": 3, "youth_work": 3},
           _answers(questionnaire, ROUND_1), date(2025, 3, 1))
    second = _round(session, municipality, {"police": 1},
                    _answers(questionnaire, ROUND_2), date(2026, 3, 1))
    _sign_in_as_admin(client, session)
    html = _results(client, second)
    assert 'id="withheld"' in html
    assert "at least 5 practitioners from at least 2 agencies" in html
    section = html.split('<h2 id="since-previous">', 1)[1].split('<h2 id="sources">', 1)[0]
    assert "Round 2 had too few respondents to publish scores." in section
    assert "Health and mental health care took part in round 1 only." in section
    assert "Improved" not in section
    assert "Declined" not in section
    assert "Barriers resolved" not in section
    assert 'id="radar"' not in html
    assert "Scores by dimension" not in html


def test_rounds_with_different_agencies_shown_say_what_differs(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    municipality = make_municipality(session, name="Zemst")
    _round(session, municipality, {"police": 3, "health": 3, "education": 3},
           _answers(questionnaire, ROUND_1), date(2025, 3, 1))
    second = _round(session, municipality, {"health": 3, "education": 3, "youth_work": 3},
                    _answers(questionnaire, ROUND_2), date(2026, 3, 1))
    _sign_in_as_admin(client, session)
    section = _section(_results(client, second))
    assert "Police took part in round 1 only." in section
    assert "Youth work took part in round 2 only." in section
    assert "<caption>Scores in round 1 and round 2" not in section
    assert "Improved" not in section


def test_an_agency_shown_in_one_round_only_makes_the_rounds_incomparable(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    municipality = make_municipality(session, name="Kampenhout")
    _round(session, municipality, {"police": 3, "health": 3, "education": 3},
           _answers(questionnaire, ROUND_1), date(2025, 3, 1))
    second = _round(session, municipality, {"police": 3, "health": 3, "education": 1},
                    _answers(questionnaire, ROUND_2), date(2026, 3, 1))
    _sign_in_as_admin(client, session)
    section = _section(_results(client, second))
    assert ("Education and schools was shown separately in round 1 only: in round 2 it had "
            "too few respondents.") in section
    assert "Improved" not in section


def _plan_round(session: Session, municipality: Municipality, counts: Mapping[str, int],
                answers: Callable[[str], str], conducted_on: date) -> Assessment:
    """A closed round whose roadmap's dated actions go into the municipality's plan."""
    assessment, _ = make_assessment(session, municipality, tuple(counts))
    assessment.conducted_on = conducted_on
    for agency, count in counts.items():
        add_responses(session, assessment, agency, count, answers)
    plan_services.close_with_plan(session, assessment)
    session.commit()
    return assessment


def test_rounds_that_cannot_be_compared_print_no_change_anywhere_on_the_page(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    """Round 2 hides education (1 respondent) and police with it: the page says the rounds
    cannot be compared, so neither the comparison nor the plan's follow-up gives a change
    (on main the follow-up printed 'Trust: +50 points since the previous round')."""
    municipality = make_municipality(session, name="Herent")
    _plan_round(session, municipality, {"police": 3, "health": 3, "education": 3},
                _answers(questionnaire, ROUND_1), date(2025, 3, 1))
    second = _plan_round(session, municipality, {"police": 3, "health": 3, "education": 1},
                         _answers(questionnaire, ROUND_2), date(2026, 3, 1))
    _sign_in_as_admin(client, session)
    html = _results(client, second)
    assert "cannot be compared with this round" in html
    assert "since the previous round" not in html.replace("Since the previous round", "")
    assert "points since" not in html
    assert "because their dimension fell back" not in html
    assert not re.search(r"[+\-−]\d+ points", html)


def test_comparable_rounds_still_say_what_each_change_follows_in_the_plan(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    municipality = make_municipality(session, name="Bertem")
    counts = {"police": 3, "health": 3, "education": 3}
    _plan_round(session, municipality, counts, _answers(questionnaire, ROUND_1),
                date(2025, 3, 1))
    second = _plan_round(session, municipality, counts, _answers(questionnaire, ROUND_2),
                         date(2026, 3, 1))
    _sign_in_as_admin(client, session)
    follow_up = _results(client, second).split('id="follow-up"', 1)[1].split("</div>", 1)[0]
    assert "Trust: +50 points since the previous round." in follow_up


def test_an_agency_hidden_to_protect_another_is_not_called_a_small_group(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    """Police had 3 respondents in round 2, hidden only so that education's single answer
    cannot be worked out: the page says so, and does not count it among the small agencies."""
    municipality = make_municipality(session, name="Tervuren")
    _round(session, municipality, {"police": 3, "health": 3, "education": 3},
           _answers(questionnaire, ROUND_1), date(2025, 3, 1))
    second = _round(session, municipality, {"police": 3, "health": 3, "education": 1},
                    _answers(questionnaire, ROUND_2), date(2026, 3, 1))
    _sign_in_as_admin(client, session)
    html = _results(client, second)
    top = unescape(html.split("<h1>", 1)[1].split("</div>", 1)[0])
    assert ("Agencies with fewer than 3 respondents count in the municipality's figures but "
            "are not shown separately: Education and schools.") in top
    assert ("Police is not shown separately so that the figures of Education and schools "
            "cannot be worked out from it.") in top
    section = _section(html)
    assert ("Police was shown separately in round 1 only: in round 2 it was not, so that the "
            "figures of Education and schools cannot be worked out from it.") in section
    assert ("Education and schools was shown separately in round 1 only: in round 2 it had "
            "too few respondents.") in section
    assert "Police had enough respondents" not in section


@pytest.mark.parametrize(("education", "proposed_again"), [(3, True), (1, False)])
def test_a_done_action_is_proposed_again_for_a_fall_back_only_between_comparable_rounds(
        session: Session, questionnaire: Questionnaire, education: int, proposed_again: bool):
    """A done action whose dimension lost 50 points comes back, unless round 2 hid education
    (and police with it): then the rounds cannot be compared, and no fall-back can be read."""
    municipality = make_municipality(session, name="Kortenberg")
    _plan_round(session, municipality, {"police": 3, "health": 3, "education": 3},
                _answers(questionnaire, {}), date(2025, 3, 1))
    done = next(a for a in plan_services.plan_of(session, municipality) if a.dimension)
    plan_services.update_action(session, done, plan_services.ActionEdit(status="done"), None)
    session.commit()
    second = _plan_round(session, municipality,
                         {"police": 3, "health": 3, "education": education},
                         _answers(questionnaire, {done.dimension or "": 0.0}), date(2026, 3, 1))
    again = [a.action for a in plan_services.plan_of(session, municipality)
             if a.assessment_id == second.id]
    assert (done.action in again) is proposed_again
