"""The web commands: serve (with the demo), db upgrade, user create/assign, assessment create."""

from __future__ import annotations

import json
import re
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.cli import web as web_cli
from readiness.cli.main import main
from readiness.models import Assessment, Municipality, Role, Status, User
from tests.web_helpers import FAST_HASH, fresh, login, make_municipality, make_user


@pytest.fixture
def cli(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose commands use the test app's database, through the environment."""
    monkeypatch.setenv("READINESS_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("READINESS_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.setenv("READINESS_PASSWORD_HASH_METHOD", FAST_HASH)
    monkeypatch.delenv("READINESS_SECRET_KEY", raising=False)
    monkeypatch.setattr(web_cli, "run_server", lambda *args: None)
    monkeypatch.setattr(web_cli, "_start_worker", lambda app: None)
    return CliRunner()


def test_serve_demo_prints_a_login_per_role_and_an_open_link(
        cli: CliRunner, app: Flask, session: Session):
    started = time.monotonic()
    result = cli.invoke(main, ["serve", "--demo", "--port", "5123"])
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 10
    for role in Role:
        assert re.search(rf"^\s+{role.value}\s+\S+\s+\S{{12,}}$", result.output, re.M), role
    link = re.search(r"http://127\.0\.0\.1:5123(/s/[\w-]+)", result.output)
    assert link is not None
    assert "Start now" in app.test_client().get(link.group(1)).get_data(as_text=True)
    closed = session.scalar(select(func.count()).select_from(Assessment)
                            .where(Assessment.status == Status.CLOSED))
    assert closed is not None
    assert closed >= 4
    admin = re.search(r"admin\s+(admin)\s+(\S+)$", result.output, re.M)
    assert admin is not None
    client = app.test_client()
    login(client, admin.group(1), admin.group(2))
    assert "Kallioniemi" in client.get("/").get_data(as_text=True)


def test_serve_demo_runs_again_on_the_same_database(cli: CliRunner, session: Session):
    assert cli.invoke(main, ["serve", "--demo"]).exit_code == 0
    again = cli.invoke(main, ["serve", "--demo"])
    assert again.exit_code == 0, again.output
    assert session.scalar(select(func.count()).select_from(Municipality)) == 4
    assert session.scalar(select(func.count()).select_from(User)) == 4


def test_serve_creates_the_sqlite_database_and_a_private_secret_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    instance = tmp_path / "fresh"
    monkeypatch.setenv("READINESS_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("READINESS_DATABASE_URL", raising=False)
    monkeypatch.delenv("READINESS_SECRET_KEY", raising=False)
    monkeypatch.setattr(web_cli, "run_server", lambda *args: None)
    monkeypatch.setattr(web_cli, "_start_worker", lambda app: None)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.output
    assert (instance / "readiness.sqlite").is_file()
    key = instance / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text()) >= 32


def test_user_create_makes_each_role(cli: CliRunner, session: Session):
    make_municipality(session, "Gent")
    for args in (["ada", "--role", "admin"], ["nat", "--role", "national_coordinator"],
                 ["adv", "--role", "advisor", "--municipality", "gent"],
                 ["coord", "--role", "municipality_coordinator", "--municipality", "Gent"]):
        result = cli.invoke(main, ["user", "create", *args, "--password", "long enough pass"])
        assert result.exit_code == 0, result.output
    fresh(session)
    users = {u.username: u for u in session.scalars(select(User))}
    assert users["coord"].municipality is not None
    assert [m.name for m in users["adv"].assigned] == ["Gent"]


def test_user_create_names_the_person_and_refuses_a_direction_control(
        cli: CliRunner, session: Session):
    result = cli.invoke(main, ["user", "create", "ada", "--role", "advisor", "--password",
                               "long enough pass", "--name", "Ada Peeters", "--organisation",
                               "Team North", "--email", "ada@example.org"])
    assert result.exit_code == 0, result.output
    fresh(session)
    ada = session.scalar(select(User).where(User.username == "ada"))
    assert ada is not None
    assert (ada.display_name, ada.organisation, ada.email) == (
        "Ada Peeters", "Team North", "ada@example.org")
    bad = cli.invoke(main, ["user", "create", "bo", "--role", "advisor", "--password",
                            "long enough pass", "--name", "Bo\u202egnp.exe"])
    assert bad.exit_code != 0
    assert "U+202E" in bad.output
    fresh(session)
    assert session.scalar(select(User).where(User.username == "bo")) is None


def test_user_create_asks_for_the_password_twice_and_refuses_bad_input(cli: CliRunner):
    prompted = cli.invoke(main, ["user", "create", "ada", "--role", "admin"],
                          input="long enough pass\nlong enough pass\n")
    assert prompted.exit_code == 0, prompted.output
    taken = cli.invoke(main, ["user", "create", "ada", "--role", "admin",
                              "--password", "long enough pass"])
    assert taken.exit_code != 0
    assert "taken" in taken.output
    lonely = cli.invoke(main, ["user", "create", "bo", "--role", "municipality_coordinator",
                               "--password", "long enough pass"])
    assert "needs a municipality" in lonely.output


def test_user_assign_gives_an_advisor_a_municipality(cli: CliRunner, session: Session):
    make_user(session, "adv", Role.ADVISOR)
    make_municipality(session, "Gent")
    result = cli.invoke(main, ["user", "assign", "adv", "--municipality", "Gent"])
    assert result.exit_code == 0, result.output
    fresh(session)
    user = session.scalar(select(User).where(User.username == "adv"))
    assert user is not None
    assert [m.name for m in user.assigned] == ["Gent"]


def test_assessment_create_prints_one_working_link_per_agency_as_json(
        cli: CliRunner, app: Flask, session: Session):
    make_municipality(session, "Gent")
    result = cli.invoke(main, ["assessment", "create", "--municipality", "Gent",
                               "--agencies", "police,health,education", "--json",
                               "--base-url", "https://maw.example"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["municipality"]["name"] == "Gent"
    assert document["assessment"]["round"] == 1
    assert [link["agency"] for link in document["links"]] == ["police", "health", "education"]
    client = app.test_client()
    for link in document["links"]:
        assert link["url"].startswith("https://maw.example/s/")
        assert client.get(link["url"].removeprefix("https://maw.example")).status_code == 200


def test_assessment_create_for_an_unknown_municipality_says_how_to_create_it(
        cli: CliRunner, session: Session):
    missing = cli.invoke(main, ["assessment", "create", "--municipality", "Nowhere",
                                "--agencies", "police"])
    assert missing.exit_code != 0
    assert "--country CC --population BAND" in missing.output
    created = cli.invoke(main, ["assessment", "create", "--municipality", "Nowhere",
                                "--agencies", "police", "--country", "fi",
                                "--population", "under_10k"])
    assert created.exit_code == 0, created.output
    assert "/s/" in created.output
    assert session.scalar(select(Municipality.country)) == "FI"


def test_assessment_create_refuses_unknown_agencies(cli: CliRunner, session: Session):
    make_municipality(session, "Gent")
    result = cli.invoke(main, ["assessment", "create", "--municipality", "Gent",
                               "--agencies", "police,spies"])
    assert result.exit_code != 0
    assert "Unknown agencies: spies" in result.output


def test_db_upgrade_is_idempotent(cli: CliRunner):
    for _ in range(2):
        result = cli.invoke(main, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "up to date" in result.output
