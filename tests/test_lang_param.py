"""`lang`, the language switch of every page, is taken by the dashboard, its downloads and the
API like their other parameters: a shipped language is used, any other value refused in the
reader's own language (never accepted silently, never refused in the language it asks for)."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from tests.national_web import Country, make_country
from tests.web_helpers import login

pytestmark = pytest.mark.db


@pytest.fixture
def country(session: Session) -> Country:
    """A demo country of 16 municipalities with users of every role."""
    return make_country(session)


def test_the_national_pdf_takes_lang_and_answers_in_that_language(client: FlaskClient,
                                                                  country: Country):
    login(client, "national")
    response = client.get("/dashboard/national.pdf?country=BE&lang=de")
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Recurring barriers" not in text
    assert "Where to go next" not in text


@pytest.mark.parametrize("page", ["/dashboard/", "/dashboard/export.csv"])
def test_the_dashboard_and_its_exports_take_lang(client: FlaskClient, country: Country,
                                                 page: str):
    login(client, "national")
    assert client.get(f"{page}?country=BE&lang=fr").status_code == 200


def test_an_unknown_language_is_refused_in_the_reader_s_language(client: FlaskClient,
                                                                  country: Country):
    login(client, "national")
    for page in ("/dashboard/", "/dashboard/national.pdf"):
        response = client.get(f"{page}?country=BE&lang=xx")
        assert response.status_code == 400, page
        assert "unknown language &#39;xx&#39;; known: en, nl, fr, de" in response.get_data(
            as_text=True), page


def test_the_api_takes_lang_as_documented(client: FlaskClient, country: Country):
    headers = {"Authorization": f"Bearer {country.coordinator_token}"}
    assert client.get("/api/v1/summary?lang=de", headers=headers).status_code == 200
    refused = client.get("/api/v1/need?lang=xx", headers=headers)
    assert refused.status_code == 400
    assert "unknown language 'xx'" in refused.get_json()["message"]
    documented = client.get("/api/v1/openapi.json", headers=headers).get_json()
    assert documented["components"]["parameters"]["lang"]["schema"]["enum"] == [
        "en", "nl", "fr", "de"]
