"""The retention period of responses (`readiness retention apply`): the raw responses of rounds
closed longer ago than RETENTION_RESPONSES_DAYS go, comments with them; open and recent rounds
are untouched; the old round's results page, API and roadmap PDF stay exactly the same; the
privacy notice states the rule in words."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.cli.main import main
from readiness.models import Assessment, AssessmentResult, AuditEvent, Response
from readiness.services.national import create_api_token
from tests.erasure_helpers import closed_round
from tests.web_helpers import (
    add_responses,
    fresh,
    login,
    make_assessment,
    make_municipality,
    make_user,
)

_CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')


def _responses(session: Session, assessment_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Response)
                          .where(Response.assessment_id == assessment_id)) or 0


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return _CSRF_VALUE.sub(r"\1", response.get_data(as_text=True))


@pytest.fixture
def cli(app: Flask, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The command line on the test database, with a two-year period."""
    monkeypatch.setenv("READINESS_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("READINESS_INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("READINESS_RETENTION_RESPONSES_DAYS", "730")
    return CliRunner()


def test_retention_removes_old_closed_rounds_responses_and_keeps_their_pages_api_and_pdf(
        app: Flask, client: FlaskClient, session: Session, cli: CliRunner):
    root = make_user(session, "root")
    _token, secret = create_api_token(session, "root")
    old_town, new_town = make_municipality(session, "Mechelen"), make_municipality(session, "Lier")
    old = closed_round(session, old_town, root)
    old.closed_at = datetime.now(UTC) - timedelta(days=800)
    recent = closed_round(session, new_town, root)
    still_open, _links = make_assessment(session, make_municipality(session, "Boom"))
    add_responses(session, still_open, "police", 2)
    still_open.conducted_on = old.conducted_on
    session.commit()
    old_id, old_public, town_public = old.id, old.public_id, old_town.public_id
    held = {a.id: _responses(session, a.id) for a in (old, recent, still_open)}
    login(client, "root")
    api = {"Authorization": f"Bearer {secret}"}
    urls = [f"/assessments/{old_public}/results", f"/municipalities/{town_public}/plan"]
    before = [_page(client, url) for url in urls]
    api_before = client.get(f"/api/v1/municipalities/{town_public}", headers=api).get_json()
    pdf_before = client.get(f"/assessments/{old_public}/roadmap.pdf")
    assert pdf_before.status_code == 200
    assert pdf_before.data.startswith(b"%PDF")

    dry = cli.invoke(main, ["retention", "apply", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would remove the responses of 1 rounds" in dry.output
    fresh(session)
    assert _responses(session, old_id) == held[old_id]
    done = cli.invoke(main, ["retention", "apply"])
    assert done.exit_code == 0, done.output
    assert f"({held[old_id]} responses)" in done.output

    fresh(session)
    assert _responses(session, old_id) == 0
    assert {a: _responses(session, a) for a in held if a != old_id} == {
        a: n for a, n in held.items() if a != old_id}
    stored = session.get(AssessmentResult, old_id)
    assert stored is not None
    assert stored.retained is not None
    assert [_page(client, url) for url in urls] == before
    assert client.get(f"/api/v1/municipalities/{town_public}", headers=api).get_json() \
        == api_before
    pdf_after = client.get(f"/assessments/{old_public}/roadmap.pdf")
    assert pdf_after.data == pdf_before.data
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.action.in_(["responses_removed", "retention_applied"]))).all()
    assert sorted((e.action, e.object_id, e.source) for e in events) == [
        ("responses_removed", old_public, "cli"), ("retention_applied", "", "cli")]
    page = _page(client, f"/assessments/{old_public}")
    assert "The responses of this round were deleted on" in page
    assert page.count('<td class="numeric">3</td>') == 3  # sent per agency, as counted
    again = cli.invoke(main, ["retention", "apply"])
    assert "responses of 0 rounds" in again.output
    assert session.get(Assessment, old_id) is not None


def test_the_comments_of_an_old_round_are_gone_after_retention(
        app: Flask, client: FlaskClient, session: Session, cli: CliRunner):
    make_user(session, "root")
    old = closed_round(session, make_municipality(session, "Mechelen"),
                       comments={"trust": "Our sergeant never answers the phone"}, per_agency=5)
    old.closed_at = datetime.now(UTC) - timedelta(days=731)
    session.commit()
    public_id = old.public_id
    login(client, "root")
    assert "sergeant" in _page(client, f"/assessments/{public_id}/results")
    assert cli.invoke(main, ["retention", "apply"]).exit_code == 0
    assert "sergeant" not in _page(client, f"/assessments/{public_id}/results")
    fresh(session)
    stored = session.get(AssessmentResult, old.id)
    assert stored is not None
    assert "sergeant" not in str(stored.retained)


def test_without_a_period_retention_removes_nothing_and_says_why(
        app: Flask, session: Session, cli: CliRunner, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("READINESS_RETENTION_RESPONSES_DAYS")
    old = closed_round(session, make_municipality(session, "Mechelen"))
    old.closed_at = datetime.now(UTC) - timedelta(days=5000)
    session.commit()
    refused = cli.invoke(main, ["retention", "apply"])
    assert refused.exit_code != 0
    assert "RETENTION_RESPONSES_DAYS is not set" in refused.output
    monkeypatch.setenv("READINESS_RETENTION_RESPONSES_DAYS", "two years")
    assert "whole number of days" in cli.invoke(main, ["retention", "apply"]).output
    fresh(session)
    assert _responses(session, old.id) == 9


def test_the_privacy_notice_states_the_configured_retention_period(
        app: Flask, client: FlaskClient, session: Session):
    _assessment, tokens = make_assessment(session, make_municipality(session))
    assert "days after the assessment closes" not in client.get(
        f"/s/{tokens['police']}").get_data(as_text=True)
    app.config["RETENTION_RESPONSES_DAYS"] = 730
    html = client.get(f"/s/{tokens['police']}").get_data(as_text=True)
    assert ("730 days after the assessment closes, your response is deleted: your comments "
            "and everything that ties your answers to this link, this device or a date.") in html
    assert "Ask the organisation that sent you this link how long" not in html



def test_the_questionnaire_statistics_still_count_a_reduced_round(
        session: Session, cli: CliRunner):
    from readiness.core.questionnaire import get_questionnaire
    from readiness.services.quality import consistency

    old = closed_round(session, make_municipality(session, "Mechelen"), per_agency=4)
    old.closed_at = datetime.now(UTC) - timedelta(days=800)
    session.commit()
    q = get_questionnaire()
    before = consistency(session, q)
    assert cli.invoke(main, ["retention", "apply"]).exit_code == 0
    fresh(session)
    assert _responses(session, old.id) == 0
    assert consistency(session, q) == before
