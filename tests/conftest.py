"""Fixtures for database-backed tests: app, client, session, questionnaire.

The app runs on a fresh SQLite file per test (a copy of one migrated template), or, when
READINESS_TEST_DATABASE_URL is set, on that database (PostgreSQL in CI): migrated once per
session, emptied before each test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from readiness import create_app
from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.db import get_db, upgrade
from readiness.models import Base


def _worker_database(url: str | None) -> str | None:
    """The test database of this pytest-xdist worker: `<db>_gw0`, `<db>_gw1`... (created here),
    so parallel workers never empty each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


# Property tests: `HYPOTHESIS_PROFILE=ci` (set by .ci/test) derandomizes them, so CI runs the
# same examples every time; locally each run draws new ones (and remembers failures).
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

TEST_DATABASE_URL = _worker_database(os.environ.get("READINESS_TEST_DATABASE_URL"))
# scrypt with a small work factor: the same code path as production, fast enough for tests
FAST_PASSWORD_HASH = "scrypt:1024:8:1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test on the database is marked `db`, so the PostgreSQL pass runs exactly those."""
    for item in items:
        if {"app", "_migrated"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def _config(database_url: str, instance: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test secret key, not for production",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "PASSWORD_HASH_METHOD": FAST_PASSWORD_HASH,
        "SQLITE_BUSY_TIMEOUT_MS": 2000,
        # tests start many surveys from 127.0.0.1; test_padding tests the limit itself
        "SURVEY_STARTS_PER_ADDRESS": 100_000,
    }


@pytest.fixture(scope="session")
def _migrated(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database to start every test from: a SQLite template file, or the test URL."""
    instance = tmp_path_factory.mktemp("instance")
    if TEST_DATABASE_URL:
        app = create_app(_config(TEST_DATABASE_URL, instance))
        engine = get_db(app).engine
        with engine.begin() as conn:  # everything a migration made: tables, functions, triggers
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(app)
        get_db(app).dispose()
        return TEST_DATABASE_URL
    template = instance / "template.sqlite"
    app = create_app(_config(f"sqlite:///{template}", instance))
    upgrade(app)
    get_db(app).dispose()
    return str(template)


class EnglishBrowser(FlaskClient):
    """A test browser that says, as real browsers do, which language it reads: English. Without
    it a survey would open in the municipality's country's language (tests/test_languages.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")


def _empty_tables(app: Flask) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with get_db(app).engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app(_migrated: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on a freshly migrated, empty database."""
    instance = tmp_path / "instance"
    if TEST_DATABASE_URL:
        flask_app = create_app(_config(TEST_DATABASE_URL, instance))
        _empty_tables(flask_app)
    else:
        database = tmp_path / "test.sqlite"
        shutil.copyfile(_migrated, database)
        flask_app = create_app(_config(f"sqlite:///{database}", instance))
    flask_app.test_client_class = EnglishBrowser
    yield flask_app
    get_db(flask_app).dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser without cookies."""
    return app.test_client()



@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session for setting up and checking data; commit before making requests.

    No app context is pushed: requests made meanwhile get their own, as in production.
    """
    with get_db(app).sessions() as db_session:
        yield db_session


@pytest.fixture
def questionnaire() -> Questionnaire:
    """The shipped questionnaire (newest version)."""
    return get_questionnaire()
