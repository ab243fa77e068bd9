"""National follow-through of tracked actions: shares per family and dimension, the most
dropped recommendations, the small-cell rule, the API (`/api/v1/actions`) and the demo data."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.models import AuditEvent, PlanAction
from readiness.national.aggregate.cells import suppressed_text
from readiness.national.aggregate.followthrough import ActionRecord, follow_through
from tests.national_web import Country, make_country
from tests.web_helpers import fresh, login

TODAY = date(2026, 6, 1)


def _row(municipality: int, status: str, *, action: str = "a1", family: str = "f1",
         dimension: str = "trust", due: date | None = date(2026, 9, 1),
         reason: str = "") -> ActionRecord:
    return ActionRecord(municipality, "BE", "R", "10k_50k", action, action.upper(), family,
                        dimension, status, due, reason)


def _figures(rows: list[ActionRecord], **kwargs: object):
    return follow_through(rows, TODAY, families={"f1": "Family one"},
                          dimensions={"trust": "Trust"}, min_cell=5, **kwargs)  # type: ignore[arg-type]


def test_shares_per_family_and_dimension_count_overdue_open_actions():
    rows = [_row(1, "done"), _row(2, "done"), _row(3, "in_progress"),
            _row(4, "planned", due=date(2026, 1, 1)), _row(5, "dropped", reason="x"),
            _row(5, "done", due=date(2026, 1, 1))]  # done late is not overdue
    figures = _figures(rows)
    family = figures.by_family[0]
    assert (family.key, family.title, family.municipalities, family.actions) == (
        "f1", "Family one", 5, 6)
    assert family.done == 0.5
    assert family.in_progress == 0.17  # a share rounded once, to a whole percent
    assert family.overdue == 0.17
    assert figures.by_dimension[0].title == "Trust"


def test_fewer_municipalities_than_the_small_cell_show_no_share_but_how_many_actions():
    """The count of actions is about plans, not people or how a municipality does: shown; a
    count of one status only is a share in disguise: hidden like the shares."""
    figures = _figures([_row(m, "done") for m in (1, 2, 3, 4)])
    row = figures.by_family[0]
    hidden = suppressed_text(5)
    assert (row.done, row.in_progress, row.overdue) == (hidden,) * 3
    assert (row.actions, figures.actions) == (4, 4)
    assert figures.municipalities == hidden
    done = _figures([_row(m, "done") for m in (1, 2, 3, 4)], status="done")
    assert (done.actions, done.by_family[0].actions) == (hidden, hidden)


def test_dropped_recommendations_are_ranked_and_give_reasons_only_when_enough_dropped_them():
    rows = [_row(m, "dropped", action="often", reason="No budget") for m in range(1, 6)]
    rows += [_row(6, "dropped", action="rarely", reason="Our mayor said no")]
    rows += [_row(m, "done", action="rarely") for m in range(7, 12)]
    dropped = _figures(rows).dropped
    assert [d.action for d in dropped] == ["often", "rarely"]
    assert dropped[0].municipalities == 5
    assert dropped[0].reasons == ("no budget",)
    assert dropped[1].municipalities == suppressed_text(5)
    assert dropped[1].reasons == ()


def test_a_status_filter_keeps_only_those_actions():
    rows = [_row(m, "done") for m in range(1, 6)] + [
        _row(m, "planned", due=date(2026, 1, 1)) for m in range(1, 6)]
    overdue = _figures(rows, status="overdue")
    assert overdue.actions == 5
    assert overdue.by_family[0].overdue == 1.0
    assert _figures(rows, status="done").by_family[0].done == 1.0


@pytest.mark.parametrize("status", [None, "overdue", "done"])
def test_no_tracked_actions_give_empty_figures_not_an_error(status: str | None):
    figures = _figures([], status=status)
    assert (figures.municipalities, figures.by_family, figures.dropped) == (0, (), ())


@pytest.fixture
def country(session: Session) -> Country:
    """A demo country (its plans made by the demo) with a national coordinator's token."""
    return make_country(session)


def test_the_national_demo_makes_plans_in_every_state(session: Session, country: Country):
    counts = {status: n for status, n in session.execute(
        select(PlanAction.status, func.count()).group_by(PlanAction.status))}
    assert set(counts) == {"planned", "in_progress", "done", "dropped"}
    reasons = session.scalars(select(PlanAction.drop_reason)
                              .where(PlanAction.status == "dropped")).all()
    assert all(reasons)


def test_the_api_reports_follow_through_and_refuses_an_unknown_status(
        client: FlaskClient, session: Session, country: Country):
    headers = {"Authorization": f"Bearer {country.coordinator_token}"}
    reply = client.get("/api/v1/actions", headers=headers)
    assert reply.status_code == 200
    data = reply.get_json()
    assert data["by_family"]
    assert data["by_dimension"]
    assert {"done", "in_progress", "overdue"} <= set(data["by_family"][0])
    done = client.get("/api/v1/actions?status=done", headers=headers).get_json()
    assert done["status"] == "done"
    assert done["dropped"] == []
    bad = client.get("/api/v1/actions?status=finished", headers=headers)
    assert bad.status_code == 400
    assert client.get("/api/v1/actions").status_code == 401
    fresh(session)
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == "api_actions")) == 2


def test_the_national_pdf_has_a_follow_through_section(client: FlaskClient, country: Country):
    login(client, "national")
    reply = client.get("/dashboard/national.pdf")
    assert reply.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(reply.data)).pages)
    assert "Follow-through of the roadmaps" in text
    assert "Tracked actions by family of recommendations" in text
