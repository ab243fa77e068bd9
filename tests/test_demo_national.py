"""`readiness demo --municipalities N`: a plausible country, scored by the real engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, inspect, select
from sqlalchemy.orm import Session

from readiness.cli.main import main
from readiness.models import Assessment, AssessmentFinding, Municipality, Response, Score
from readiness.services import assessments as services

pytestmark = pytest.mark.db


def _upgrade(url: str) -> None:
    result = CliRunner().invoke(main, ["db", "upgrade", "--database", url])
    assert result.exit_code == 0, result.output


def test_only_serve_and_db_upgrade_touch_the_schema(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    monkeypatch.setenv("READINESS_INSTANCE_PATH", str(tmp_path / "instance"))
    for command in (["api-token", "list"], ["demo", "--municipalities", "2"]):
        result = CliRunner().invoke(main, [*command, "--database", url])
        assert result.exit_code == 1
        assert "run `readiness db upgrade`" in result.output
    engine = create_engine(url)
    with engine.connect() as connection:
        assert not inspect(connection).get_table_names()  # nothing was created behind our back
    engine.dispose()
    _upgrade(url)
    result = CliRunner().invoke(main, ["api-token", "list", "--database", url])
    assert result.exit_code == 0, result.output


def test_demo_fills_a_country_with_regions_bands_and_two_rounds(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    monkeypatch.setenv("READINESS_INSTANCE_PATH", str(tmp_path / "instance"))
    _upgrade(url)
    result = CliRunner().invoke(main, ["demo", "--municipalities", "40", "--seed", "3",
                                       "--database", url])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created 40 municipalities in BE")
    engine = create_engine(url)
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(Municipality)) == 40
        assert len(set(db.scalars(select(Municipality.region)))) >= 5
        assert len(set(db.scalars(select(Municipality.population_band)))) >= 3
        rounds = set(db.scalars(select(Assessment.round)))
        assert rounds == {1, 2}
        closed = db.scalars(select(Assessment).order_by(Assessment.id)).all()
        assert db.scalar(select(func.count()).select_from(Score)) == 5 * len(closed)
        assert db.scalar(select(func.count()).select_from(AssessmentFinding)) > 0
        assert db.scalar(select(func.count()).select_from(Response)) == 12 * len(closed)
        # the stored scores are what the scoring engine makes of the stored answers
        for assessment in closed[:3]:
            _, rescored, _ = services.score_assessment(db, assessment)
            stored = {s.dimension: s.score for s in assessment.scores}
            assert stored == {d.id: d.score for d in rescored.dimensions}
    engine.dispose()


def test_the_same_seed_gives_the_same_country(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("READINESS_INSTANCE_PATH", str(tmp_path / "instance"))
    names = []
    for run in ("a", "b"):
        url = f"sqlite:///{tmp_path / run}.sqlite"
        _upgrade(url)
        result = CliRunner().invoke(main, ["demo", "--municipalities", "8", "--seed", "5",
                                           "--database", url])
        assert result.exit_code == 0, result.output
        engine = create_engine(url)
        with Session(engine) as db:
            names.append(sorted(db.scalars(select(Municipality.name))))
        engine.dispose()
    assert names[0] == names[1]


def test_a_bad_country_code_is_refused(tmp_path: Path):
    result = CliRunner().invoke(main, ["demo", "--municipalities", "2", "--country", "Belgium",
                                       "--database", f"sqlite:///{tmp_path / 'x.sqlite'}"])
    assert result.exit_code == 2
    assert "two-letter country code" in result.output
