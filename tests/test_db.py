"""The database layer: migrations match the models, SQLite pragmas, writers begin immediately."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect, text

from readiness.db import get_db, get_session
from readiness.models import Base


def test_migrations_create_every_table_of_the_models(app: Flask):
    engine = get_db(app).engine
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_models_and_migrations_do_not_differ(app: Flask):
    with get_db(app).engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(app: Flask):
    database = get_db(app)
    if not database.is_sqlite:
        pytest.skip("SQLite only")
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2000


def test_a_request_that_may_write_holds_the_write_lock_from_its_start(app: Flask):
    database = get_db(app)
    if not database.is_sqlite:
        pytest.skip("SQLite only")
    with app.test_request_context("/", method="POST"):
        session = get_session()
        session.execute(text("SELECT 1"))
        with database.engine.connect() as other:
            other.exec_driver_sql("PRAGMA busy_timeout=0")
            with pytest.raises(Exception, match="locked"):
                other.exec_driver_sql("BEGIN IMMEDIATE")


def test_a_reading_request_does_not_block_writers(app: Flask):
    database = get_db(app)
    with app.test_request_context("/", method="GET"):
        session = get_session()
        session.execute(text("SELECT 1"))
        with database.write_session() as other:
            other.execute(text("SELECT 1"))


def test_teardown_closes_the_request_session(app: Flask):
    with app.test_request_context("/"):
        session = get_session()
        session.execute(text("SELECT 1"))
        assert session.in_transaction()
    assert not session.in_transaction()


def _writer_app(app: Flask) -> Flask:
    """The app with a route that writes a municipality, then answers as told."""
    from flask import abort

    from readiness.db import keep_writes
    from readiness.models import Municipality

    @app.post("/_test/write/<outcome>")
    def write(outcome: str) -> tuple[str, int]:
        get_session().add(Municipality(name=f"M {outcome}", country="BE", region="",
                                       population_band="under_10k"))
        get_session().flush()
        if outcome == "raise":
            raise RuntimeError("the view failed half-way")
        if outcome == "abort":
            abort(409)
        if outcome == "kept":
            keep_writes()
            return "refused, but recorded", 401
        return "done", 400 if outcome == "refused" else 200

    return app


@pytest.mark.parametrize(("outcome", "stored"), [
    ("ok", True), ("refused", False), ("abort", False), ("raise", False), ("kept", True)])
def test_a_request_commits_once_and_only_when_it_succeeded(app: Flask, outcome: str,
                                                            stored: bool):
    from sqlalchemy import func, select

    from readiness.models import Municipality

    _writer_app(app)
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.test_client().post(f"/_test/write/{outcome}")
    with app.app_context():
        count = get_session().scalar(select(func.count()).select_from(Municipality))
    assert count == (1 if stored else 0)
