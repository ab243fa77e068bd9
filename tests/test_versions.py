"""Questionnaire versions side by side: an assessment answered on 1.0 still opens, scores and
prints as before, 1.0's files are untouched, and the national view says when it compares
versions."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.models import Assessment
from readiness.services import assessments as services
from tests.national_web import make_country
from tests.web_helpers import add_responses, fresh, login, make_municipality, make_user

pytestmark = pytest.mark.db

# The content hash of 1.0 as shipped before 1.1 was written: old assessments store it.
HASH_1_0 = "d0d14aa75339"


def test_version_1_0_files_are_unchanged():
    assert get_questionnaire(version="1.0").content_hash.startswith(HASH_1_0)


def test_an_assessment_answered_on_1_0_still_opens_scores_and_prints(
        client: FlaskClient, session: Session):
    q10 = get_questionnaire(version="1.0")
    assessment, _ = services.create_assessment(
        session, make_municipality(session), q=q10, agencies=("police", "health", "education"),
        conducted_on=date(2025, 3, 1))
    session.commit()
    for agency in ("police", "health", "education"):
        add_responses(session, assessment, agency, 3, "agree")
    assert {r.answers.get("legal_holding_back") for r in assessment.responses} == {"agree"}
    services.close_assessment(session, assessment)
    session.commit()
    q, result, _ = services.score_assessment(session, assessment)
    assert q.version == "1.0"
    assert q.content_hash == assessment.questionnaire_hash
    assert "legal_holding_back" in result.items  # 1.0's statement, scored on 1.0
    make_user(session, "ada")
    login(client, "ada")
    page = client.get(f"/assessments/{assessment.public_id}/results")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "has changed since this assessment was created" not in html
    assert "Experiences in establishing MAW" not in html  # 1.0 cites as it always did
    pdf = client.get(f"/assessments/{assessment.public_id}/roadmap.pdf")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")


def test_the_national_dashboard_says_when_it_compares_questionnaire_versions(
        client: FlaskClient, session: Session):
    make_country(session, municipalities=8)
    login(client, "national")
    note = "compare assessments answered on questionnaire versions"
    assert note not in client.get("/dashboard/").get_data(as_text=True)
    fresh(session)
    session.execute(update(Assessment).where(Assessment.round == 2)
                    .values(questionnaire_version="1.1"))
    session.commit()
    html = client.get("/dashboard/").get_data(as_text=True)
    assert f"{note} 1.0, 1.1" in html
