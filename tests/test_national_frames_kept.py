"""National frames kept across a restart, and figures kept for unchanged frames, are never stale.

The instance folder keeps the frames a process read (signed with the secret key) so the next
process does not read every stored score; figures worked out from a set of frames are kept per
filters and language until new data makes new frames.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from readiness import create_app
from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.db import get_db
from readiness.demo.national import build_demo
from readiness.models import Municipality
from readiness.national import aggregate
from readiness.national.aggregate import Filters
from readiness.services import assessments as services
from readiness.services import frames_file
from readiness.services import national as services_national
from readiness.translate import use_language
from tests.web_helpers import add_responses, make_assessment, make_municipality

pytestmark = pytest.mark.db
TODAY = date(2026, 11, 27)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which database reads `national_tables` made: all, added, municipalities."""
    made: list[str] = []

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def read(*args: Any, **kwargs: Any) -> Any:
            made.append(name)
            return real(*args, **kwargs)
        return read

    for attribute, name in (("load_records", "all"), ("load_closed_after", "added"),
                            ("load_municipalities", "municipalities")):
        monkeypatch.setattr(services_national, attribute,
                            counting(name, getattr(services_national, attribute)))
    return made


def restart() -> None:
    """What a new process starts with: no frames in memory."""
    services_national._TABLES.clear()


def dashboard(db: Session, q: Questionnaire, **kwargs: Any) -> aggregate.Dashboard:
    """The dashboard's figures over the kept frames."""
    return aggregate.dashboard(services_national.national_tables(db, q), q, Filters(),
                               today=TODAY, min_cell=1, **kwargs)


def fresh_dashboard(db: Session, q: Questionnaire, **kwargs: Any) -> aggregate.Dashboard:
    """The dashboard's figures from frames read whole from the database now."""
    return aggregate.dashboard(services_national.national_tables(db, q, cached=False), q,
                               Filters(), today=TODAY, min_cell=1, **kwargs)


def frame_files(app: Flask) -> list[Path]:
    """The frame files in the app's instance folder."""
    return sorted((Path(app.instance_path) / "national-frames").glob("*.frames"))


def test_a_restarted_process_reads_no_scores_and_shows_the_same_dashboard(
        app: Flask, session: Session, questionnaire: Questionnaire, reads: list[str]):
    build_demo(session, questionnaire, 12, seed=3, country="BE", today=TODAY)
    session.commit()
    before = dashboard(session, questionnaire)
    assert reads == ["all"]
    assert len(frame_files(app)) == 1
    restart()
    assert dashboard(session, questionnaire) == before
    assert reads == ["all"]  # from the instance folder: no read of the database's scores


def test_after_a_restart_newly_closed_and_renamed_are_read_alone_and_shown(
        app: Flask, session: Session, questionnaire: Questionnaire, reads: list[str]):
    build_demo(session, questionnaire, 12, seed=4, country="BE", today=TODAY)
    town = make_municipality(session, "Newtown")
    assessment, _ = make_assessment(session, town)
    add_responses(session, assessment, "police", 3, "disagree")
    add_responses(session, assessment, "health", 3, "agree")
    dashboard(session, questionnaire)
    restart()
    services.close_assessment(session, assessment)
    town.name = "Renamed town"
    session.commit()

    after = dashboard(session, questionnaire)
    assert reads == ["all", "added", "municipalities"]
    names = {row.name for row in after.table.rows}
    assert "Renamed town" in names
    assert "Newtown" not in names
    assert after == fresh_dashboard(session, questionnaire)


def test_a_file_signed_with_another_key_or_altered_is_never_read(
        app: Flask, session: Session, questionnaire: Questionnaire, reads: list[str]):
    build_demo(session, questionnaire, 12, seed=5, country="BE", today=TODAY)
    session.commit()
    dashboard(session, questionnaire)
    restart()
    other = create_app({**app.config, "SECRET_KEY": "another key, another app",
                        "INSTANCE_PATH": app.instance_path})
    with get_db(other).sessions() as elsewhere:
        services_national.national_tables(elsewhere, questionnaire)
    get_db(other).dispose()
    assert reads == ["all", "all"]  # the file was not this key's: read from the database

    restart()
    path = frame_files(app)[0]  # now written with the other key: write ours again
    path.unlink()
    dashboard(session, questionnaire)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    restart()
    assert dashboard(session, questionnaire) == fresh_dashboard(session, questionnaire)
    assert reads == ["all", "all", "all", "all", "all"]  # altered: refused, read again


def test_the_cache_in_the_instance_folder_can_be_turned_off(
        app: Flask, tmp_path: Path, questionnaire: Questionnaire):
    off = create_app({**app.config, "NATIONAL_FRAMES_CACHE": False,
                      "INSTANCE_PATH": str(tmp_path / "off")})
    with get_db(off).sessions() as db:
        assert frames_file.location(db, "any") is None
        services_national.national_tables(db, questionnaire)
    get_db(off).dispose()
    assert not (tmp_path / "off" / "national-frames").exists()


def test_kept_figures_follow_the_language_filters_and_new_data(
        session: Session, questionnaire: Questionnaire):
    build_demo(session, questionnaire, 12, seed=6, country="BE", today=TODAY)
    town = make_municipality(session, "Latetown")
    assessment, _ = make_assessment(session, town)
    add_responses(session, assessment, "police", 3, "agree")
    session.commit()
    english = dashboard(session, questionnaire)
    assert dashboard(session, questionnaire) is english  # kept: no pandas the second time
    with use_language("fr"):
        french_q = get_questionnaire(language="fr")
        french = dashboard(session, french_q)
    assert french.dimensions[0].title != english.dimensions[0].title
    assert french.dimensions[0].title == french_q.doc.dimensions[0].title
    by_score = dashboard(session, questionnaire, sort="overall", descending=True)
    assert by_score.table.rows != english.table.rows
    assert by_score.table.rows[0].overall == max(r.overall for r in english.table.rows
                                                 if r.overall is not None)

    services.close_assessment(session, assessment)
    session.commit()
    after = dashboard(session, questionnaire)
    assert after.overview != english.overview
    assert after == fresh_dashboard(session, questionnaire)


def kept_dashboard(db: Session, q: Questionnaire) -> aggregate.Dashboard:
    """The dashboard as its page asks for it (figures kept in the instance folder too)."""
    return services_national.national_dashboard(db, q, Filters(), today=TODAY, min_cell=1,
                                                sort="overall", descending=True)


@pytest.fixture
def worked_out(monkeypatch: pytest.MonkeyPatch) -> list[Filters]:
    """The filters each dashboard was worked out for (not read back)."""
    made: list[Filters] = []
    real = aggregate._dashboard

    def counting(t: aggregate.Tables, q: Questionnaire, filters: Filters,
                 *args: Any) -> aggregate.Dashboard:
        made.append(filters)
        return real(t, q, filters, *args)

    monkeypatch.setattr(aggregate, "_dashboard", counting)
    return made


def test_a_restarted_process_reads_the_dashboard_figures_back_instead_of_working_them_out(
        app: Flask, session: Session, questionnaire: Questionnaire, worked_out: list[Filters]):
    build_demo(session, questionnaire, 12, seed=7, country="BE", today=TODAY)
    session.commit()
    before = kept_dashboard(session, questionnaire)
    assert len(worked_out) == 1
    restart()
    assert kept_dashboard(session, questionnaire) == before
    assert len(worked_out) == 1
    with use_language("fr"):  # kept per language: French is worked out, not read back
        french = kept_dashboard(session, get_questionnaire(language="fr"))
    assert len(worked_out) == 2
    assert french.dimensions[0].title != before.dimensions[0].title


def test_kept_dashboard_figures_of_older_data_or_other_code_are_worked_out_again(
        app: Flask, session: Session, questionnaire: Questionnaire, worked_out: list[Filters],
        monkeypatch: pytest.MonkeyPatch):
    build_demo(session, questionnaire, 12, seed=8, country="BE", today=TODAY)
    town = make_municipality(session, "Latetown")
    assessment, _ = make_assessment(session, town)
    add_responses(session, assessment, "police", 3, "agree")
    session.commit()
    before = kept_dashboard(session, questionnaire)
    restart()
    services.close_assessment(session, assessment)
    session.commit()
    after = kept_dashboard(session, questionnaire)
    assert len(worked_out) == 2
    assert after.overview != before.overview
    assert after == aggregate.dashboard(
        services_national.national_tables(session, questionnaire, cached=False), questionnaire,
        Filters(), today=TODAY, min_cell=1, sort="overall", descending=True)

    restart()  # an upgrade: the same data, other aggregation code or translations
    monkeypatch.setattr(services_national, "_code_mark", lambda: ("another release",))
    made = len(worked_out)
    assert kept_dashboard(session, questionnaire) == after
    assert len(worked_out) == made + 1


@pytest.fixture
def nameless(monkeypatch: pytest.MonkeyPatch) -> list[Filters]:
    """The filters the dashboard's nameless figures were worked out for."""
    made: list[Filters] = []
    real = aggregate._figures

    def counting(sel: aggregate.Selection, *args: Any) -> Any:
        made.append(sel.filters)
        return real(sel, *args)

    monkeypatch.setattr(aggregate, "_figures", counting)
    return made


def test_a_renamed_municipality_is_shown_by_its_new_name_and_nameless_figures_are_kept(
        session: Session, questionnaire: Questionnaire, nameless: list[Filters]):
    build_demo(session, questionnaire, 12, seed=9, country="BE", today=TODAY)
    session.commit()
    before = dashboard(session, questionnaire, per_page=100)
    town = session.get(Municipality, 1)
    assert town is not None
    old_name = town.name
    services.update_municipality(session, town, name="Zz renamed", country=town.country,
                                 region=town.region or "", population_band=town.population_band)
    session.commit()
    after = dashboard(session, questionnaire, per_page=100)
    assert len(nameless) == 1  # the overview, distributions, breakdowns: not worked out again
    names = [row.name for row in after.table.rows]
    assert "Zz renamed" in names
    assert old_name not in names
    assert names == sorted(names, key=str)  # by name: the renamed one moved
    assert after == fresh_dashboard(session, questionnaire, per_page=100)
    assert after.overview == before.overview
    assert after.regions == before.regions


def test_a_municipality_moved_to_another_region_is_counted_there(
        session: Session, questionnaire: Questionnaire, nameless: list[Filters]):
    build_demo(session, questionnaire, 12, seed=10, country="BE", today=TODAY)
    session.commit()
    dashboard(session, questionnaire)
    town = session.get(Municipality, 1)
    assert town is not None
    services.update_municipality(session, town, name=town.name, country=town.country,
                                 region="Elsewhere", population_band=town.population_band)
    session.commit()
    after = dashboard(session, questionnaire)
    assert len(nameless) == 2  # places changed: every figure worked out again
    assert "Elsewhere" in [row.key for row in after.regions]
    assert after == fresh_dashboard(session, questionnaire)


def test_a_process_that_brought_the_file_up_to_date_writes_it_back_for_the_next(
        session: Session, questionnaire: Questionnaire, reads: list[str]):
    build_demo(session, questionnaire, 12, seed=11, country="BE", today=TODAY)
    town = make_municipality(session, "Latetown")
    assessment, _ = make_assessment(session, town)
    add_responses(session, assessment, "police", 3, "agree")
    session.commit()
    dashboard(session, questionnaire)
    services.close_assessment(session, assessment)
    session.commit()
    dashboard(session, questionnaire)  # a running process: the file is not written again
    restart()
    after = dashboard(session, questionnaire)
    assert reads == ["all", "added", "added"]
    restart()
    assert dashboard(session, questionnaire) == after
    assert reads == ["all", "added", "added"]  # the file was up to date
