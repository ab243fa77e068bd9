"""One engine and session factory per app; one session per request, closed at teardown.

SQLite gets WAL, a busy timeout and foreign keys on every connection. Its transactions that
read and then write (every non-GET request, and `begin_write`) start with BEGIN IMMEDIATE, so two
writers queue on the busy timeout instead of failing half-way through an upgrade from reader to
writer. PostgreSQL needs none of this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from readiness import tokens
from readiness.resources import resource_dir

EXTENSION = "readiness.db"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_BEGIN_OPTION = "readiness_sqlite_begin"


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str, busy_timeout_ms: int = 10_000, echo: bool = False,
                 info: dict[str, Any] | None = None) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, echo=echo, future=True)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            _configure_sqlite(self.engine, busy_timeout_ms)
        # `info`: what services may know about where they run (every session's Session.info)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info=info or {})

    def begin_write(self, session: Session) -> None:
        """Make the session's transaction a writer's from its start (BEGIN IMMEDIATE on SQLite).

        Call before the first query of a read-then-write unit of work. A read-only transaction
        already open is ended first; one holding unflushed changes is a programming error.
        """
        if not self.is_sqlite:
            return
        if session.in_transaction():
            conn = session.connection()
            if conn.get_execution_options().get(_BEGIN_OPTION) == "IMMEDIATE":
                return
            if session.new or session.dirty or session.deleted:
                raise RuntimeError("begin_write after changes were made in this transaction")
            session.rollback()
        session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A writing session outside a request (CLI, demo): commit on success, else roll back."""
        with self.sessions() as session:
            self.begin_write(session)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy, not the driver, decides when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def init_app(app: Flask) -> None:
    """Create the app's database handle; commit a successful request's work once, after its
    view; close the request's session at teardown (rolling back whatever was not committed)."""
    info: dict[str, Any] = {}
    if app.config["NATIONAL_FRAMES_CACHE"] and app.config["SECRET_KEY"]:
        # services.frames_file: national frames kept for the next process, signed
        info["national_frames"] = (Path(app.instance_path) / "national-frames",
                                   str(app.config["SECRET_KEY"]).encode("utf-8"))
    app.extensions[EXTENSION] = Database(app.config["DATABASE_URL"],
                                         busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
                                         echo=app.config["SQL_ECHO"], info=info)
    app.after_request(_commit_request)
    app.teardown_appcontext(_close_session)


def keep_writes() -> None:
    """Commit this request's writes even though it answers with an error status.

    For the few requests whose error answer must still record something: a failed sign-in
    (the failure counts towards a lock-out), a survey page saved with some answers still to fix.
    """
    g.db_keep_writes = True


def after_commit(callback: Callable[[], None]) -> None:
    """Call `callback` once this request's work is committed (not at all if it is not): for
    background work that must read what the request wrote, such as queued tasks."""
    g.setdefault("db_after_commit", []).append(callback)


def _commit_request(response: Response) -> Response:
    """The one commit of a request: its work when it succeeded (status below 400), else none
    (teardown rolls back), unless the view asked to `keep_writes`. A view that refused a use case
    but still answers below 400 rolls the session back itself."""
    session: Session | None = g.get("db_session")
    if session is not None and (response.status_code < 400 or g.get("db_keep_writes")):
        session.commit()
        for callback in g.pop("db_after_commit", []):
            try:
                callback()
            except Exception:  # the work is committed: a failed follow-up must not undo the answer
                current_app.logger.exception("work after a commit failed")
    return response


def get_db(app: Flask | None = None) -> Database:
    """The database handle of `app` (the current app by default)."""
    database: Database = (app or current_app).extensions[EXTENSION]
    return database


def get_session() -> Session:
    """The session of the current app context, opened on first use.

    In a request that may write (any method but GET, HEAD, OPTIONS) the transaction begins as a
    writer's, so the request's reads and writes form one serialisable unit on SQLite too.
    """
    if "db_session" not in g:
        database = get_db()
        session = database.sessions()
        g.db_session = session
        if has_request_context() and request.method not in SAFE_METHODS:
            database.begin_write(session)
    session_: Session = g.db_session
    return session_


def begin_write() -> Session:
    """The current session, its transaction now a writer's (for a GET that records something)."""
    session = get_session()
    get_db().begin_write(session)
    return session


def _close_session(exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the shipped migrations (the app's URL unless given)."""
    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    if url is not None:
        config.attributes["url"] = url
    return config


def schema_behind(app: Flask) -> str | None:
    """None when the app's database schema is current, else a sentence saying what to run."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with get_db(app).engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current == heads:
        return None
    if not current:
        return ("The database has no tables yet: run `readiness db upgrade` (or `readiness "
                "serve`) first.")
    return (f"The database schema is behind this version (at {', '.join(sorted(current))}, "
            f"needs {', '.join(sorted(heads))}): run `readiness db upgrade` first.")


def upgrade(app: Flask, revision: str = "head") -> None:
    """Create or upgrade the app's database schema by running the migrations (with the key
    invitation links are made from, for data steps that make their join codes)."""
    database = get_db(app)
    config = alembic_config()
    if app.config["SECRET_KEY"]:
        config.attributes["link_key"] = tokens.link_key(app.config["SECRET_KEY"])
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
