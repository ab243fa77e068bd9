"""The national export's first_actions column holds what the roadmap calls its first actions
(the first three months, as the roadmap's summary counts them), never its later actions nor the
undated "later, if needed" list."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.core.roadmap_plan import LATER
from readiness.national import aggregate as ag
from readiness.national.exports import municipality_sheet
from tests.national_fixture import DIMENSIONS, records
from tests.national_web import Country, make_country
from tests.web_helpers import login

Q = get_questionnaire()


def test_first_actions_are_the_first_phase_only():
    sel = ag.select(ag.tables(records(), DIMENSIONS), ag.Filters(region="R1"))
    actions = [{"id": "x1", "title": "Agree roles", "phase": 1, "priority": 1},
               {"id": "x2", "title": "Set up a table", "phase": 1, "priority": 2},
               {"id": "x3", "title": "Train together", "phase": 2, "priority": 3},
               {"id": "x4", "title": "Evaluate with a partner", "phase": LATER, "priority": 4}]
    sheet = municipality_sheet(ag.municipality_rows(sel), Q, {"a2": actions})
    row = dict(zip(sheet.header, sheet.rows[0], strict=True))
    assert row["first_actions"] == "Agree roles; Set up a table"


@pytest.fixture
def country(session: Session) -> Country:
    """A demo country with a national coordinator."""
    return make_country(session)


@pytest.mark.db
def test_the_exported_first_actions_are_each_roadmaps_first_phase(client: FlaskClient,
                                                                    country: Country):
    login(client, "national")
    book = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx").data))
    rows = list(book["Municipalities"].iter_rows(values_only=True))
    header = list(rows[0])
    first = {r[0]: r[header.index("first_actions")] for r in rows[1:]}
    actions = list(book["Actions"].iter_rows(values_only=True))
    a_header = list(actions[0])
    by_place: dict[str, list[str]] = {}
    later = 0
    for a in actions[1:]:
        if a[a_header.index("phase")] == 1:
            by_place.setdefault(a[0], []).append(a[a_header.index("title")])
        else:
            later += 1
    assert later  # the roadmaps do hold actions after the first three months
    assert by_place
    for place, listed in first.items():
        assert (listed or "") == "; ".join(by_place.get(place, [])), place
