"""`readiness backup` and `readiness restore` (SQLite, or pg_dump on PostgreSQL): a round trip
gives back the same API answers and exports; a file that is not a backup is refused and changes
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from readiness.cli.main import main
from readiness.models import AuditEvent, Municipality
from tests.national_web import make_country
from tests.web_helpers import FAST_HASH, login


@pytest.fixture
def cli(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose commands use the test app's database, through the environment."""
    monkeypatch.setenv("READINESS_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("READINESS_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.setenv("READINESS_PASSWORD_HASH_METHOD", FAST_HASH)
    return CliRunner()


def _answers(app: Flask, token: str) -> tuple[bytes, bytes]:
    """The API's municipalities and the national CSV export, as bytes."""
    api = app.test_client().get("/api/v1/municipalities",
                                headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    browser = app.test_client()
    login(browser, "national")
    export = browser.get("/dashboard/export.csv")
    assert export.status_code == 200
    return api.data, export.data


def test_a_backup_restored_over_a_damaged_database_gives_the_same_answers(
        app: Flask, cli: CliRunner, session: Session, tmp_path: Path):
    country = make_country(session)
    before = _answers(app, country.coordinator_token)
    out = tmp_path / "backup.sqlite"
    made = cli.invoke(main, ["backup", "--out", str(out)])
    assert made.exit_code == 0, made.output
    session.rollback()  # a fresh transaction, after the backup's own audit event
    session.execute(update(Municipality).values(name=Municipality.name + " (damaged)"))
    session.commit()
    assert _answers(app, country.coordinator_token) != before
    restored = cli.invoke(main, ["restore", str(out), "--yes"])
    assert restored.exit_code == 0, restored.output
    session.rollback()
    assert _answers(app, country.coordinator_token) == before
    actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.index("backup_made") < actions.index("backup_restored")


def test_restoring_a_file_that_is_not_a_backup_is_refused_and_changes_nothing(
        app: Flask, cli: CliRunner, session: Session, tmp_path: Path):
    country = make_country(session)
    count = session.scalar(select(func.count()).select_from(Municipality))
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("not a database", encoding="utf-8")
    refused = cli.invoke(main, ["restore", str(bogus), "--yes"])
    assert refused.exit_code != 0
    assert "is not a MAW Readiness" in refused.output  # SQLite or PostgreSQL backup, by the URL
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Municipality)) == count
    assert country.municipality_id


def test_a_backup_never_overwrites_a_file(cli: CliRunner, tmp_path: Path):
    taken = tmp_path / "taken.sqlite"
    taken.write_text("keep me", encoding="utf-8")
    assert cli.invoke(main, ["backup", "--out", str(taken)]).exit_code != 0
    assert taken.read_text(encoding="utf-8") == "keep me"
