"""Mixed rounds: per agency, a survey link or a workshop recording, in one round. Links only for
survey agencies, workshop pages only for workshop agencies; the round closes with both kinds of
answers and publishes workshop agencies as agreed answers, survey agencies by practitioners."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core import privacy
from readiness.core.questionnaire import Questionnaire
from readiness.db import alembic_config
from readiness.models import Assessment, Mode
from readiness.services import assessments as services
from readiness.services import survey as services_survey
from readiness.services.assessments import ServiceError
from readiness.web.forms import item_field
from readiness.web.report_download import roadmap_html
from readiness.web.results import ScoredAssessment
from tests.web_helpers import (
    add_responses,
    answer_all,
    fresh,
    link_sizes,
    login,
    make_municipality,
    make_user,
    post_form,
)

LINK = re.compile(r'value="(http://localhost/s/[A-Za-z0-9_-]+)"')


def _mixed(session: Session, questionnaire: Questionnaire) -> Assessment:
    assessment, _ = services.create_assessment(
        session, make_municipality(session), q=questionnaire,
        agencies=("police", "health", "education"), mode=Mode.SURVEY,
        conducted_on=date(2026, 3, 1), in_workshop=("health",))
    session.commit()
    return assessment


def test_a_mixed_round_makes_links_only_for_its_survey_agencies(
        session: Session, questionnaire: Questionnaire):
    assessment = _mixed(session, questionnaire)
    assert sorted(i.agency for i in assessment.invitations) == ["education", "police"]
    assert services.workshop_agencies(assessment) == ["health"]
    assert services.is_mixed(assessment)
    with pytest.raises(ServiceError, match="recorded in the workshop"):
        services.new_invitation(session, assessment, "health")
    with pytest.raises(ServiceError, match="answers through survey links"):
        services_survey.save_workshop(session, questionnaire, assessment, "police",
                                      answer_all(questionnaire, "agree"), {})


@pytest.mark.parametrize(("mode", "in_workshop", "why"), [
    (Mode.WORKSHOP, ("health",), "Only a survey round"),
    (Mode.SURVEY, ("justice",), "must take part"),
    (Mode.SURVEY, ("police", "health"), "at least one agency to answer by survey link"),
])
def test_a_mixed_round_that_does_not_add_up_is_refused(
        session: Session, questionnaire: Questionnaire, mode: str, in_workshop: tuple[str, ...],
        why: str):
    with pytest.raises(ServiceError, match=why):
        services.create_assessment(session, make_municipality(session), q=questionnaire,
                                   agencies=("police", "health"), mode=mode,
                                   in_workshop=in_workshop)


def test_the_organiser_chooses_per_agency_and_gets_links_and_workshop_pages_to_match(
        client: FlaskClient, session: Session):
    make_user(session, "admin")
    municipality = make_municipality(session)
    login(client, "admin")
    form = client.get(f"/municipalities/{municipality.public_id}/assessments/new").get_data(
        as_text=True)
    assert "Mixed: some agencies answer through a link, you record the others" in form
    started = post_form(client, f"/municipalities/{municipality.public_id}/assessments/new", {
        "conducted_on": "2026-04-01", "mode": "mixed",
        "agencies": ["police", "health", "education"],
        **link_sizes("police", "health", "education"), "in_workshop": ["health"]})
    assert started.status_code == 302
    links_page = started.headers["Location"]  # a round with links opens on its links page
    assert links_page.endswith("/links")
    public_id = links_page.rsplit("/", 2)[-2]
    assert len(set(LINK.findall(client.get(links_page).get_data(as_text=True)))) == 2
    overview = client.get(f"/assessments/{public_id}").get_data(as_text=True)
    assert "Record the answers of Health" in overview
    assert "Record the answers of Police" not in overview
    assert "Recorded in the workshop: Health and mental health care." in overview
    assert '<option value="health"' not in overview  # no new link offered for it either
    assert '<option value="police"' in overview
    assert client.get(f"/assessments/{public_id}/workshop/health").status_code == 200
    assert client.get(f"/assessments/{public_id}/workshop/police").status_code == 404


def test_a_mixed_round_closes_with_both_kinds_of_answers_and_words_each_as_it_is(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    make_user(session, "admin")
    assessment = _mixed(session, questionnaire)
    add_responses(session, assessment, "police", 3, "agree")
    add_responses(session, assessment, "education", 3, "disagree")
    login(client, "admin")
    page = f"/assessments/{assessment.public_id}/workshop/health"
    data = {item_field(k): v for k, v in answer_all(questionnaire, "strongly_agree").items()}
    assert post_form(client, page, data).status_code == 302
    close_page = client.get(f"/assessments/{assessment.public_id}/close").get_data(as_text=True)
    assert f"Health and mental health care: {len(questionnaire.doc.items)} of" in close_page
    assert "Police: 3 responses sent" in close_page
    closed = post_form(client, f"/assessments/{assessment.public_id}/close")
    assert closed.status_code == 302
    results = client.get(closed.headers["Location"]).get_data(as_text=True)
    assert "6 practitioners in 2 agencies and agreed answers of 1 agency" in results
    assert "Scores by agency" in results
    assert "fewer than 3 respondents: not shown" not in results  # an agreed answer is shown
    fresh(session)
    found = session.get(Assessment, assessment.id)
    assert found is not None
    assert found.result is not None
    assert found.result.respondents == 7
    _q, published = services.publish_assessment(session, found)
    assert published.shown == ("police", "health", "education")
    assert published.agreed == ("health",)
    report = roadmap_html(session, ScoredAssessment(found, _q, published))
    assert "6 practitioners in 2 agencies and agreed answers of 1 agency" in report
    assert "fewer than 3 respondents: not shown" not in report


def test_agreed_answers_never_hide_a_small_surveyed_agency_s_figures(
        questionnaire: Questionnaire):
    counts = {"police": 1, "health": 1, "education": 4}
    shown = privacy.shown_agencies(counts, 3, order=list(counts), agreed=("health",))
    # police alone is hidden, so the smallest shown *surveyed* agency goes with it: an agreed
    # answer is known to the room and would not hide anything
    assert shown == ("health",)
    assert privacy.shown_agencies({"police": 1, "health": 1}, 3, agreed=("health",)) == (
        "health",)


def test_a_mixed_round_whose_only_surveyed_agency_is_hidden_publishes_no_dimension_score(
        session: Session, questionnaire: Questionnaire):
    assessment, _ = services.create_assessment(
        session, make_municipality(session), q=questionnaire, agencies=("police", "health"),
        mode=Mode.SURVEY, conducted_on=date(2026, 3, 1), in_workshop=("health",))
    session.commit()
    add_responses(session, assessment, "police", 1, "disagree")
    services_survey.save_workshop(session, questionnaire, assessment, "health",
                                  answer_all(questionnaire, "agree"), {})
    _q, published = services.publish_assessment(session, assessment)
    assert published.shown == ("health",)
    assert all(d.score is None for d in published.result.dimensions)  # else police follows


def test_the_migration_keeps_each_earlier_round_s_mode_for_all_its_agencies(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    config = alembic_config(url)
    command.upgrade(config, "0010")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO municipality (id, public_id, name, country, region, population_band, "
            "created_at, revision) VALUES (1, 'm1', 'Gent', 'BE', '', '50k_100k', "
            "'2026-01-01', 1)"))
        for ident, mode in ((1, "workshop"), (2, "survey")):
            conn.execute(sa.text(
                "INSERT INTO assessment (id, public_id, municipality_id, round, conducted_on, "
                "mode, status, questionnaire_id, questionnaire_version, questionnaire_hash, "
                "agencies, context, created_at) VALUES (:id, :pid, 1, :id, '2026-01-01', :mode, "
                "'open', 'q', '1.1', 'h', '[\"police\", \"health\"]', '{}', '2026-01-01')"),
                {"id": ident, "pid": f"a{ident}", "mode": mode})
    command.upgrade(config, "head")
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT id, workshop_agencies FROM assessment ORDER BY id")).all()
        ratings = conn.execute(sa.text("SELECT COUNT(*) FROM response")).scalar()
    assert [(r[0], r[1]) for r in rows] == [(1, '["police", "health"]'), (2, "[]")]
    assert ratings == 0
    engine.dispose()


def test_the_command_line_opens_a_mixed_round_with_links_for_survey_agencies_only(
        app: Flask, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from click.testing import CliRunner

    from readiness.cli.main import main

    monkeypatch.setenv("READINESS_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("READINESS_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    make_municipality(session, "Gent")
    result = CliRunner().invoke(main, [
        "assessment", "create", "--municipality", "Gent", "--agencies", "police,health,education",
        "--in-workshop", "health", "--json", "--base-url", "https://maw.example"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [link["agency"] for link in document["links"]] == ["police", "education"]
    assert document["assessment"]["workshop_agencies"] == ["health"]
