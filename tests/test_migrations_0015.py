"""Migration 0015 on SQLite and PostgreSQL (`READINESS_TEST_DATABASE_URL`): a tracked plan action
may outlive its round (`assessment_id` NULL, ON DELETE SET NULL), every action and its whole
history survive the upgrade, even through the app's own connection with foreign keys on (a
rebuilt SQLite table would otherwise cascade to the history), and a downgrade that would have
to delete kept actions is refused with nothing changed. Its data step gives links made before
join codes theirs, so the links page no longer writes them on a GET."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import create_engine, make_url, text

from readiness import create_app
from readiness.db import alembic_config, get_db, upgrade
from readiness.tokens import hash_token, join_code, link_key, link_token, new_token

pytestmark = pytest.mark.db

_BASE = os.environ.get("READINESS_TEST_DATABASE_URL")


@pytest.fixture
def old_app(tmp_path: Path) -> Iterator[Flask]:
    """The app on an empty database of its own (a file, or a fresh PostgreSQL database)."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    if _BASE:
        base = make_url(_BASE)
        name = f"{base.database}_migrate_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = base.set(database=name).render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": url,
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    yield app
    get_db(app).dispose()


def _seed(app: Flask) -> None:
    """A municipality with two rounds; an action of each, the first with two history entries."""
    with get_db(app).engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO municipality (id, public_id, name, country, region, population_band, "
            "created_at, revision) VALUES (1, 'm1', 'Gent', 'BE', '', '50k_100k', "
            "'2026-01-01', 1)"))
        for ident in (1, 2):
            conn.execute(text(
                "INSERT INTO assessment (id, public_id, municipality_id, round, conducted_on, "
                "mode, status, questionnaire_id, questionnaire_version, questionnaire_hash, "
                "agencies, workshop_agencies, context, created_at) VALUES (:id, :pid, 1, :id, "
                "'2026-01-01', 'survey', 'closed', 'q', '1.1', 'h', '[]', '[]', '{}', "
                "'2026-01-01')"), {"id": ident, "pid": f"a{ident}"})
            conn.execute(text(
                "INSERT INTO plan_action (id, public_id, municipality_id, assessment_id, action, "
                "title, lead, partners, contact_role, status, drop_reason, notes, links, "
                "created_at, updated_at) VALUES (:id, :pid, 1, :id, 'x', 'Agree a protocol', "
                "'', '[]', '', 'in_progress', '', 'kept notes', '[]', '2026-01-01', "
                "'2026-01-01')"), {"id": ident, "pid": f"p{ident}"})
        for ident, field in ((1, "status"), (2, "notes")):
            conn.execute(text(
                "INSERT INTO plan_event (id, plan_action_id, at, field, before, after) VALUES "
                "(:id, 1, '2026-02-01', :field, 'a', 'b')"), {"id": ident, "field": field})
    if not _BASE:  # the history must outlive the table rebuild on the app's own connections
        with get_db(app).engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def _rows(app: Flask, sql: str) -> list[tuple[object, ...]]:
    with get_db(app).engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]


def test_the_upgrade_keeps_every_action_and_its_history_and_a_deleted_round_detaches_them(
        old_app: Flask):
    upgrade(old_app, "0011")
    _seed(old_app)
    upgrade(old_app)
    assert _rows(old_app, "SELECT id, assessment_id, status, notes FROM plan_action ORDER BY id"
                 ) == [(1, 1, "in_progress", "kept notes"), (2, 2, "in_progress", "kept notes")]
    assert _rows(old_app, "SELECT id, plan_action_id, field FROM plan_event ORDER BY id") == [
        (1, 1, "status"), (2, 1, "notes")]
    columns = {c["name"]: c for c in sa.inspect(get_db(old_app).engine).get_columns(
        "plan_action")}
    assert columns["assessment_id"]["nullable"] is True
    keys = sa.inspect(get_db(old_app).engine).get_foreign_keys("plan_action")
    assert [k["options"].get("ondelete") for k in keys if k["referred_table"] == "assessment"
            ] == ["SET NULL"]
    checks = sa.inspect(get_db(old_app).engine).get_check_constraints("plan_action")
    assert [c["name"] for c in checks] == ["ck_plan_action_status"]
    with get_db(old_app).engine.begin() as conn:  # the database's own rule, as a backstop
        conn.execute(text("DELETE FROM assessment WHERE id = 1"))
    assert _rows(old_app, "SELECT id, assessment_id FROM plan_action ORDER BY id") == [
        (1, None), (2, 2)]
    assert len(_rows(old_app, "SELECT id FROM plan_event")) == 2


def test_a_downgrade_that_would_delete_kept_actions_is_refused_and_changes_nothing(
        old_app: Flask):
    upgrade(old_app, "0011")
    _seed(old_app)
    upgrade(old_app)
    with get_db(old_app).engine.begin() as conn:
        conn.execute(text("UPDATE plan_action SET assessment_id = NULL WHERE id = 1"))
    with pytest.raises(RuntimeError, match="1 tracked plan actions outlived their deleted round"):
        upgrade_to(old_app, "0011")
    assert _rows(old_app, "SELECT version_num FROM alembic_version") == [("0015",)]
    assert len(_rows(old_app, "SELECT id FROM plan_action")) == 2
    with get_db(old_app).engine.begin() as conn:
        conn.execute(text("UPDATE plan_action SET assessment_id = 1 WHERE id = 1"))
    upgrade_to(old_app, "0011")  # nothing kept without a round: the old schema comes back
    assert len(_rows(old_app, "SELECT id FROM plan_event")) == 2
    columns = {c["name"]: c for c in sa.inspect(get_db(old_app).engine).get_columns(
        "plan_action")}
    assert columns["assessment_id"]["nullable"] is False


def upgrade_to(app: Flask, revision: str) -> None:
    """Downgrade the app's database to `revision` through the app's own connection."""
    from alembic import command

    from readiness.db import alembic_config

    config = alembic_config()
    with get_db(app).engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _seed_links(app: Flask) -> dict[str, str]:
    """An open round with links as migration 0017 left them: {public id: what it is}."""
    key = link_key(app.config["SECRET_KEY"])
    links = {"made": ("active", link_token(key, "made"), None),
             "random": ("active", new_token(), None),
             "clash": ("active", link_token(key, "clash"), None),
             "holder": ("active", new_token(), hash_token(join_code(key, "clash"))),
             "withdrawn": ("revoked", link_token(key, "withdrawn"), None)}
    with get_db(app).engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO municipality (id, public_id, name, country, region, population_band, "
            "created_at, revision) VALUES (1, 'm1', 'Gent', 'BE', '', '50k_100k', "
            "'2026-01-01', 1)"))
        conn.execute(text(
            "INSERT INTO assessment (id, public_id, municipality_id, round, conducted_on, mode, "
            "status, questionnaire_id, questionnaire_version, questionnaire_hash, agencies, "
            "workshop_agencies, context, created_at) VALUES (1, 'a1', 1, 1, '2026-01-01', "
            "'survey', 'open', 'q', '1.1', 'h', '[\"police\"]', '[]', '{}', '2026-01-01')"))
        for n, (public_id, (state, token, code_hash)) in enumerate(links.items(), start=1):
            conn.execute(text(
                "INSERT INTO invitation (id, public_id, assessment_id, agency, token_hash, "
                "join_code_hash, state, created_at) VALUES (:id, :pid, 1, 'police', :token, "
                ":code, :state, '2026-01-01')"),
                {"id": n, "pid": public_id, "token": hash_token(token), "code": code_hash,
                 "state": state})
    return {public_id: join_code(key, public_id) for public_id in links}


def test_the_upgrade_gives_each_active_link_made_from_the_key_its_join_code(old_app: Flask):
    upgrade(old_app, "0011")
    codes = _seed_links(old_app)
    upgrade(old_app)
    stored = dict(_rows(old_app, "SELECT public_id, join_code_hash FROM invitation"))
    assert stored == {"made": hash_token(codes["made"]),
                      "random": None,  # its address cannot be made again, nor its code
                      "clash": None,  # an active link has that code already
                      "holder": hash_token(codes["clash"]),
                      "withdrawn": None}
    opened = old_app.test_client().get(f"/j/{codes['made']}")
    assert opened.status_code == 303


def test_an_upgrade_without_the_apps_key_leaves_the_codes_empty_and_fails_nothing(
        old_app: Flask):
    upgrade(old_app, "0011")
    _seed_links(old_app)
    from alembic import command

    command.upgrade(alembic_config(old_app.config["DATABASE_URL"]), "head")  # a bare URL
    assert dict(_rows(old_app, "SELECT public_id, join_code_hash FROM invitation"))["made"] is None
