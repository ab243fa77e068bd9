"""The results page of a closed assessment."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.models import Assessment
from readiness.report.context import MAX_FINDINGS
from readiness.services import assessments as services
from readiness.web import results
from tests.web_helpers import (
    add_responses,
    audited,
    login,
    make_assessment,
    make_municipality,
    make_user,
)


def _closed(session: Session, questionnaire: Questionnaire) -> Assessment:
    """Police agree, health disagree (a perception gap), education with too few respondents.
    Police and education comment on every dimension, so whichever dimensions the roadmap acts
    on, its notes to weigh can show police's comments and must leave out education's."""
    assessment, _ = make_assessment(session, make_municipality(session),
                                    ("police", "health", "education"))
    dimensions = [d.id for d in questionnaire.doc.dimensions]
    add_responses(session, assessment, "police", 5, "agree",  # enough for comments
                  comments=dict.fromkeys(
                      dimensions, "<script>alert('x')</script> Good <b>contacts</b>"))
    add_responses(session, assessment, "health", 3,
                  lambda item: "strongly_disagree" if item.endswith("e") else "dont_know")
    add_responses(session, assessment, "education", 2, "neither",
                  comments=dict.fromkeys(dimensions, "A comment from a small group"))
    # a second small agency: with one alone hidden, another would be hidden with it
    add_responses(session, assessment, "youth_work", 1, "agree")
    services.close_assessment(session, assessment)
    session.commit()
    return assessment


def _page(client: FlaskClient, session: Session, assessment: Assessment) -> str:
    make_user(session, "ada")
    login(client, "ada")
    reply = client.get(f"/assessments/{assessment.public_id}/results")
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def test_the_radar_comes_as_inline_svg_with_a_data_table(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    html = _page(client, session, _closed(session, questionnaire))
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert 'role="img"' in html
    table = html.split("<caption>Scores by dimension</caption>")[1].split("</table>")[0]
    for dimension in questionnaire.doc.dimensions:
        assert f'<th scope="row">{dimension.title}</th>' in table
    assert "<script" not in html.split("</head>")[1].replace("&lt;script", "")


def test_agencies_are_shown_side_by_side_with_perception_gaps_flagged(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    html = _page(client, session, _closed(session, questionnaire))
    agencies = html.split("<caption>Scores by agency (0–100)</caption>")[1].split("</table>")[0]
    assert '<th scope="col" class="numeric">Police</th>' in agencies
    assert '<th scope="col" class="numeric">Health and mental health care</th>' in agencies
    assert "Perception gap" in agencies


def test_an_agency_below_the_group_size_is_not_shown_on_its_own(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    html = _page(client, session, _closed(session, questionnaire))
    agencies = html.split("<caption>Scores by agency (0–100)</caption>")[1].split("</table>")[0]
    assert "Education" not in agencies
    assert "Youth work" not in agencies
    hidden = html.split("not shown separately: ", 1)[1].split(".", 1)[0]
    assert "Education and schools" in hidden
    assert "Youth work" in hidden
    assert "A comment from a small group" not in html


def test_findings_come_with_their_evidence_and_actions_in_order(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment = _closed(session, questionnaire)
    _, result, roadmap = services.score_assessment(session, assessment)
    html = _page(client, session, assessment)
    assert result.barriers, "the fixture should find a barrier"
    for barrier in result.barriers:
        assert barrier.title in html
    assert html.count("Evidence: [") >= len(result.barriers) + len(roadmap.actions)
    positions = [html.index(f'value="{a.priority}"') for a in roadmap.actions]
    assert positions == sorted(positions)
    assert roadmap.model.title in html
    assert questionnaire.doc.sources[0].citation in html


def test_the_dont_know_share_is_reported(client: FlaskClient, session: Session,
                                         questionnaire: Questionnaire):
    html = _page(client, session, _closed(session, questionnaire))
    assert "<th scope=\"col\" class=\"numeric\">Don't know</th>" in html
    assert re.search(r'<td class="numeric">\d+%', html)
    # health's don't knows are in it, the hidden agencies' none: the page says whose shares
    assert "those of the agencies shown separately" in html


def test_comments_are_shown_per_agency_as_text(client: FlaskClient, session: Session,
                                              questionnaire: Questionnaire):
    html = _page(client, session, _closed(session, questionnaire))
    escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Good &lt;b&gt;contacts&lt;/b&gt;"
    assert escaped in html
    assert "<b>contacts</b>" not in html


def test_viewing_results_is_written_to_the_audit_log_without_content(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment = _closed(session, questionnaire)
    _page(client, session, assessment)
    session.rollback()
    event = session.scalars(audited()).one()
    assert (event.action, event.object_type, event.object_id) == (
        "view_results", "assessment", assessment.public_id)
    assert event.municipality_id == assessment.municipality_id


def test_an_open_assessment_has_no_results_page_yet(client: FlaskClient, session: Session):
    assessment, _ = make_assessment(session, make_municipality(session))
    make_user(session, "ada")
    login(client, "ada")
    assert client.get(f"/assessments/{assessment.public_id}/results").status_code == 404


def test_other_modules_can_link_a_download_from_the_results_page(
        client: FlaskClient, session: Session, questionnaire: Questionnaire,
        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(results, "DOWNLOADS", [])
    results.register_download("assessments.assessment", "Download the thing")
    results.register_download("assessments.assessment", "Download the thing")
    html = _page(client, session, _closed(session, questionnaire))
    assert html.count("Download the thing") == 1


def _one_lone_small_agency(client: FlaskClient, session: Session) -> str:
    """Results of police 5, education 3 and a lone health respondent, as an admin sees them."""
    make_user(session, "boss")
    assessment, _ = make_assessment(session, make_municipality(session, name="Lier"),
                                    ("police", "health", "education"))
    add_responses(session, assessment, "police", 5, value="agree")
    add_responses(session, assessment, "education", 3, value="neither")
    add_responses(session, assessment, "health", 1, value="strongly_disagree")
    services.close_assessment(session, assessment)
    session.commit()
    login(client, "boss")
    page = client.get(f"/assessments/{assessment.public_id}/results").get_data(as_text=True)
    return page


def test_one_small_agency_is_hidden_with_the_smallest_other_so_it_cannot_be_derived(
        client: FlaskClient, session: Session):
    page = _one_lone_small_agency(client, session)
    agencies_table = page.split("Scores by agency", 1)[1].split("</table>", 1)[0]
    assert "Police" in agencies_table
    assert "Health" not in agencies_table
    assert "Education" not in agencies_table
    # health is too small; education had enough and is hidden only to protect health
    assert "are not shown separately: Health and mental health care." in page
    assert ("Education and schools is not shown separately so that the figures of Health and "
            "mental health care cannot be worked out from it.") in page


def test_the_spread_between_agencies_leaves_hidden_agencies_out(
        client: FlaskClient, session: Session):
    """Police's score plus a spread over all agencies would give the lone health
    respondent's score: only shown agencies' spread may be printed (here: none), and a gap
    that only a hidden agency makes is no gap the page may flag (nor a barrier)."""
    page = _one_lone_small_agency(client, session)
    assert "Perception gap" not in page
    assert "Agencies see the situation differently" not in page
    assert "spread of" not in page
    assert "differ by" not in page


def _roadmap_section(html: str) -> str:
    return html.split('<h2 id="roadmap">', 1)[1].split('<h2 id="comments">', 1)[0]


def test_roadmap_names_agencies_by_title_and_marks_partners_not_taking_part(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    roadmap = _roadmap_section(_page(client, session, _closed(session, questionnaire)))
    assert "<strong>Lead:</strong> Local authority / city hall" in roadmap
    # police, health, education and youth work answered; social services did not
    assert "Police, Health and mental health care" in roadmap
    assert "Social services (not invited)" in roadmap  # worded by the data (review 7)
    assert "not yet involved" not in roadmap
    assert "Police (not invited)" not in roadmap
    assert "Youth work (not invited)" not in roadmap


def test_roadmap_shows_no_raw_agency_id(client: FlaskClient, session: Session,
                                        questionnaire: Questionnaire):
    roadmap = _roadmap_section(_page(client, session, _closed(session, questionnaire)))
    leads = re.findall(r"<strong>Lead:</strong>(.*?)<strong>Effort:", roadmap, re.S)
    assert leads
    for lead in leads:  # what is left of "Lead: ...; with ..." once the titles are taken out
        for words in (*(a.title for a in questionnaire.doc.agencies), "<strong>with</strong>",
                      "(convening until the partners agree who leads)"):
            lead = lead.replace(words, "")
        lead = re.sub(r"\(once brought in by action \d+\)", "", lead)
        lead = re.sub(r"\((?:invited, )?(?:not invited|no answers)(?:; took part in round \d+)?\)",
                      "", lead)
        assert re.fullmatch(r"[\s;,.]*", lead), lead
    for agency in questionnaire.doc.agencies:
        if "_" in agency.id:  # ids like social_services are never words of the text
            assert agency.id not in roadmap


def test_why_here_gives_the_findings_and_the_reason_as_the_pdf_does(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment = _closed(session, questionnaire)
    _, published = services.publish_assessment(session, assessment)
    assert published.roadmap is not None
    roadmap_html = _roadmap_section(_page(client, session, assessment))
    for action in published.roadmap.actions:
        found = roadmap_html.split(f'value="{action.priority}"', 1)[1].split("</li>", 1)[0]
        why = found.split("<strong>Why here:</strong>", 1)[1].split("</p>", 1)[0]
        assert escape(action.why) in why
        for finding in action.findings[:MAX_FINDINGS]:
            absent = finding.removesuffix(" took no part in the assessment.")
            if absent != finding:  # named with what the data shows of it (review 7)
                assert escape(absent) in why.split("Taking no part in this round:", 1)[1]
            else:
                assert escape(finding) in why
