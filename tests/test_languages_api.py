"""The JSON API's messages in the reader's language (Accept-Language, else the token user's);
field names and error codes stay English so clients keep working."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from readiness.models import User
from tests.national_web import Country, make_country

pytestmark = pytest.mark.db


@pytest.fixture
def country(session: Session) -> Country:
    """A demo country with a national coordinator's token (and a demoted user's)."""
    return make_country(session)


def _get(client: FlaskClient, url: str, token: str | None, language: str) -> tuple[int, dict]:
    headers = {"Accept-Language": language}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = client.get(url, headers=headers)
    return response.status_code, response.get_json()


@pytest.mark.parametrize(("url", "token", "status", "error", "english"), [
    ("/api/v1/municipalities?token=x", "coordinator", 400, "bad_request", "unknown parameter"),
    ("/api/v1/municipalities?since=2026-02-30", "coordinator", 400, "bad_request",
     "must be a date"),
    ("/api/v1/need?limit=0", "coordinator", 400, "bad_request", "must be a whole number"),
    ("/api/v1/breakdown/shoe_size", "coordinator", 400, "bad_request", "break down by"),
    ("/api/v1/summary", None, 401, "unauthorized", "send an API token"),
    ("/api/v1/summary", "advisor", 403, "forbidden", "national coordinators"),
    ("/api/v1/municipalities/nope", "coordinator", 404, "not_found",
     "no municipality"),
    ("/api/v1/no-such-thing", "coordinator", 404, "not_found", "nothing at this address"),
])
def test_api_errors_are_in_french_with_accept_language_fr_and_codes_stay_english(
        client: FlaskClient, country: Country, url: str, token: str | None, status: int,
        error: str, english: str):
    secret = {"coordinator": country.coordinator_token, "advisor": country.advisor_token,
              None: None}[token]
    code, english_body = _get(client, url, secret, "en")
    assert code == status
    assert english in english_body["message"]
    code, french_body = _get(client, url, secret, "fr-BE,fr;q=0.9")
    assert code == status
    assert set(french_body) == {"error", "message"}
    assert french_body["error"] == error
    assert french_body["message"] != english_body["message"]
    assert english not in french_body["message"]


def test_a_405_and_a_429_are_answered_in_french_too(client: FlaskClient, country: Country):
    response = client.post("/api/v1/summary", headers={
        "Authorization": f"Bearer {country.coordinator_token}", "Accept-Language": "fr"})
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert response.get_json()["message"] == "cette adresse ne répond pas à cette méthode"
    from flask import request

    from readiness.web.api import http_message

    with client.application.test_request_context("/api/v1/summary",
                                                  headers={"Accept-Language": "fr"}):
        assert request.path.startswith("/api/")
        assert http_message(429, "Too Many Requests").startswith("trop de requêtes")


def test_without_accept_language_the_token_users_language_is_used(
        client: FlaskClient, session: Session, country: Country):
    session.rollback()
    session.execute(update(User).where(User.username == "national").values(language="de"))
    session.commit()
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE", None)
    response = client.get("/api/v1/municipalities?token=x",
                          headers={"Authorization": f"Bearer {country.coordinator_token}"})
    assert response.status_code == 400
    message = response.get_json()["message"]
    assert message.startswith("unbekannter Parameter 'token'"), message
    # a field value the client sent is quoted as sent; parameter names stay as they are
    assert "per_page" in message
