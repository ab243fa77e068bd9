"""Bursts: responses through one link on one day that are more than the link was sent to, or
mostly alike, are flagged on the close page, where the organiser can leave them out. Times are
days only, so a burst is read from the link and the day (`readiness.core.screening`)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core import screening
from readiness.core.questionnaire import Questionnaire
from readiness.core.screening import BURST, NEAR_IDENTICAL, Submitted
from tests.web_helpers import add_responses, login, make_assessment, make_municipality, make_user

STATEMENTS = 20
ITEMS = [f"s{n}" for n in range(STATEMENTS)]
VALUES = ("agree", "disagree", "neither", "strongly_agree")
DAY = date(2026, 3, 2)


BASE = [VALUES[(k * 7 + k // 3) % 4] for k in range(STATEMENTS)]


def _similar(n: int) -> dict[str, str]:
    """Answers differing from a shared base in two statements of their own: any two are 80%
    alike, too different to be near-identical (90%)."""
    return {item: VALUES[(VALUES.index(BASE[k]) + 1) % 4] if k // 2 == n else BASE[k]
            for k, item in enumerate(ITEMS)}


def _varied(n: int) -> dict[str, str]:
    pick = random.Random(n)
    return {item: pick.choice(VALUES) for item in ITEMS}


def _flags(rows: list[Submitted], capacity: dict[str, int | None] | None = None):
    return screening.flags(rows, STATEMENTS, capacity or {})


def test_similar_responses_through_one_link_on_one_day_are_a_burst_not_near_identical():
    rows = [Submitted(f"r{n}", "police", "link1", _similar(n), DAY) for n in range(3)]
    found = _flags(rows)
    assert found == {f"r{n}": (BURST,) for n in range(3)}
    assert NEAR_IDENTICAL not in {w for why in found.values() for w in why}


def test_the_same_similar_responses_on_different_days_or_links_are_no_burst():
    days = [Submitted(f"r{n}", "police", "link1", _similar(n), date(2026, 3, n + 1))
            for n in range(3)]
    links = [Submitted(f"r{n}", "police", f"link{n}", _similar(n), DAY) for n in range(3)]
    assert _flags(days) == {}
    assert _flags(links) == {}


def test_varied_responses_on_one_day_are_no_burst_unless_more_than_the_link_was_sent_to():
    rows = [Submitted(f"r{n}", "police", "link1", _varied(n), DAY) for n in range(4)]
    assert _flags(rows, {"link1": 10}) == {}
    assert _flags(rows, {"link1": 3}) == {f"r{n}": (BURST,) for n in range(4)}


def test_two_alike_among_many_varied_ones_of_a_day_are_no_burst():
    rows = [Submitted(f"v{n}", "police", "link1", _varied(n), DAY) for n in range(4)]
    rows += [Submitted(f"s{n}", "police", "link1", _similar(n), DAY) for n in range(2)]
    assert BURST not in {w for why in _flags(rows).values() for w in why}


@pytest.mark.db
def test_the_close_page_flags_a_burst_and_offers_to_leave_it_out(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    """Three responses through one police link on one day, 80% alike (neither straight-lined
    nor near-identical): today's code flagged none of them."""
    assessment, _ = make_assessment(session, make_municipality(session))
    values = ("agree", "neither", "disagree", "strongly_agree", "strongly_disagree")
    for n in range(5):
        pick = random.Random(n)
        add_responses(session, assessment, "health", 1,
                      lambda _item, pick=pick: pick.choice(values))
    calls = iter(range(10**6))
    per_response = len(questionnaire.doc.items)

    def alike(item: str) -> str:  # a tenth of the statements differ between respondents
        k = next(calls)
        n, position = divmod(k, per_response)
        base = values[(position * 7 + position // 3) % 5]
        return values[(values.index(base) + 1) % 5] if position % 10 == n else base

    add_responses(session, assessment, "police", 3, alike)  # one fresh link, today
    make_user(session, "organiser")
    login(client, "organiser")
    page = client.get(f"/assessments/{assessment.public_id}/close").get_data(as_text=True)
    section = page.split('id="flagged"', 1)[1].split("</section>", 1)[0]
    assert section.count('name="exclude"') == 3
    assert section.count("on the same day") == 3
    assert "Police, flagged response 3" in section
