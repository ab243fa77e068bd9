"""A closed round's national figures are worked out in the background, after the close commits.

The worker works out the dashboard's first page in each language and keeps it, with the frames,
in the instance folder; the next request (in any process) reads it back without the frames.
"""

from __future__ import annotations

import gc
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness import tasks
from readiness.core.questionnaire import Questionnaire
from readiness.db import get_db
from readiness.demo.national import build_demo
from readiness.models import Assessment, Status
from readiness.national import aggregate
from readiness.national.aggregate import Filters
from readiness.national.query import closed_rounds
from readiness.services import frames_file
from readiness.services import national as services_national
from readiness.translate import use_language
from tests.web_helpers import (
    add_responses,
    login,
    make_assessment,
    make_municipality,
    make_user,
    post_form,
)

pytestmark = pytest.mark.db


def _open_round(session: Session, questionnaire: Questionnaire) -> Assessment:
    """Twelve closed demo municipalities and one open round with answers, committed."""
    build_demo(session, questionnaire, 12, seed=7, country="BE",
               today=datetime.now(UTC).date())
    assessment, _ = make_assessment(session, make_municipality(session, "Newtown"))
    add_responses(session, assessment, "police", 3, "disagree")
    add_responses(session, assessment, "health", 3, "agree")
    session.commit()
    return assessment


def _closed_by_an_admin(app: Flask, client: FlaskClient, session: Session,
                        questionnaire: Questionnaire) -> Assessment:
    """`_open_round` closed through the web by a signed-in admin, with the warm-up on (tasks
    run at once in testing: the worker's work is done when the close answers)."""
    app.config["WARM_NATIONAL"] = True
    assessment = _open_round(session, questionnaire)
    make_user(session, "admin")
    login(client, "admin")
    assert post_form(client, f"/assessments/{assessment.public_id}/close").status_code == 302
    return assessment


def _first_page(db: Session, q: Questionnaire, app: Flask) -> aggregate.Dashboard:
    """The dashboard's first page, as the dashboard view asks for it."""
    return services_national.national_dashboard(
        db, q, Filters(), today=datetime.now(UTC).date(), min_cell=int(app.config["MIN_CELL"]))


def test_after_a_close_the_next_process_shows_the_first_page_without_reading_frames(
        app: Flask, client: FlaskClient, session: Session, questionnaire: Questionnaire,
        monkeypatch: pytest.MonkeyPatch):
    app.config["WARM_NATIONAL"] = True  # tasks run at once in testing: the worker's work
    assessment = _open_round(session, questionnaire)
    make_user(session, "admin")
    login(client, "admin")
    assert client.get("/dashboard/").status_code == 200  # this process holds the old frames
    closed = post_form(client, f"/assessments/{assessment.public_id}/close")
    assert closed.status_code == 302

    services_national._TABLES.clear()  # another process, or this one restarted

    def no_frames(*_args: Any) -> None:
        raise AssertionError("the frames were read")

    with monkeypatch.context() as patched:
        patched.setattr(services_national, "_from_file", no_frames)
        patched.setattr(services_national, "load_records", no_frames)
        with use_language("en"):
            kept = _first_page(session, questionnaire, app)
        assert client.get("/dashboard/").status_code == 200
    newtown = [row.overall for row in kept.table.rows if row.name == "Newtown"]
    assert len(newtown) == 1
    assert newtown[0] is not None  # the round just closed is in it
    fresh = services_national.national_tables(session, questionnaire, cached=False)
    with use_language("en"):
        assert kept == aggregate.dashboard(fresh, questionnaire, Filters(),
                                           today=datetime.now(UTC).date(),
                                           min_cell=int(app.config["MIN_CELL"]))


def test_every_language_is_worked_out_ahead(
        app: Flask, client: FlaskClient, session: Session, questionnaire: Questionnaire,
        monkeypatch: pytest.MonkeyPatch):
    _closed_by_an_admin(app, client, session, questionnaire)
    services_national._TABLES.clear()
    monkeypatch.setattr(services_national, "_from_file", lambda *_a: pytest.fail("frames"))
    pages = {}
    for language in app.config["LANGUAGES"]:
        with use_language(language):
            pages[language] = _first_page(session, questionnaire, app)
    assert len({page.overview.assessed for page in pages.values()}) == 1
    assert all("Newtown" in {row.name for row in page.table.rows if row.overall is not None}
               for page in pages.values())
    assert pages["de"] != pages["en"]  # worded for each reader


def test_the_warm_up_is_queued_only_once_the_close_is_committed(
        app: Flask, client: FlaskClient, session: Session, questionnaire: Questionnaire,
        monkeypatch: pytest.MonkeyPatch):
    app.config["WARM_NATIONAL"] = True
    seen: list[str | None] = []

    def queued(flask_app: Flask) -> None:
        with get_db(flask_app).sessions() as other:  # what the worker would read
            seen.append(other.get(Assessment, assessment.id).status)  # type: ignore[union-attr]

    monkeypatch.setattr(tasks, "request_national_warm_up", queued)
    make_user(session, "admin")
    empty, _ = make_assessment(session, make_municipality(session, "Emptytown"))
    assessment, _ = make_assessment(session, make_municipality(session, "Newtown"))
    add_responses(session, assessment, "police", 3, "agree")
    session.commit()
    login(client, "admin")
    refused = post_form(client, f"/assessments/{empty.public_id}/close")
    assert refused.status_code == 400  # nothing to score: nothing closed, nothing queued
    assert seen == []
    assert post_form(client, f"/assessments/{assessment.public_id}/close").status_code == 302
    assert seen == [Status.CLOSED]


def test_the_warm_up_is_off_unless_asked_for_in_testing(
        app: Flask, client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch):
    calls: list[Flask] = []
    monkeypatch.setattr(tasks, "request_national_warm_up", calls.append)
    make_user(session, "admin")
    assessment, _ = make_assessment(session, make_municipality(session))
    add_responses(session, assessment, "police", 3, "agree")
    session.commit()
    login(client, "admin")
    assert post_form(client, f"/assessments/{assessment.public_id}/close").status_code == 302
    assert calls == []


@pytest.mark.parametrize("collecting", [True, False])
def test_reading_the_kept_file_leaves_the_cycle_collector_as_it_was(
        app: Flask, session: Session, collecting: bool):
    frames_file.save(session, "a key", {"kept": list(range(10))})
    was = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        assert frames_file.load(session, "a key") == {"kept": list(range(10))}
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()


def test_the_round_filter_offers_the_rounds_the_frames_hold_without_reading_them(
        session: Session, questionnaire: Questionnaire):
    build_demo(session, questionnaire, 12, seed=8, country="BE", today=datetime.now(UTC).date())
    make_assessment(session, make_municipality(session, "Newtown"))  # open: not offered
    session.commit()
    frames = services_national.national_tables(session, questionnaire, cached=False)
    held = tuple(sorted({int(r) for r in frames.assessments["round"].dropna()}))
    assert len(held) >= 2
    assert closed_rounds(session) == held


def test_after_a_restart_another_page_works_out_only_its_table(
        app: Flask, session: Session, questionnaire: Questionnaire,
        monkeypatch: pytest.MonkeyPatch):
    build_demo(session, questionnaire, 12, seed=9, country="BE", today=datetime.now(UTC).date())
    session.commit()
    today = datetime.now(UTC).date()
    first = services_national.national_dashboard(session, questionnaire, Filters(), today=today,
                                                 min_cell=1, per_page=5)
    services_national._TABLES.clear()
    figures: list[Filters] = []
    real = aggregate._figures
    monkeypatch.setattr(aggregate, "_figures",
                        lambda sel, q, cell: figures.append(sel.filters) or real(sel, q, cell))
    second = services_national.national_dashboard(session, questionnaire, Filters(),
                                                  today=today, min_cell=1, per_page=5, page=2)
    assert figures == []  # the nameless figures were read back with the first page's
    assert second.overview == first.overview
    assert second.table.rows != first.table.rows
    assert second == aggregate.dashboard(
        services_national.national_tables(session, questionnaire, cached=False), questionnaire,
        Filters(), today=today, min_cell=1, per_page=5, page=2)


def test_after_a_municipality_is_renamed_the_first_page_is_ready_with_the_new_name(
        app: Flask, client: FlaskClient, session: Session, questionnaire: Questionnaire,
        monkeypatch: pytest.MonkeyPatch):
    assessment = _closed_by_an_admin(app, client, session, questionnaire)
    town = assessment.municipality
    edit = f"/municipalities/{town.public_id}/edit"
    page = client.get(edit).get_data(as_text=True)
    revision = re.search(r'name="revision"[^>]*value="(\d+)"', page)
    assert revision
    saved = post_form(client, edit, {"name": "Renamed town", "country": town.country,
                                     "region": town.region or "", "revision": revision.group(1),
                                     "population_band": town.population_band})
    assert saved.status_code == 302
    session.rollback()  # this session's reads begin after the edit, as a new request's do
    services_national._TABLES.clear()
    monkeypatch.setattr(services_national, "_from_file", lambda *_a: pytest.fail("frames"))
    with use_language("en"):
        kept = _first_page(session, questionnaire, app)
    names = {row.name for row in kept.table.rows}
    assert "Renamed town" in names
    assert "Newtown" not in names
