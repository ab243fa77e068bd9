"""The one app builder of every command that needs the database.

Only `readiness serve` and `readiness db upgrade` migrate the schema; every other command checks
that the database is current and, when it is not, says which command brings it up to date.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from flask import Flask

# Without READINESS_SECRET_KEY the commands keep a generated key in the instance folder.
SECRET_KEY_FILE = "secret_key"
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"]


def local_hosts() -> dict[str, Any]:
    """Without a public address or trusted hosts configured, answer to this machine only."""
    if os.environ.get("READINESS_PUBLIC_BASE_URL") or os.environ.get("READINESS_TRUSTED_HOSTS"):
        return {}
    return {"TRUSTED_HOSTS": LOOPBACK_HOSTS}


@contextmanager
def command_app(*, migrate: bool = False, database: str | None = None,
                **overrides: Any) -> Iterator[Flask]:
    """The app on the configured (or given) database; its connections close when the command
    ends. With `migrate` the schema is brought up to date, else it must be up to date already."""
    from readiness import ConfigError, create_app
    from readiness.db import get_db, schema_behind, upgrade
    from readiness.services import audit

    config: dict[str, Any] = {"SECRET_KEY_FILE": SECRET_KEY_FILE, **local_hosts(), **overrides}
    if database:
        config["DATABASE_URL"] = database
    try:
        app = create_app(config)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    audit.set_context("cli")  # audit events of this command say they came from the command line
    try:
        if migrate:
            upgrade(app)
        else:
            behind = schema_behind(app)
            if behind is not None:
                raise click.ClickException(behind)
        yield app
    finally:
        get_db(app).dispose()


@contextmanager
def command_transaction(**app_options: Any) -> Iterator[tuple[Flask, Any]]:
    """The app and a writing session: committed at the end, rolled back on any error, and a
    refused use case reported as a one-line error."""
    from readiness.db import get_db
    from readiness.services.assessments import ServiceError

    with command_app(**app_options) as app:
        try:
            with get_db(app).write_session() as session:
                yield app, session
        except ServiceError as error:
            raise click.ClickException(str(error)) from None
