"""One append-only audit log: every security- and data-relevant event, written in one place,
read by admins in the browser (filters, CSV) and on the command line, with its own retention."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

import readiness
from readiness.cli.main import main
from readiness.models import AuditEvent, Role
from readiness.services import audit
from tests.web_helpers import (
    FAST_HASH,
    PASSWORD,
    csrf_from,
    link_sizes,
    login,
    make_municipality,
    make_user,
    post_form,
    recorded_workshop,
)


@pytest.fixture
def cli(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose commands use the test app's database, through the environment."""
    monkeypatch.setenv("READINESS_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("READINESS_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.setenv("READINESS_PASSWORD_HASH_METHOD", FAST_HASH)
    return CliRunner()


def events(session: Session) -> list[AuditEvent]:
    """Every event, oldest first, read afresh (a new transaction sees the app's commits)."""
    session.rollback()
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_sign_in_failures_and_sign_out_are_audited_with_address_never_the_typed_text(
        client: FlaskClient, session: Session):
    ada = make_user(session, "ada")
    for username in ("ada", "my secret password"):
        post_form(client, "/login", {"username": username, "password": "wrong"},
                  environ_base={"REMOTE_ADDR": "192.0.2.5"})
    login(client, "ada")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    found = events(session)
    assert [e.action for e in found] == ["sign_in_failed", "sign_in_failed", "sign_in",
                                         "sign_out"]
    assert (found[0].object_id, found[0].address, found[0].source) == (
        ada.public_id, "192.0.2.5", "web")
    assert found[1].detail == "unknown username"
    assert all("secret" not in f"{e.detail}{e.actor}{e.object_id}" for e in found)
    assert (found[2].actor, found[3].actor) == ("ada", "ada")


def test_rounds_links_and_closing_are_audited(client: FlaskClient, session: Session):
    advisor = make_user(session, "adv", Role.ADVISOR)
    town = make_municipality(session, advisor=advisor)
    login(client, "adv")
    started = post_form(client, f"/municipalities/{town.public_id}/assessments/new",
                        {"conducted_on": "2026-04-01", "mode": "survey",
                         "agencies": ["police", "health"], **link_sizes("police", "health")})
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    token = csrf_from(page)
    round_id = started.headers["Location"].removesuffix("/links").rsplit("/", 1)[-1]
    made = client.post(f"/assessments/{round_id}/invitations",
                       data={"csrf_token": token, "agency": "police", "capacity": "4"})
    assert made.status_code == 302  # a link states how many it was sent to
    link = next(e for e in events(session) if e.action == "invitation_created").object_id
    client.post(f"/invitations/{link}/revoke", data={"csrf_token": token})
    actions = [e.action for e in events(session) if e.actor == "adv"]
    assert actions[-3:] == ["assessment_created", "invitation_created", "invitation_revoked"]
    assert events(session)[0].action == "municipality_created"


def test_closing_a_round_is_audited(client: FlaskClient, session: Session):
    workshop = recorded_workshop(session)
    make_user(session, "root")
    login(client, "root")
    closed = post_form(client, f"/assessments/{workshop.public_id}/close")
    assert closed.status_code == 302
    last = events(session)[-1]
    assert (last.action, last.object_id, last.actor) == (
        "assessment_closed", workshop.public_id, "root")


def test_command_line_actions_are_audited_as_such(cli: CliRunner, session: Session):
    made = cli.invoke(main, ["user", "create", "nat", "--role", "national_coordinator",
                             "--password", PASSWORD])
    assert made.exit_code == 0, made.output
    token = cli.invoke(main, ["api-token", "create", "nat", "--name", "stats"])
    assert token.exit_code == 0, token.output
    found = [e for e in events(session) if e.source == "cli"]
    assert [e.action for e in found] == ["user_created", "api_token_created"]
    assert all(e.actor.startswith("cli:") for e in found)


def test_an_event_cannot_be_rewritten_and_keeps_its_actor_after_the_user_goes(
        session: Session):
    ada = make_user(session, "ada")
    audit.record(session, ada, "sign_in", object_type="user", object_id=ada.public_id)
    session.commit()
    with pytest.raises(Exception, match="append-only"):
        session.execute(text("UPDATE audit_event SET action = 'nothing'"))
    session.rollback()
    session.delete(ada)
    session.commit()
    [event] = events(session)
    assert (event.user_id, event.actor, event.action) == (None, "ada", "sign_in")


def test_only_the_audit_service_writes_events():
    root = Path(readiness.__file__).parent
    writers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if re.search(r"(?<!class )AuditEvent\(", p.read_text(encoding="utf-8")))
    assert writers == ["services/audit.py"]


def test_admins_filter_the_log_and_export_it_with_neutralised_cells(
        app: Flask, client: FlaskClient, session: Session):
    make_user(session, "root")
    make_user(session, "=cmd|' /C calc'!A0", Role.ADVISOR)
    login(app.test_client(), "=cmd|' /C calc'!A0")
    login(client, "root")
    page = client.get("/audit/?action=sign_in")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<tr>") == 1 + 2  # header, two sign-ins
    assert client.get("/audit/?since=yesterday").status_code == 400
    exported = client.get("/audit/export.csv?action=sign_in")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    # usernames are lower case; the formula-like one is neutralised
    assert {row["actor"] for row in rows} == {"root", "'=cmd|' /c calc'!a0"}
    assert [e.action for e in events(session)][-2:] == ["view_audit_log", "export_audit_log"]


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.NATIONAL_COORDINATOR])
def test_other_roles_may_not_open_the_audit_log(client: FlaskClient, session: Session,
                                                role: Role):
    make_user(session, "someone", role)
    login(client, "someone")
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_the_command_line_prints_the_log_since_a_day_and_applies_its_retention(
        cli: CliRunner, session: Session, monkeypatch: pytest.MonkeyPatch):
    old = audit.record(session, None, "sign_in_failed", detail="unknown username")
    old.at = datetime.now(UTC) - timedelta(days=400)
    audit.record(session, None, "sign_in_failed", detail="recent")
    session.commit()
    since = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    listed = cli.invoke(main, ["audit", "--since", since, "--json"])
    assert listed.exit_code == 0, listed.output
    assert [e["detail"] for e in json.loads(listed.output)["events"]] == ["recent"]
    assert cli.invoke(main, ["audit", "--purge"]).exit_code != 0  # no retention set
    monkeypatch.setenv("READINESS_AUDIT_RETENTION_DAYS", "365")
    purged = cli.invoke(main, ["audit", "--purge"])
    assert "Removed 1 audit events" in purged.output
    assert [e.detail for e in events(session)] == ["recent", "1 events before " + (
        datetime.now(UTC) - timedelta(days=365)).date().isoformat()]
