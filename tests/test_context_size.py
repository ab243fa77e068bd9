"""The municipality's size has one source, its record: rounds, roadmap, PDF read it (review 3)."""

from __future__ import annotations

from datetime import date
from html import unescape

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.demo.municipal import load_demo
from readiness.models import Assessment, Municipality
from readiness.services import assessments as services
from readiness.web.forms import item_field
from readiness.web.report_download import roadmap_html
from readiness.web.results import ScoredAssessment
from tests.web_helpers import FAST_HASH, add_responses, fresh, login, make_user, post_form

SMALL_ANSWER = {"ctx_population": ["from_10k_to_50k"], "ctx_resources": ["none"],
                "ctx_model_aim": ["decision_making"], "ctx_formality": ["ad_hoc"]}


def _large_town(session: Session) -> Municipality:
    municipality = services.create_municipality(session, name="Sint-Aldegonde", country="BE",
                                                population_band="100k_250k")
    session.commit()
    return municipality


def _closed_round(session: Session, municipality: Municipality, on: date,
                  context: dict[str, list[str]] | None = None) -> Assessment:
    found, _ = services.create_assessment(session, municipality, q=get_questionnaire(),
                                          agencies=("police", "health"), conducted_on=on)
    if context is not None:
        found.context = context  # as stored before the size had one source
    add_responses(session, found, "police", 3, "disagree")
    add_responses(session, found, "health", 3, "disagree")
    services.close_assessment(session, found)
    session.commit()
    return found


def _report(app: Flask, session: Session, assessment: Assessment) -> str:
    with app.test_request_context():
        q, published = services.publish_assessment(session, assessment)
        return unescape(roadmap_html(session, ScoredAssessment(assessment, q, published)))


def test_a_later_round_reasons_from_the_recorded_size_not_an_earlier_rounds_answer(
        app: Flask, session: Session):
    town = _large_town(session)
    _closed_round(session, town, date(2026, 1, 12), dict(SMALL_ANSWER))
    second = _closed_round(session, town, date(2026, 12, 6))
    assert second.context["ctx_population"] == ["from_100k_to_250k"]
    report = _report(app, session, second)
    starting = report.split("about the municipality</caption>", 1)[1].split("</table>", 1)[0]
    assert "100,000 to 250,000" in starting
    assert "10,000 to 50,000" not in starting
    assert "A smaller municipality rarely has the caseload" not in report
    assert "a small municipality without dedicated coordination staff" not in report


def test_a_closed_rounds_roadmap_follows_the_record_even_if_its_stored_answer_differs(
        app: Flask, session: Session):
    first = _closed_round(session, _large_town(session), date(2026, 1, 12), dict(SMALL_ANSWER))
    report = _report(app, session, first)
    assert "A smaller municipality rarely has the caseload" not in report
    assert "sized for a small municipality" not in report


def test_the_starting_point_says_the_organiser_answered_not_practitioners(
        app: Flask, session: Session):
    report = _report(app, session, _closed_round(session, _large_town(session),
                                                  date(2026, 1, 12)))
    assert "What the organiser of the assessment answered about the municipality" in report
    assert "What practitioners told us" not in report


def test_the_context_form_offers_the_recorded_size_and_a_change_there_changes_the_record(
        client: FlaskClient, session: Session):
    town = _large_town(session)
    first = _closed_round(session, town, date(2026, 1, 12), dict(SMALL_ANSWER))
    second, _ = services.create_assessment(session, town, q=get_questionnaire(),
                                           agencies=("police",), conducted_on=date(2026, 12, 6))
    session.commit()
    make_user(session, "admin")
    login(client, "admin")
    page = f"/assessments/{second.public_id}/context"
    form = client.get(page).get_data(as_text=True)
    assert 'value="from_100k_to_250k" checked' in form.replace('checked=""', "checked")
    assert first.context["ctx_population"] == ["from_10k_to_50k"]  # the old answer, not offered
    saved = post_form(client, page, {item_field("ctx_population"): "from_50k_to_100k"})
    assert saved.status_code == 302
    fresh(session)
    stored = session.get(Municipality, town.id)
    assert stored is not None
    assert stored.population_band == "50k_100k"
    shown = client.get(f"/municipalities/{town.public_id}").get_data(as_text=True)
    assert "50,000 to 100,000" in shown
    assert "100,000 to 250,000" not in shown


def test_the_demo_answers_each_rounds_size_as_its_municipality_records_it(session: Session):
    q = get_questionnaire()
    load_demo(session, q, password_method=FAST_HASH)
    session.commit()
    for municipality in session.query(Municipality):
        size = services.population_answer(q, municipality.population_band)
        assert size is not None
        for found in municipality.assessments:
            assert found.context.get(size[0]) in (None, [size[1]]), municipality.name
