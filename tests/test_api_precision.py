"""The API gives every figure at the one precision readiness/openapi.yaml documents: scores and
changes to 1 decimal like the pages, shares to a whole percent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.web.api import openapi_document
from tests.national_web import Country, make_country

pytestmark = pytest.mark.db


@pytest.fixture
def country(session: Session) -> Country:
    """A demo country with a national coordinator's token."""
    return make_country(session)


def _floats(value: Any, key: str = "") -> Iterator[tuple[str, float]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _floats(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _floats(v, key)
    elif isinstance(value, float):
        yield key, value


def _shares(key: str) -> bool:
    return key == "share" or key.endswith("_share") or key in ("done", "in_progress", "overdue")


def test_api_scores_have_one_decimal_and_shares_a_whole_percent(client: FlaskClient,
                                                                country: Country):
    headers = {"Authorization": f"Bearer {country.coordinator_token}"}
    found: list[tuple[str, float]] = []
    for path in ("/summary", "/municipalities", f"/municipalities/{country.municipality_id}",
                 "/need", "/breakdown/region", "/actions"):
        response = client.get(f"/api/v1{path}", headers=headers)
        assert response.status_code == 200, path
        found += list(_floats(response.get_json()))
    scores = [(k, v) for k, v in found if not _shares(k)]
    shares = [(k, v) for k, v in found if _shares(k)]
    assert scores
    assert shares
    assert [(k, v) for k, v in scores if round(v, 1) != v] == []
    assert [(k, v) for k, v in shares if round(v, 2) != v] == []


def test_the_openapi_document_states_the_precision():
    text = openapi_document()["info"]["description"]
    assert "1 decimal" in text
    assert "2 decimals" in text
