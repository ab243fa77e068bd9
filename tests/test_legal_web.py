"""The legal position on the results page and in the PDF, and stale profiles on the dashboard."""

from __future__ import annotations

import io

import pypdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.models import Assessment
from readiness.services import assessments as services
from tests.national_web import Country, make_country
from tests.web_helpers import add_responses, login, make_assessment, make_municipality, make_user

pytestmark = pytest.mark.db


def _closed(session: Session, country: str, name: str) -> Assessment:
    """Police, health and social services all find the legal basis weak."""
    assessment, _ = make_assessment(session, make_municipality(session, name, country),
                                    ("police", "health", "social_services"))
    for agency in ("police", "health", "social_services"):
        add_responses(session, assessment, agency, 3,
                      lambda item: "strongly_disagree" if item.startswith("legal") else "agree")
    services.close_assessment(session, assessment)
    session.commit()
    return assessment


def _results(client: FlaskClient, session: Session, assessment: Assessment) -> str:
    make_user(session, "ada")
    login(client, "ada")
    reply = client.get(f"/assessments/{assessment.public_id}/results")
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def test_results_page_shows_the_legal_position_of_the_municipalitys_country(
        client: FlaskClient, session: Session):
    html = _results(client, session, _closed(session, "BE", "Mechelen"))
    assert '<h2 id="legal">Legal position in Belgium</h2>' in html
    assert "This is an orientation, not legal advice" in html
    assert 'href="http://www.ejustice.just.fgov.be/eli/wet/2018/07/30/2018031809/justel"' in html
    assert "Agree a written information-sharing protocol within the law" in html


def test_results_in_a_country_without_a_basis_offer_the_routes_that_remain(
        client: FlaskClient, session: Session):
    assessment = _closed(session, "LT", "Kupiskis")
    html = _results(client, session, assessment)
    assert "Legal position in Lithuania" in html
    assert "Work within the law where it gives no basis for sharing" in html
    assert "Agree a written information-sharing protocol" not in html
    stored = [a["id"] for a in assessment.result.roadmap["actions"]]
    assert "information_sharing_protocol" not in stored
    assert "legal_routes_without_basis" in stored


def test_the_downloaded_pdf_has_the_legal_position(client: FlaskClient, session: Session):
    assessment = _closed(session, "FI", "Vantaa")
    _results(client, session, assessment)
    response = client.get(f"/assessments/{assessment.public_id}/roadmap.pdf")
    assert response.status_code == 200
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    assert "Legal position in Finland" in text
    assert "not legal advice" in text
    assert "Agree how information is shared with the person" in text


@pytest.fixture
def country(session: Session) -> Country:
    """A demo country (Belgium) with a national coordinator."""
    return make_country(session)


def test_dashboard_flags_legal_profiles_older_than_the_configured_age(
        app: Flask, client: FlaskClient, country: Country):
    login(client, "national")
    app.config["LEGAL_PROFILE_MAX_AGE_DAYS"] = 100_000  # whatever today's date is
    fresh = client.get("/dashboard/").get_data(as_text=True)
    assert "Legal profiles to re-check" not in fresh
    app.config["LEGAL_PROFILE_MAX_AGE_DAYS"] = -1
    stale = client.get("/dashboard/").get_data(as_text=True)
    assert "Legal profiles to re-check" in stale
    assert "The legal position for Belgium was last checked on" in stale
    assert "Lithuania" not in stale.split("Legal profiles to re-check")[1].split("</div>")[0]


def test_the_results_page_and_pdf_in_french_give_the_belgian_statements_in_french(
        client: FlaskClient, session: Session):
    assessment = _closed(session, "BE", "Liège")
    _results(client, session, assessment)
    html = client.get(f"/assessments/{assessment.public_id}/results?lang=fr").get_data(
        as_text=True)
    assert "cellules de sécurité intégrale locales" in html
    assert "Plan R, the federal action plan" not in html
    assert "(en anglais)" not in html
    response = client.get(f"/assessments/{assessment.public_id}/roadmap.pdf?lang=fr")
    assert response.status_code == 200
    text = " ".join(" ".join(p.extract_text().split())
                    for p in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    assert "The Act of 30 July 2018 has the mayor" not in text
    assert "La loi du 30 juillet 2018 charge le bourgmestre" in text
