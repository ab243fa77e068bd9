"""The national frames kept between requests stay exactly what reading the database gives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.demo.national import build_demo
from readiness.models import Municipality
from readiness.national import aggregate
from readiness.national.aggregate import Filters, Tables
from readiness.services import assessments as services
from readiness.services import national as services_national
from tests.web_helpers import add_responses, make_assessment, make_municipality

pytestmark = pytest.mark.db
TODAY = date(2026, 11, 27)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which reads `national_tables` made: "all" (everything again), "added" (newly closed
    assessments only) or "municipalities" (municipalities only)."""
    made: list[str] = []

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def read(*args: Any, **kwargs: Any) -> Any:
            made.append(name)
            return real(*args, **kwargs)
        return read

    monkeypatch.setattr(services_national, "load_records",
                        counting("all", services_national.load_records))
    monkeypatch.setattr(services_national, "load_closed_after",
                        counting("added", services_national.load_closed_after))
    monkeypatch.setattr(services_national, "load_municipalities",
                        counting("municipalities", services_national.load_municipalities))
    return made


def same_as_reading_everything(db: Session, q: Questionnaire, kept: Tables) -> None:
    """Assert the kept frames give the dashboard that freshly read frames give."""
    fresh = services_national.national_tables(db, q, cached=False)
    assert (aggregate.dashboard(kept, q, Filters(), today=TODAY, min_cell=1)
            == aggregate.dashboard(fresh, q, Filters(), today=TODAY, min_cell=1))
    by_id = kept.assessments.sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(by_id, fresh.assessments.sort_values("id")
                                  .reset_index(drop=True), check_dtype=False)
    pd.testing.assert_frame_equal(kept.wide.sort_index(), fresh.wide.sort_index())


def test_closing_an_assessment_reads_only_that_one_and_matches_a_full_read(
        session: Session, questionnaire: Questionnaire, reads: list[str]):
    build_demo(session, questionnaire, 12, seed=3, country="BE", today=TODAY)
    town = make_municipality(session, "Newtown")
    assessment, _ = make_assessment(session, town)
    add_responses(session, assessment, "police", 3, "disagree")
    add_responses(session, assessment, "health", 3, "agree")

    before = services_national.national_tables(session, questionnaire)
    assert reads == ["all"]
    assert services_national.national_tables(session, questionnaire) is before
    assert reads == ["all"]

    services.close_assessment(session, assessment)
    session.commit()
    after = services_national.national_tables(session, questionnaire)
    assert reads == ["all", "added"]
    assert len(after.assessments) == len(before.assessments) + 1
    assert assessment.id in set(after.wide.index)
    same_as_reading_everything(session, questionnaire, after)


def test_renaming_a_municipality_reads_only_the_municipalities_again(
        session: Session, questionnaire: Questionnaire, reads: list[str]):
    build_demo(session, questionnaire, 12, seed=4, country="BE", today=TODAY)
    services_national.national_tables(session, questionnaire)
    town = services.find_municipality(session, aggregate.select(
        services_national.national_tables(session, questionnaire), Filters())
        .latest["name"].iloc[0])
    town.name = "Renamed town"
    session.commit()

    kept = services_national.national_tables(session, questionnaire)
    assert reads == ["all", "municipalities"]
    assert "Renamed town" in set(kept.municipalities["name"])
    assert "Renamed town" in set(aggregate.select(kept, Filters()).latest["name"])
    same_as_reading_everything(session, questionnaire, kept)


def test_an_edit_that_keeps_every_length_still_reads_the_municipalities_again(
        session: Session, questionnaire: Questionnaire, reads: list[str]):
    build_demo(session, questionnaire, 12, seed=5, country="BE", today=TODAY)
    kept = services_national.national_tables(session, questionnaire)
    town = services.find_municipality(session, str(kept.municipalities["name"].iloc[0]))
    before = town.revision
    town.region = town.region.swapcase()  # same length, same letters: only the case differs
    session.commit()
    assert town.revision == before + 1

    again = services_national.national_tables(session, questionnaire)
    assert reads == ["all", "municipalities"]
    assert town.region in set(again.municipalities["region"])
    # a bulk update outside the ORM (a script, a console session) counts as an edit too
    session.execute(update(Municipality).where(Municipality.id == town.id)
                    .values(region=town.region.swapcase()))
    session.commit()
    again = services_national.national_tables(session, questionnaire)
    assert reads == ["all", "municipalities", "municipalities"]
    same_as_reading_everything(session, questionnaire, again)
