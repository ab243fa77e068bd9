"""The partners' share page prints only the round's published view: the scores, stage and
barriers the results page prints, never the raw scores the privacy rules withhold."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.models import Assessment, Role
from readiness.services import assessments as services
from readiness.services import plans
from tests.web_helpers import (
    add_responses,
    fresh,
    login,
    make_assessment,
    make_municipality,
    make_user,
)

GAP = "Agencies see the situation differently"
BARRIERS = re.compile(r"<h2>Barriers found</h2>\s*<ul>(.*?)</ul>", re.S)
ROW = re.compile(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td>')


def _share(session: Session, assessment: Assessment) -> str:
    """A share link's token for the closed `assessment`."""
    _link, token = plans.create_share_link(session, assessment, None)
    session.commit()
    return token


def _page(client: FlaskClient, token: str) -> str:
    reply = client.get(f"/shared/{token}")
    assert reply.status_code == 200
    return html_lib.unescape(reply.get_data(as_text=True))


def _barriers(page: str) -> list[str]:
    found = BARRIERS.search(page)
    return re.findall(r"<li>([^<]+)</li>", found.group(1)) if found else []


def test_a_round_with_too_few_answers_shows_no_score_and_no_barrier_on_the_share_page(
        client: FlaskClient, session: Session):
    make_user(session, "admin", Role.ADMIN)
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"))
    add_responses(session, assessment, "police", 2, "disagree")
    plans.close_with_plan(session, assessment)
    session.commit()
    _q, raw, _r = services.score_assessment(session, assessment)
    assert raw.overall is not None  # what the page must not print
    assert raw.barriers
    page = _page(client, _share(session, assessment))
    login(client, "admin")
    results = client.get(f"/assessments/{assessment.public_id}/results").get_data(as_text=True)
    assert "Why there are no scores" in results
    assert "Why there are no scores" in page  # the results page's own words
    assert "This round gives no scores, findings, comments or roadmap." in page
    assert "overall score" not in page
    assert "Scores by dimension" not in page
    assert _barriers(page) == []
    assert not any(b.title in page for b in raw.barriers)


def test_a_round_with_a_hidden_agency_shows_the_published_scores_and_barriers_only(
        client: FlaskClient, session: Session):
    make_user(session, "admin", Role.ADMIN)
    assessment, _ = make_assessment(session, make_municipality(session))
    add_responses(session, assessment, "police", 3, "strongly_agree")
    add_responses(session, assessment, "health", 4, "strongly_agree")
    add_responses(session, assessment, "education", 1, "strongly_disagree")  # hidden: < 3
    plans.close_with_plan(session, assessment)
    session.commit()
    _q, raw, _r = services.score_assessment(session, assessment)
    assert GAP in [b.title for b in raw.barriers]  # only the hidden agency makes that gap
    fresh(session)
    found = session.get(Assessment, assessment.id)
    assert found is not None
    assert found.result is not None
    stored = found.result.result  # the stored published view
    page = _page(client, _share(session, found))
    assert _barriers(page) == [b["title"] for b in stored["barriers"]]
    assert GAP not in page
    login(client, "admin")
    results = html_lib.unescape(client.get(
        f"/assessments/{assessment.public_id}/results").get_data(as_text=True))
    assert all(title in results for title in _barriers(page))
    assert f"overall score {stored['overall']:.0f} of 100" in page
    table = page.split("<caption>Scores by dimension</caption>", 1)[1].split("</table>", 1)[0]
    scores = dict(ROW.findall(table))
    _q, published = services.publish_assessment(session, found)  # what the results page reads
    assert scores == {d.title: f"{d.score:.0f}" if d.score is not None
                      else "Not enough answers" for d in published.result.dimensions}
    assert [d.title for d in published.result.dimensions] == [
        d["title"] for d in stored["dimensions"]]
    assert all(abs(float(scores[d["title"]]) - d["score"]) <= 0.5 + 1e-9
               for d in stored["dimensions"] if d["score"] is not None)


def test_the_share_page_labels_the_contact_role_as_the_action_s_not_the_last_partner_s(
        client: FlaskClient, session: Session):
    assessment, _ = make_assessment(session, make_municipality(session), ("police", "health"))
    add_responses(session, assessment, "police", 3, "disagree")
    add_responses(session, assessment, "health", 3, "disagree")
    plans.close_with_plan(session, assessment)
    action = plans.plan_of(session, assessment.municipality)[0]
    action.lead, action.partners, action.contact_role = "health", ["police"], "preventieambtenaar"
    session.commit()
    page = _page(client, _share(session, assessment))
    assert "Contact: preventieambtenaar" in page
    assert "Police (preventieambtenaar)" not in page


def test_no_page_or_command_prints_a_round_s_raw_scores():
    package = Path(__file__).resolve().parent.parent / "readiness"
    callers = [str(path.relative_to(package)) for folder in ("web", "cli", "report", "demo")
               for path in (package / folder).rglob("*.py")
               if "score_assessment" in path.read_text(encoding="utf-8")]
    assert callers == []  # they read services.publish_assessment, the published view
